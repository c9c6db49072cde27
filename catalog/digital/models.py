"""Digital objects (scanned books, PDFs) and their pages, with page text for search inside.

Licence rule, in one place (viewer_access; every route asks it):
- open licences (Creative Commons variants, CC0, public domain): everyone reads and downloads;
- "in-library" and "all-rights-reserved": read only on site (a computer in the library) or by
  signed-in staff; off site, which pages match a search and whole-page thumbnails, nothing more;
  nobody downloads the files.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, defer, mapped_column, relationship, selectinload

from catalog.db import Base, utcnow
from catalog.errors import N_, NotFound, PermissionDenied, ValidationError
from catalog.records.models import Record, mark_stale
from catalog.text import fold, nfc

# Who may read and download: open licences allow both; in-library only allows reading on site.
LICENCES = ("cc-by", "cc-by-sa", "cc-by-nc", "cc-by-nc-sa", "cc-by-nd", "cc-by-nc-nd", "cc0", "public-domain",
            "in-library", "all-rights-reserved")
OPEN_LICENCES = frozenset(LICENCES) - {"in-library", "all-rights-reserved"}
# IIIF Presentation 3 wants `rights` drawn from the Creative Commons or RightsStatements.org URIs,
# which are written with http:// (https:// ones are not in that set).
LICENCE_URLS = {
    "cc-by": "http://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa": "http://creativecommons.org/licenses/by-sa/4.0/",
    "cc-by-nc": "http://creativecommons.org/licenses/by-nc/4.0/",
    "cc-by-nc-sa": "http://creativecommons.org/licenses/by-nc-sa/4.0/",
    "cc-by-nd": "http://creativecommons.org/licenses/by-nd/4.0/",
    "cc-by-nc-nd": "http://creativecommons.org/licenses/by-nc-nd/4.0/",
    "cc0": "http://creativecommons.org/publicdomain/zero/1.0/",
    "public-domain": "http://creativecommons.org/publicdomain/mark/1.0/",
    "in-library": "http://rightsstatements.org/vocab/InC/1.0/",
    "all-rights-reserved": "http://rightsstatements.org/vocab/InC/1.0/",
}
# The longest side of the only page image a viewer who may not read an object gets: a thumbnail
# of the whole page (never a region, so tiles cannot be put back together into the page).
THUMBNAIL_MAX = 300
OCR_STATES = ("none", "queued", "running", "done", "partial", "unavailable", "failed", "skipped")
TEXT_SOURCES = ("none", "ocr", "pdf", "manual")


class DigitalObject(Base):
    __tablename__ = "digital_object"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str] = mapped_column(String(500), default="")
    licence: Mapped[str] = mapped_column(String(32), default="in-library")
    source_kind: Mapped[str] = mapped_column(String(16), default="images")  # images | pdf
    source_name: Mapped[str] = mapped_column(String(500), default="")
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    ocr_status: Mapped[str] = mapped_column(String(16), default="none")
    # The original PDF kept for download (relative to DATA_DIR), "" for image sets.
    source_path: Mapped[str] = mapped_column(String(500), default="")
    # SHA-256 of the source, to notice the same file ingested twice.
    checksum: Mapped[str] = mapped_column(String(64), default="", index=True)
    # What ingest or OCR had to say (skipped files, reduced resolution, OCR unavailable).
    notes: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    record: Mapped[Record] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="object", order_by="Page.number", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.licence in OPEN_LICENCES


class Page(Base):
    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("object_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("digital_object.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # Relative to LIBRARY_DATA_DIR.
    image_path: Mapped[str] = mapped_column(String(500), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str] = mapped_column(String(16), default="none")  # none | ocr | pdf | manual
    confidence: Mapped[float | None] = mapped_column(Float)
    # Word boxes: [[word, x, y, w, h], ...] in page pixels.
    words: Mapped[list | None] = mapped_column(JSON)
    # Where the page came from (file name, and page within a PDF or multi-page TIFF).
    source_label: Mapped[str] = mapped_column(String(500), default="")
    # A staff correction of the text: who and when.
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    corrected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    object: Mapped[DigitalObject] = relationship(back_populates="pages")


# -- who may read and download ---------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Viewer:
    """Who is asking: signed-in staff, or a computer on one of the libraries' own networks."""

    is_staff: bool = False
    on_site: bool = False


ANONYMOUS = Viewer()


@dataclasses.dataclass(frozen=True)
class Access:
    """What one viewer may get of one object; every route asks viewer_access() and obeys it."""

    read: bool        # the reader, full-size page images and tiles, page text, snippets, the manifest
    download: bool    # the PDF and the page masters
    matches: bool     # which pages hold a search's words (numbers only when not `read`)
    thumbnail_max: int  # without `read`: the longest side of a whole-page thumbnail

    def may_see_image(self, *, whole_page: bool, size: tuple[int, int]) -> bool:
        """A page image of this size (of the whole page or of a region) may be given."""
        return self.read or (whole_page and max(size) <= self.thumbnail_max)


def viewer_access(obj: DigitalObject, viewer: Viewer = ANONYMOUS) -> Access:
    """THE licence rule. Open licences: everything, for everyone. In-library and all rights
    reserved, off site and not staff: which pages match a search and whole-page thumbnails of at
    most THUMBNAIL_MAX px; no page text, no larger image, no region or tile, no download ("read it
    at the library"). On site or staff: read, never download."""
    readable = obj.is_open or viewer.is_staff or viewer.on_site
    return Access(read=readable, download=obj.is_open, matches=True, thumbnail_max=THUMBNAIL_MAX)


def can_read(obj: DigitalObject, *, is_staff: bool = False, on_site: bool = False) -> bool:
    """Open licences: everyone; in-library (and all rights reserved): on site or signed-in staff."""
    return viewer_access(obj, Viewer(is_staff, on_site)).read


def can_download(obj: DigitalObject) -> bool:
    """Only open-licensed objects are downloadable, by anyone; in-library ones never."""
    return viewer_access(obj).download


def require_read(obj: DigitalObject, *, is_staff: bool = False, on_site: bool = False) -> None:
    """Raise PermissionDenied (403) unless the licence lets this reader read the object."""
    if not can_read(obj, is_staff=is_staff, on_site=on_site):
        raise_read_at_library(obj)


def raise_read_at_library(obj: DigitalObject) -> None:
    """PermissionDenied (403): this object is read at the library."""
    raise PermissionDenied(N_("“{label}” may only be read in the library (licence: in-library only)."),
                           label=obj.label or obj.record.title)


def require_image(obj: DigitalObject, viewer: Viewer, *, whole_page: bool, size: tuple[int, int]) -> None:
    """Raise PermissionDenied unless this viewer may have this page image (see viewer_access)."""
    if not viewer_access(obj, viewer).may_see_image(whole_page=whole_page, size=size):
        raise_read_at_library(obj)


def require_download(obj: DigitalObject) -> None:
    """Raise PermissionDenied (403) unless the licence allows downloading."""
    if not can_download(obj):
        raise PermissionDenied(N_("“{label}” may be read but not downloaded (licence: {licence})."),
                               label=obj.label or obj.record.title, licence=obj.licence)


def records_with_hidden_text(session: Session, record_ids: list[int], viewer: Viewer) -> set[int]:
    """Records with an object whose page text this viewer may not see (their snippets show none)."""
    if not record_ids:
        return set()
    objects = session.scalars(select(DigitalObject).where(DigitalObject.record_id.in_(record_ids)))
    return {o.record_id for o in objects if not viewer_access(o, viewer).read}


def check_licence(licence: str) -> str:
    """The licence code, or ValidationError naming the allowed ones."""
    code = (licence or "").strip().lower()
    if code not in LICENCES:
        raise ValidationError(N_("Unknown licence {licence}; use one of: {allowed}."),
                              licence=licence, allowed=", ".join(LICENCES), field="licence")
    return code


# -- objects and pages -------------------------------------------------------------------------

def create_object(session: Session, record: Record, *, label: str, licence: str, source_kind: str,
                  source_name: str, checksum: str = "", now: dt.datetime | None = None) -> DigitalObject:
    """Add an empty digital object to a record; pages follow with add_page()."""
    obj = DigitalObject(record=record, label=nfc(label)[:500], licence=check_licence(licence),
                        source_kind=source_kind, source_name=nfc(source_name)[:500], checksum=checksum,
                        created_at=now or utcnow(), updated_at=now or utcnow(), notes=[])
    session.add(obj)
    session.flush()
    return obj


def add_page(session: Session, obj: DigitalObject, *, image_path: str, width: int, height: int,
             source_label: str = "", text: str = "", words: list | None = None, text_source: str = "none",
             now: dt.datetime | None = None) -> Page:
    """Append a page (numbered after the last one); text, when given, is stored NFC."""
    page = Page(number=len(obj.pages) + 1, image_path=image_path, width=width, height=height,
                source_label=nfc(source_label)[:500], updated_at=now or utcnow())
    obj.pages.append(page)
    obj.page_count = len(obj.pages)
    if text or words:
        set_page_text(page, text=text, words=words, source=text_source, now=now)
    session.flush()
    return page


def set_page_text(page: Page, *, text: str, words: list | None, source: str, confidence: float | None = None,
                  now: dt.datetime | None = None) -> Page:
    """Store a page's text (OCR, PDF layer) with its word boxes; marks the record for the index."""
    if source not in TEXT_SOURCES:
        raise ValueError(f"unknown text source {source!r}")
    page.text = nfc(text)
    page.words = [[nfc(w[0]), int(w[1]), int(w[2]), int(w[3]), int(w[4])] for w in words or [] if w and w[0]]
    page.text_source, page.confidence = source, confidence
    page.updated_at = now or utcnow()
    mark_stale(page.object.record, now=page.updated_at)
    return page


def correct_page_text(session: Session, page: Page, text: str, *, user_id: int | None,
                      now: dt.datetime | None = None) -> Page:
    """A staff correction: the text replaces OCR; word boxes of words still present are kept."""
    text = nfc(text).replace("\r\n", "\n").strip()
    if len(text) > 200_000:
        raise ValidationError(N_("A page's text is limited to 200,000 characters."), field="text")
    kept = set(fold(text).split())
    words = [w for w in page.words or [] if fold(w[0]) in kept]
    set_page_text(page, text=text, words=words, source="manual", confidence=None, now=now)
    page.corrected_by_id, page.corrected_at = user_id, page.updated_at
    return page


def add_note(obj: DigitalObject, note: str, params: dict | None = None) -> None:
    """Keep a message about the object (shown to staff): an English template and its parameters,
    translated when shown (older notes are plain text)."""
    kept = {"template": note, "params": {k: nfc(str(v))[:500] for k, v in params.items()}} if params else nfc(note)[:1000]
    obj.notes = [*(obj.notes or []), kept][-200:]


def get_object(session: Session, object_id: int, *, light_pages: bool = False) -> DigitalObject:
    """The digital object with this id (its record not deleted), or NotFound. One query: the record
    (with its whole MARC) is not read for the check, only when asked for. light_pages: its pages
    are read at once without their text and word boxes (a page's are read when asked for): the
    reader lists every page of a book, and 150 OCR'd pages' text and boxes cost 0.2 s of CPU."""
    query = (select(DigitalObject).join(DigitalObject.record)
             .where(DigitalObject.id == object_id, Record.deleted_at.is_(None)))
    if light_pages:
        query = query.options(selectinload(DigitalObject.pages).defer(Page.text).defer(Page.words))
    obj = session.scalars(query).first()
    if obj is None:
        raise NotFound(N_("No digital object with id {object_id}."), object_id=object_id)
    return obj


def has_page_text(session: Session, obj: DigitalObject) -> bool:
    """Whether any page of the object has text (one query; no page's text is read)."""
    return session.scalar(select(select(Page.id).where(Page.object_id == obj.id, Page.text != "").exists())) or False


def get_page(obj: DigitalObject, number: int) -> Page:
    """Page `number` (from 1) of the object, or NotFound."""
    if 1 <= number <= len(obj.pages):
        page = obj.pages[number - 1]
        if page.number == number:
            return page
    for page in obj.pages:
        if page.number == number:
            return page
    raise NotFound(N_("Page {number} does not exist; this object has {count} pages."),
                   number=number, count=len(obj.pages))


def find_page(session: Session, obj: DigitalObject, number: int) -> Page:
    """Page `number` of the object, or NotFound, read alone: its text and word boxes are read only
    if asked for (get_page reads every page of the object, text and all, to find one: a page image
    of a 150-page book read 150 pages' OCR)."""
    if "pages" in obj.__dict__:  # already read: no query
        return get_page(obj, number)
    page = session.scalars(select(Page).where(Page.object_id == obj.id, Page.number == number)
                           .options(defer(Page.text), defer(Page.words))).first()
    if page is None:
        raise NotFound(N_("Page {number} does not exist; this object has {count} pages."),
                       number=number, count=obj.page_count)
    return page


def objects_of_record(session: Session, record_id: int) -> list[DigitalObject]:
    """The record's digital objects, oldest first."""
    return list(session.scalars(select(DigitalObject).where(DigitalObject.record_id == record_id)
                                .order_by(DigitalObject.id)))


@dataclasses.dataclass
class ObjectList:
    objects: list[DigitalObject]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_objects(session: Session, *, page: int = 1, per_page: int = 24, open_only: bool = False) -> ObjectList:
    """Digital objects with pages, newest first (live records only), one page of the list."""
    query = (select(DigitalObject).join(DigitalObject.record)
             .where(Record.deleted_at.is_(None), DigitalObject.page_count > 0))
    if open_only:
        query = query.where(DigitalObject.licence.in_(sorted(OPEN_LICENCES)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = session.scalars(query.order_by(DigitalObject.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return ObjectList(list(rows), total, page, per_page)


def pages_without_text(obj: DigitalObject, *, include_ocr: bool = False) -> list[Page]:
    """Pages OCR should read: no text yet (or, for re-OCR, any text not from a PDF or staff)."""
    wanted = {"none", "ocr"} if include_ocr else {"none"}
    return [p for p in obj.pages if p.text_source in wanted]


# -- search inside -----------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


@dataclasses.dataclass
class InsideHit:
    object_id: int
    page: int
    snippet: str
    boxes: list[list[int]]
    restricted: bool = False  # the viewer may not read the object: read it at the library


def query_terms(q: str) -> list[str]:
    """Folded terms of a search-inside query ("Hà Nội" -> ["ha", "noi"])."""
    return _TOKEN.findall(fold(nfc(q)))[:20]


def _word_matches(folded_word: str, term: str) -> bool:
    return folded_word == term or (len(term) >= 3 and folded_word.startswith(term))


def _folded_chars(text: str) -> str:
    """fold() applied per character so positions in the result match positions in `text`."""
    out = []
    for ch in text:
        folded = fold(ch)
        out.append(folded[0] if len(folded) == 1 else (folded[:1] or " "))
    return "".join(out)


def _snippet(text: str, terms: list[str], width: int = 80) -> str:
    folded = _folded_chars(text)
    positions = [m.start() for term in terms for m in [re.search(r"\b" + re.escape(term), folded)] if m]
    start = max(0, min(positions) - width // 2) if positions else 0
    snippet = " ".join(text[start:start + width * 2].split())
    return ("…" if start else "") + snippet + ("…" if start + width * 2 < len(text) else "")


def text_holds_terms(text: str | None, terms: list[str]) -> bool:
    """Whether every folded term is a word of the text (or begins one, for terms of 3+ letters):
    the rule search inside uses, so a results page promises only pages search inside shows."""
    words = set(_TOKEN.findall(fold(text or "")))
    return bool(terms) and all(t in words or any(_word_matches(w, t) for w in words) for t in terms)


def first_objects(session: Session, record_ids: list[int]) -> dict[int, int]:
    """For each record, the id of its first digital object with pages (where "read online" goes)."""
    found: dict[int, int] = {}
    rows = session.execute(select(DigitalObject.record_id, DigitalObject.id)
                           .where(DigitalObject.record_id.in_(record_ids), DigitalObject.page_count > 0)
                           .order_by(DigitalObject.record_id, DigitalObject.id))
    for record_id, object_id in rows:
        found.setdefault(record_id, object_id)
    return found


def search_page(page: Page, terms: list[str]) -> tuple[bool, list[list[int]]]:
    """Whether every term occurs on the page (folded), and the boxes of the matching words."""
    if not terms:
        return False, []
    boxes, found = [], set()
    for word in page.words or []:
        folded_words = _TOKEN.findall(fold(word[0]))
        hit = {t for t in terms if any(_word_matches(fw, t) for fw in folded_words)}
        if hit:
            found |= hit
            boxes.append([int(v) for v in word[1:5]])
    if len(found) < len(set(terms)) and not text_holds_terms(page.text, terms):
        return False, []
    return True, boxes


def search_inside(session: Session, objects: list[DigitalObject], q: str, *, viewer: Viewer = ANONYMOUS,
                  limit: int = 500) -> list[InsideHit]:
    """Pages of these objects containing every word of q (diacritics and case ignored); for an
    object the viewer may not read, only the page numbers (no snippet, no word boxes)."""
    terms = query_terms(q)
    hits: list[InsideHit] = []
    for obj in objects:
        shows_text = viewer_access(obj, viewer).read
        for page in obj.pages:
            matched, boxes = search_page(page, terms)
            if matched:
                hits.append(InsideHit(obj.id, page.number, _snippet(page.text, terms) if shows_text else "",
                                      boxes if shows_text else [], restricted=not shows_text))
                if len(hits) >= limit:
                    return hits
    return hits

"""Ingest: an input path becomes one digital object with pages (masters under DATA_DIR/scans/ID/),
attached to a record; then OCR fills in the text of pages that lack it, page by page.

Bad files and pages are reported (file + reason) and left out; the good pages of the batch are kept.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from catalog.db import utcnow
from catalog.digital.models import DigitalObject, Page, add_note, add_page, create_object, pages_without_text, set_page_text
from catalog.errors import N_
from catalog.records.models import RecordDraft, create_record, get_record
from catalog.text import nfc
from ingest.scans import images, pdf, pyramid
from ingest.scans.errors import NothingToIngest, ScanError, StorageError
from ingest.scans.limits import Limits
from ingest.scans.metadata import Metadata, read_metadata
from ingest.scans.ocr import INSTALL_HINT, ocr_image, tesseract_status
from ingest.scans.sources import Problem, Source, expand

Progress = Callable[[int, int | None, str], None]


@dataclasses.dataclass
class IngestReport:
    object_id: int
    record_id: int
    pages: int
    text_pages: int  # pages whose text came from a PDF text layer
    problems: list[Problem]

    def as_dict(self) -> dict:
        return {"object_id": self.object_id, "record_id": self.record_id, "pages": self.pages,
                "text_pages": self.text_pages, "skipped": len(self.problems),
                "problems": [p.as_dict() for p in self.problems]}


def _noop(_done: int, _total: int | None = None, _message: str = "") -> None:
    return None


@contextlib.contextmanager
def writing_data():
    """Turn a failure to write under the data directory into a StorageError saying what failed
    (read-only, disk full), without the path or a traceback."""
    try:
        yield
    except StorageError:
        raise
    except OSError as exc:
        raise StorageError(N_("The page images could not be saved: the data folder cannot be written ({reason}). "
                              "Ask the administrator to check LIBRARY_DATA_DIR and the free disk space."),
                           reason=exc.strerror or type(exc).__name__) from exc


@dataclasses.dataclass
class StagedPage:
    master: Path  # in the staging folder, moved under scans/ID/ when written
    width: int
    height: int
    label: str
    text: str = ""
    words: list | None = None


@dataclasses.dataclass
class Staged:
    """Pages read and rendered from an input, not yet in the database (no transaction held)."""

    name: str
    kind: str
    folder: Path
    pages: list[StagedPage]
    problems: list[Problem]
    metadata: Metadata | None
    checksum: str
    source_pdf: Path | None = None

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def stage_scans(path: Path, *, data_dir: Path, limits: Limits | None = None, metadata: Path | None = None,
                progress: Progress = _noop) -> Staged:
    """Read every page at path into masters in a staging folder under data_dir/tmp (no database)."""
    limits = limits or Limits()
    data_dir = Path(data_dir).resolve()
    with writing_data():
        (data_dir / "tmp").mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=data_dir / "tmp", prefix="stage-"))
    problems: list[Problem] = []
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix="unpack-") as workdir:
            sources = expand(Path(path), Path(workdir), limits, problems)
            sidecars = [s for s in sources if s.kind == "metadata"]
            pages = [s for s in sources if s.kind != "metadata"]
            meta = _metadata(metadata, sidecars)
            staged = Staged(Path(path).name, _kind(pages), folder, [], problems, meta,
                            _checksum(pages) if pages else "")
            _stage_pages(staged, pages, limits, progress)
            if len(pages) == 1 and pages[0].kind == "pdf" and staged.pages:
                staged.source_pdf = folder / "source.pdf"
                shutil.copyfile(pages[0].path, staged.source_pdf)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if not staged.pages:
        staged.discard()
        raise _nothing(path, problems)
    return staged


def write_staged(session: Session, staged: Staged, *, data_dir: Path, record_id: int | None = None,
                 licence: str | None = None, label: str = "", now: dt.datetime | None = None) -> IngestReport:
    """Create the digital object (and record) and move the staged masters in; the caller commits."""
    with writing_data():
        return _write_staged(session, staged, data_dir=data_dir, record_id=record_id, licence=licence, label=label,
                             now=now)


def _write_staged(session: Session, staged: Staged, *, data_dir: Path, record_id: int | None, licence: str | None,
                  label: str, now: dt.datetime | None) -> IngestReport:
    data_dir = Path(data_dir).resolve()
    meta = staged.metadata
    record = get_record(session, record_id) if record_id else _new_record(session, meta, staged.name, now)
    obj = create_object(session, record, label=nfc(label) or record.title, source_kind=staged.kind,
                        licence=licence or (meta.licence if meta else None) or "in-library",
                        source_name=staged.name, checksum=staged.checksum, now=now)
    target = images.safe_join(data_dir, f"scans/{obj.id}")
    target.mkdir(parents=True, exist_ok=True)
    text_pages = 0
    for page in staged.pages:
        relative = f"scans/{obj.id}/{len(obj.pages) + 1:04d}{page.master.suffix}"
        os.replace(page.master, images.safe_join(data_dir, relative))
        tiles = Path(pyramid.tiles_folder(str(page.master)))
        if tiles.exists():
            os.replace(tiles, images.safe_join(data_dir, pyramid.tiles_folder(relative)))
        add_page(session, obj, image_path=relative, width=page.width, height=page.height, source_label=page.label,
                 text=page.text, words=page.words, text_source="pdf" if page.text else "none", now=now)
        text_pages += bool(page.text)
    if staged.source_pdf is not None:
        obj.source_path = f"scans/{obj.id}/source.pdf"
        os.replace(staged.source_pdf, images.safe_join(data_dir, obj.source_path))
    for problem in staged.problems:
        add_note(obj, problem.template, {"file": problem.file, **problem.params})
    staged.discard()
    return IngestReport(obj.id, record.id, len(obj.pages), text_pages, staged.problems)


def ingest_scans(session: Session, path: Path, *, data_dir: Path, limits: Limits | None = None,
                 record_id: int | None = None, metadata: Path | None = None, licence: str | None = None,
                 label: str = "", now: dt.datetime | None = None, progress: Progress = _noop) -> IngestReport:
    """Stage then write: every page at path into a new digital object; the caller commits."""
    if record_id:
        get_record(session, record_id)  # fail before the work when the record does not exist
    staged = stage_scans(path, data_dir=data_dir, limits=limits, metadata=metadata, progress=progress)
    try:
        return write_staged(session, staged, data_dir=data_dir, record_id=record_id, licence=licence,
                            label=label, now=now)
    finally:
        staged.discard()


def _nothing(path: Path, problems: list[Problem]) -> NothingToIngest:
    reasons = "; ".join(p.message for p in problems[:20]) or "no page images or PDFs"
    return NothingToIngest(N_("Nothing could be ingested from {file}: {reasons}"), file=Path(path).name, reasons=reasons)


def _kind(pages: list[Source]) -> str:
    return "pdf" if pages and all(s.kind == "pdf" for s in pages) else "images"


def _checksum(pages: list[Source]) -> str:
    digest = hashlib.sha256()
    for source in pages:
        with source.path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _metadata(metadata: Path | None, sidecars: list[Source]) -> Metadata | None:
    if metadata is not None:
        return read_metadata(Path(metadata))
    if sidecars:
        return read_metadata(sidecars[0].path, sidecars[0].name)
    return None


def _new_record(session: Session, meta: Metadata | None, name: str, now: dt.datetime | None):
    if meta is not None:
        return create_record(session, meta.draft, marc=meta.marc, now=now)
    title = nfc(Path(name).stem.replace("_", " ").replace("-", " ")).strip() or "Scan"
    return create_record(session, RecordDraft(title=title, notes=["Created by ingest-scans without metadata."]),
                         now=now)


def _problem(error: ScanError, default_file: str) -> Problem:
    return Problem(error.params.get("file", default_file), error.template,
                   {k: v for k, v in error.params.items() if k != "file"})


def _stage_pages(staged: Staged, pages: list[Source], limits: Limits, progress: Progress) -> None:
    """Render each source's pages into staged masters; errors become problems, other pages go on."""
    for index, source in enumerate(pages):
        progress(index, len(pages), source.name)
        try:
            produced = pdf.read_pages(source.path, source.name, limits) if source.kind == "pdf" \
                else images.read_frames(source.path, source.name, limits)
            for item in produced:
                if isinstance(item, tuple) and isinstance(item[1], ScanError):
                    item = item[1]
                if isinstance(item, ScanError):
                    staged.problems.append(_problem(item, source.name))
                    continue
                if len(staged.pages) >= limits.max_pages:
                    staged.problems.append(Problem(source.name, N_("{file}: the limit of {limit} pages was reached "
                                                                   "(LIBRARY_MAX_SCAN_PAGES); the rest is left out."),
                                                   {"limit": limits.max_pages}))
                    return
                label, image = (item.label, item.image) if source.kind == "pdf" else item
                stem = f"tmp/{staged.folder.name}/{len(staged.pages) + 1:04d}"
                with writing_data():
                    relative, width, height = images.save_master(image, staged.folder.parent.parent, stem)
                    # The pyramid now, while the page is decoded: no image request will decode it again.
                    pyramid.write_pyramid(image, staged.folder.parent.parent / pyramid.tiles_folder(relative))
                text, words = (item.text, item.words) if source.kind == "pdf" else ("", None)
                staged.pages.append(StagedPage(staged.folder.parent.parent / relative, width, height, label, text, words))
                if source.kind == "pdf" and item.dpi < limits.pdf_dpi:
                    staged.problems.append(Problem(label, N_("{file}: a large page, rendered at {dpi} dpi instead of "
                                                             "{wanted}."), {"dpi": item.dpi, "wanted": limits.pdf_dpi}))
        except ScanError as exc:
            staged.problems.append(_problem(exc, source.name))
    progress(len(pages), len(pages), "")


# -- OCR ---------------------------------------------------------------------------------------

@dataclasses.dataclass
class OcrReport:
    object_id: int
    status: str
    pages_read: int
    pages_failed: int
    message: str = ""

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def run_ocr(session_factory: sessionmaker, object_id: int, *, data_dir: Path, languages: str = "vie+eng",
            command: str = "tesseract", again: bool = False, page_numbers: list[int] | None = None,
            now: Callable[[], dt.datetime] | None = None, progress: Progress = _noop) -> OcrReport:
    """OCR the object's pages lacking text (all OCR'd pages too when again), one transaction per page."""
    clock = now or utcnow
    status = tesseract_status(command, languages)
    with session_factory.begin() as session:
        obj = session.get(DigitalObject, object_id)
        todo = [p.id for p in pages_without_text(obj, include_ocr=again)
                if page_numbers is None or p.number in page_numbers]
        if not status.available:
            obj.ocr_status = "unavailable"
            message = (f"tesseract with {languages} is not installed: pages are served, search inside is unavailable "
                       f"until it is ({INSTALL_HINT}).")
            add_note(obj, message)
            return OcrReport(object_id, "unavailable", 0, 0, message)
        obj.ocr_status = "running"
    read = failed = 0
    message = ""
    for index, page_id in enumerate(todo):
        progress(index, len(todo), f"OCR {index + 1}/{len(todo)}")
        with session_factory.begin() as session:
            page = session.get(Page, page_id)
            try:
                result = ocr_image(images.safe_join(data_dir, page.image_path), languages=status.languages,
                                   command=command)
            except ScanError as exc:
                failed += 1
                message = exc.message
                add_note(page.object, f"page {page.number}: {exc.message}")
                continue
            set_page_text(page, text=result.text, words=result.words, source="ocr",
                          confidence=result.confidence, now=clock())
            read += 1
    with session_factory.begin() as session:
        obj = session.get(DigitalObject, object_id)
        obj.ocr_status = "done" if not failed else ("partial" if read else "failed")
        if status.missing:
            add_note(obj, N_("OCR ran without {languages} (not installed)."), {"languages": "+".join(status.missing)})
    progress(len(todo), len(todo), "")
    return OcrReport(object_id, obj.ocr_status, read, failed, message)

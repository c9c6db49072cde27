"""The duplicates queue: candidate pairs of records with a score and its reasons, and the
side-by-side comparison of one pair. Cataloguers and admins only (checked here).

Pairs come from blocking keys (catalog/records/duplicate_keys.py): two records are compared only when they
share an ISBN, a title proper, a title and first author, or a whole work, in blocks of at most
MAX_BLOCK records (MAX_TITLE_BLOCK for a title proper alone, whose pairs are mostly weak). The score is
the sum of the weights of the RULES that hold, computed in SQL, so the queue is ordered and paged by
the database. Two records with ISBNs none of which they share are never proposed; a pair marked
"not duplicates" (NotDuplicate) leaves the queue for good, until someone withdraws the decision."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from typing import Any, Callable

from sqlalchemy import (
    CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, and_, case, exists, func, literal,
    not_, or_, select,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from catalog.db import Base, utcnow
from catalog.digital.models import DigitalObject
from catalog.records.duplicate_keys import DuplicateKey, DuplicateSignature, isbn13s, refresh_duplicate_keys
from catalog.errors import N_, RecordNotFound, ValidationError
from catalog.copies.items import Item
from catalog.accounts.permissions import require_cataloguer
from catalog.records.models import Record
from catalog.accounts.users import User

MAX_BLOCK = 50  # a key shared by more records than this says nothing (a generic title): not compared
MAX_TITLE_BLOCK = 20  # a title proper alone: 20 records are 190 pairs, most of them other books
STRONG = 50  # the queue shows pairs scoring this or more; weaker ones on request
PER_PAGE = 20


class NotDuplicate(Base):
    """Two records a cataloguer decided are different books: the pair never returns to the queue.
    Stored once per pair whatever the order (low_id < high_id)."""

    __tablename__ = "not_duplicate"
    __table_args__ = (UniqueConstraint("low_id", "high_id"),
                      CheckConstraint("low_id < high_id", name="ordered_pair"))

    id: Mapped[int] = mapped_column(primary_key=True)
    low_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    high_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


@dataclasses.dataclass(frozen=True)
class Rule:
    """One reason a pair is (or is not) a duplicate: its weight and its test in SQL, given the
    pair's links (low, high, same_isbn) and the two signatures."""

    name: str
    weight: int
    label: str
    test: Callable[[Any, Any, Any], Any]


def _both(a, b) -> Any:
    return and_(a != "", b != "")


RULES = (
    Rule("same_isbn", 65, N_("Same ISBN"), lambda p, a, b: p.c.same_isbn == 1),
    Rule("same_title", 25, N_("Same title proper"),
         lambda p, a, b: and_(_both(a.title_key, b.title_key), a.title_key == b.title_key)),
    Rule("same_subtitle", 10, N_("Same subtitle"),
         lambda p, a, b: and_(_both(a.subtitle_key, b.subtitle_key), a.subtitle_key == b.subtitle_key)),
    Rule("same_author", 15, N_("Same first author"),
         lambda p, a, b: and_(_both(a.author_key, b.author_key), a.author_key == b.author_key)),
    Rule("same_year", 15, N_("Same year"), lambda p, a, b: and_(a.year.is_not(None), a.year == b.year)),
    Rule("same_edition", 5, N_("Same edition"),
         lambda p, a, b: and_(_both(a.edition_key, b.edition_key), a.edition_key == b.edition_key)),
    Rule("other_title", -10, N_("Different titles proper"),
         lambda p, a, b: and_(a.title_key != b.title_key, a.title_head == b.title_head)),
    Rule("other_title_start", -50, N_("Titles proper that differ from their first words"),
         lambda p, a, b: a.title_head != b.title_head),
    Rule("other_marks", -60, N_("The titles differ in their Vietnamese marks"),
         lambda p, a, b: and_(a.title_key == b.title_key, _both(a.title_exact, b.title_exact),
                              a.title_exact != b.title_exact)),
    Rule("other_subtitle", -60, N_("Different subtitles"),
         lambda p, a, b: and_(_both(a.subtitle_key, b.subtitle_key), a.subtitle_key != b.subtitle_key)),
    Rule("one_subtitle", -5, N_("Only one has a subtitle"),
         lambda p, a, b: or_(and_(a.subtitle_key == "", b.subtitle_key != ""),
                             and_(a.subtitle_key != "", b.subtitle_key == ""))),
    Rule("other_part", -80, N_("Different volume or part numbers"), lambda p, a, b: a.part_key != b.part_key),
    Rule("other_author", -30, N_("Different first authors"),
         lambda p, a, b: and_(_both(a.author_key, b.author_key), a.author_key != b.author_key)),
    Rule("other_year", -40, N_("Different years"),
         lambda p, a, b: and_(a.year.is_not(None), b.year.is_not(None), a.year != b.year)),
    Rule("other_edition", -60, N_("Different editions"),
         lambda p, a, b: and_(_both(a.edition_key, b.edition_key), a.edition_key != b.edition_key)),
    Rule("other_type", -30, N_("Different types of material"), lambda p, a, b: a.record_type != b.record_type),
    Rule("other_language", -60, N_("Different languages"),
         lambda p, a, b: and_(_both(a.language, b.language), a.language != b.language)),
)
RULE_LABELS = {rule.name: rule.label for rule in RULES}


@dataclasses.dataclass
class Candidate:
    """A pair in the queue: the two records (lower id first), the score and the rules that held."""

    low: Record
    high: Record
    score: int
    reasons: list[str]  # rule names with a positive weight
    warnings: list[str]  # rule names with a negative weight
    copies: dict[int, int]

    @property
    def is_strong(self) -> bool:
        return self.score >= STRONG


@dataclasses.dataclass
class CandidatePage:
    pairs: list[Candidate]
    total: int
    page: int
    per_page: int
    include_weak: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def ordered(first: int, second: int) -> tuple[int, int]:
    """A pair's ids, lower first (how pairs and decisions are stored)."""
    return (first, second) if first < second else (second, first)


def _links():
    """Pairs of records sharing a blocking key (lower id first), with whether they share an ISBN."""
    a, b = aliased(DuplicateKey, name="key_a"), aliased(DuplicateKey, name="key_b")
    blocks = (select(DuplicateKey.kind, DuplicateKey.value).group_by(DuplicateKey.kind, DuplicateKey.value)
              .having(func.count() >= 2,
                      func.count() <= case((DuplicateKey.kind == "title", MAX_TITLE_BLOCK), else_=MAX_BLOCK))
              .subquery("blocks"))
    return (select(a.record_id.label("low"), b.record_id.label("high"),
                   func.max(case((a.kind == "isbn", 1), else_=0)).label("same_isbn"))
            .select_from(a)
            .join(blocks, and_(blocks.c.kind == a.kind, blocks.c.value == a.value))
            .join(b, and_(b.kind == a.kind, b.value == a.value, b.record_id > a.record_id))
            .group_by(a.record_id, b.record_id).subquery("links"))


def _one_link(low: int, high: int):
    """The same columns as _links() for one given pair, linked or not."""
    a, b = aliased(DuplicateKey), aliased(DuplicateKey)
    shared = exists(select(a.record_id).join(b, and_(b.kind == a.kind, b.value == a.value))
                    .where(a.record_id == low, b.record_id == high, a.kind == "isbn"))
    return select(literal(low, Integer).label("low"), literal(high, Integer).label("high"),
                  case((shared, 1), else_=0).label("same_isbn")).subquery("links")


def _scored(links, *, skip_decided: bool = True):
    """Each linked pair with its score and one 0/1 column per rule; pairs with ISBNs none of which
    they share are left out, and (skip_decided) pairs marked not duplicates."""
    a, b = aliased(DuplicateSignature, name="sig_a"), aliased(DuplicateSignature, name="sig_b")
    tests = [(rule, rule.test(links, a, b)) for rule in RULES]
    score = functools.reduce(operator.add, [case((test, rule.weight), else_=0) for rule, test in tests])
    query = (select(links.c.low, links.c.high, score.label("score"),
                    *[case((test, 1), else_=0).label(rule.name) for rule, test in tests])
             .select_from(links)
             .join(a, a.record_id == links.c.low).join(b, b.record_id == links.c.high)
             .where(not_(and_(a.isbn_count > 0, b.isbn_count > 0, links.c.same_isbn == 0))))
    if skip_decided:
        query = query.where(~exists().where(NotDuplicate.low_id == links.c.low, NotDuplicate.high_id == links.c.high))
    return query.subquery("scored")


def _split(row) -> tuple[list[str], list[str]]:
    held = [rule for rule in RULES if getattr(row, rule.name)]
    return [r.name for r in held if r.weight > 0], [r.name for r in held if r.weight < 0]


def candidate_pairs(session: Session, actor: User, *, page: int = 1, per_page: int = PER_PAGE,
                    include_weak: bool = False) -> CandidatePage:
    """One page of the queue, highest score first (then by record ids): strong pairs, or every
    pair scoring above zero with include_weak."""
    require_cataloguer(actor)
    refresh_duplicate_keys(session)
    scored = _scored(_links())
    wanted = (select(scored, func.count().over().label("total"))
              .where(scored.c.score >= (1 if include_weak else STRONG)))
    ordered_rows = wanted.order_by(scored.c.score.desc(), scored.c.low, scored.c.high)
    page = max(1, page)
    rows = session.execute(ordered_rows.offset((page - 1) * per_page).limit(per_page)).all()
    total = rows[0].total if rows else 0
    if not rows and page > 1:  # past the last page (pairs were merged meanwhile): show the last one
        total = session.scalar(select(func.count()).select_from(wanted.subquery())) or 0
        page = max(1, -(-total // per_page))
        rows = session.execute(ordered_rows.offset((page - 1) * per_page).limit(per_page)).all()
    ids = {rid for row in rows for rid in (row.low, row.high)}
    records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(ids)))} if ids else {}
    copies = copy_counts(session, ids)
    pairs = [Candidate(records[row.low], records[row.high], row.score, *_split(row),
                       copies={rid: copies.get(rid, 0) for rid in (row.low, row.high)}) for row in rows]
    return CandidatePage(pairs, total, page, per_page, include_weak)


def copy_counts(session: Session, record_ids: set[int]) -> dict[int, int]:
    """How many copies each record has."""
    if not record_ids:
        return {}
    return dict(session.execute(select(Item.record_id, func.count()).where(Item.record_id.in_(sorted(record_ids)))
                                .group_by(Item.record_id)).all())


def live_record(session: Session, record_id: int) -> Record:
    """A record the queue can act on, or RecordNotFound saying why not (unknown, merged, withdrawn)."""
    record = session.get(Record, record_id)
    if record is None:
        raise RecordNotFound(N_("No record with id {record_id}."), record_id=record_id)
    if record.merged_into_id:
        raise RecordNotFound(N_("Record {record_id} has already been merged into record {other}."),
                             record_id=record_id, other=record.merged_into_id)
    if record.is_deleted:
        raise RecordNotFound(N_("Record {record_id} has been withdrawn."), record_id=record_id)
    return record


def live_pair(session: Session, first: int, second: int) -> tuple[Record, Record]:
    """The two records of a pair, both live and different."""
    if first == second:
        raise ValidationError(N_("A pair needs two different records (record {record_id} was given twice)."),
                              record_id=first)
    return live_record(session, first), live_record(session, second)


def decision_for(session: Session, first: int, second: int) -> NotDuplicate | None:
    """The "not duplicates" decision on this pair, if any."""
    low, high = ordered(first, second)
    return session.scalar(select(NotDuplicate).where(NotDuplicate.low_id == low, NotDuplicate.high_id == high))


@dataclasses.dataclass
class FieldRow:
    name: str
    left: Any
    right: Any
    differs: bool


@dataclasses.dataclass
class Comparison:
    """Two records side by side (in the order asked), their score if linked, and any decision."""

    left: Record
    right: Record
    rows: list[FieldRow]
    score: int | None
    reasons: list[str]
    warnings: list[str]
    has_other_isbns: bool  # both have ISBNs and share none: never proposed
    decision: NotDuplicate | None


def _libraries(items: list[Item]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.home_library.name] = counts.get(item.home_library.name, 0) + 1
    return sorted(counts.items())


def _objects(session: Session, record_id: int) -> list[DigitalObject]:
    return list(session.scalars(select(DigitalObject).where(DigitalObject.record_id == record_id)
                                .order_by(DigitalObject.id)))


def _values(session: Session, record: Record) -> dict[str, tuple[Any, Any]]:
    """Each compared field: (what is shown, what is compared)."""
    items = list(record.items)
    objects = _objects(session, record.id)
    control = " ".join(p for p in (record.control_source, record.control_number) if p)
    shown = {
        "title": record.title, "subtitle": record.subtitle, "authors": list(record.authors or []),
        "edition": record.edition, "year": record.year, "publisher": record.publisher, "place": record.place,
        "isbns": list(record.isbns or []), "record_type": record.record_type,
        "languages": list(record.languages or []), "control_number": control,
        "system_numbers": list(record.system_numbers or []), "copies": len(items), "libraries": _libraries(items),
        "digital_objects": [(o.id, o.label or "", o.page_count) for o in objects],
    }
    compared = dict(shown, isbns=isbn13s(record.isbns or []),
                    digital_objects=len(objects), libraries=[name for name, _n in shown["libraries"]])
    return {name: (value, compared[name]) for name, value in shown.items()}


def compare_pair(session: Session, actor: User, first: int, second: int) -> Comparison:
    """Records `first` and `second` side by side, differences marked, with the pair's score."""
    require_cataloguer(actor)
    left, right = live_pair(session, first, second)
    refresh_duplicate_keys(session)
    ours, theirs = _values(session, left), _values(session, right)
    rows = [FieldRow(name, ours[name][0], theirs[name][0], ours[name][1] != theirs[name][1]) for name in ours]
    low, high = ordered(first, second)
    scored = _scored(_one_link(low, high), skip_decided=False)
    row = session.execute(select(scored)).first()
    reasons, warnings = _split(row) if row is not None else ([], [])
    sig = {s.record_id: s for s in session.scalars(select(DuplicateSignature)
                                                  .where(DuplicateSignature.record_id.in_([low, high])))}
    other_isbns = row is None and all(s.isbn_count for s in sig.values()) and len(sig) == 2
    return Comparison(left, right, rows, row.score if row is not None else None, reasons, warnings,
                      other_isbns, decision_for(session, low, high))

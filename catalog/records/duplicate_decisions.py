"""What a cataloguer decides about a pair in the duplicates queue: merge it (after seeing what moves)
or mark it "not duplicates" (a decision that sticks, and that a cataloguer or admin can withdraw).
Every decision is checked here (cataloguers and admins), kept in the audit trail, and safe when two
cataloguers act on the same pair at the same moment."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from catalog.audit import log_change
from catalog.digital.models import DigitalObject
from catalog.records.duplicates import NotDuplicate, live_pair, ordered
from catalog.errors import N_, ValidationError
from catalog.copies.items import Item
from catalog.records.merge import merge_records
from catalog.accounts.permissions import require_cataloguer
from catalog.records.models import Record, RecordIdentifier
from catalog.accounts.users import User


@dataclasses.dataclass
class MergePlan:
    """What merging `other` into `keep` does, for the confirmation page."""

    keep: Record
    other: Record
    copies: list[Item]
    objects: list[DigitalObject]
    identifiers: list[RecordIdentifier]  # stay on `other`, which redirects: imports find `keep`
    redirects: int  # records merged earlier into `other`, which will point to `keep`


def merge_plan(session: Session, actor: User, keep_id: int, other_id: int) -> MergePlan:
    """What a merge of `other_id` into `keep_id` would move (nothing is changed)."""
    require_cataloguer(actor)
    keep, other = live_pair(session, keep_id, other_id)
    copies = list(session.scalars(select(Item).where(Item.record_id == other.id).order_by(Item.barcode)))
    objects = list(session.scalars(select(DigitalObject).where(DigitalObject.record_id == other.id)
                                   .order_by(DigitalObject.id)))
    identifiers = sorted(other.identifiers, key=lambda i: (i.kind, i.value))
    redirects = session.scalar(select(func.count()).select_from(Record).where(Record.merged_into_id == other.id)) or 0
    return MergePlan(keep, other, copies, objects, identifiers, redirects)


def merge_pair(session: Session, actor: User, keep_id: int, other_id: int, *, now: dt.datetime) -> Record:
    """Merge record `other_id` into `keep_id` (catalog.records.merge.merge_records) and keep it in the audit
    trail. Of two merges of the same records at once, the second is refused: both must still be
    live once the first has committed."""
    require_cataloguer(actor)
    keep, other = live_pair(session, keep_id, other_id)
    # The first writes take the rows (PostgreSQL row locks, in id order; SQLite's write lock) and
    # see the latest committed state: a record merged meanwhile matches no more.
    claimed = sum(session.execute(update(Record).where(Record.id == rid, Record.deleted_at.is_(None))
                                  .values(updated_at=now).execution_options(synchronize_session=False)).rowcount
                  for rid in sorted((keep.id, other.id)))
    if claimed != 2:
        raise ValidationError(N_("Records {keep} and {other} were changed at the same moment (one was merged or "
                                 "withdrawn); reload the queue."), keep=keep_id, other=other_id)
    session.refresh(keep)
    session.refresh(other)
    barcodes = list(session.scalars(select(Item.barcode).where(Item.record_id == other.id).order_by(Item.barcode)))
    objects = list(session.scalars(select(DigitalObject.id).where(DigitalObject.record_id == other.id)))
    merge_records(session, keep, other, now)
    moved = {"copies": barcodes, "digital_objects": objects}
    log_change(session, actor, "record", other.id, "merge", {"merged_into_id": None},
               {"merged_into_id": keep.id, **moved}, now)
    log_change(session, actor, "record", keep.id, "merge", None, {"merged_from_id": other.id, **moved}, now)
    return keep


def mark_not_duplicates(session: Session, actor: User, first: int, second: int, *, now: dt.datetime,
                        note: str = "") -> tuple[NotDuplicate, bool]:
    """Decide that two records are different books; returns (the decision, whether this call made it).
    Two cataloguers marking the same pair at once make one decision, and neither gets an error."""
    require_cataloguer(actor)
    low, high = ordered(*(r.id for r in live_pair(session, first, second)))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    made = session.execute(
        insert(NotDuplicate).values(low_id=low, high_id=high, decided_by_id=actor.id,
                                    decided_by_name=actor.username, decided_at=now, note=note[:2000])
        .on_conflict_do_nothing(index_elements=["low_id", "high_id"]).returning(NotDuplicate.id)
    ).scalar()
    decision = session.scalar(select(NotDuplicate).where(NotDuplicate.low_id == low, NotDuplicate.high_id == high))
    if made is not None:
        for this, other in ((low, high), (high, low)):
            log_change(session, actor, "record", this, "not_duplicate", None, {"not_duplicate_of": other}, now,
                       note=note)
    return decision, made is not None


@dataclasses.dataclass
class DecisionPage:
    decisions: list[tuple[NotDuplicate, Record, Record]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def not_duplicate_decisions(session: Session, actor: User, *, page: int = 1, per_page: int = 20) -> DecisionPage:
    """The pairs marked not duplicates, newest decision first."""
    require_cataloguer(actor)
    total = session.scalar(select(func.count()).select_from(NotDuplicate)) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    decisions = list(session.scalars(select(NotDuplicate).order_by(NotDuplicate.decided_at.desc(),
                                                                     NotDuplicate.id.desc())
                                     .offset((page - 1) * per_page).limit(per_page)))
    ids = {rid for d in decisions for rid in (d.low_id, d.high_id)}
    records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(ids)))} if ids else {}
    return DecisionPage([(d, records[d.low_id], records[d.high_id]) for d in decisions], total, page, per_page)


def withdraw_not_duplicates(session: Session, actor: User, decision_id: int, *, now: dt.datetime) -> bool:
    """Withdraw a "not duplicates" decision: the pair may return to the queue. False when it was
    already withdrawn (by someone else a moment before)."""
    require_cataloguer(actor)
    gone = session.execute(delete(NotDuplicate).where(NotDuplicate.id == decision_id)
                           .returning(NotDuplicate.low_id, NotDuplicate.high_id)).first()
    if gone is None:
        return False
    for this, other in ((gone.low_id, gone.high_id), (gone.high_id, gone.low_id)):
        log_change(session, actor, "record", this, "not_duplicate_withdrawn", {"not_duplicate_of": other}, None, now)
    return True

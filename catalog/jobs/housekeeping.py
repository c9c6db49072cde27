"""Rules the server applies on a schedule (periodic tasks call these with a clock value).

Holds set aside and not collected by their expiry are expired and the copy goes to the next
reader waiting for the title at that library; old failed sign-in attempts are deleted."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.circulation.models import Hold, HoldStatus
from catalog.copies.items import ItemStatus
from catalog.circulation.lending import fill_hold, ready_hold
from catalog.accounts.sign_in import prune_sign_ins


@dataclasses.dataclass
class HoldExpiry:
    expired: list[int] = dataclasses.field(default_factory=list)  # hold ids
    passed_on: list[int] = dataclasses.field(default_factory=list)  # ids of the holds now ready


def expire_holds(session: Session, *, now: dt.datetime) -> HoldExpiry:
    """Expire the holds whose pickup time has passed; the copy is set aside for the next reader."""
    outcome = HoldExpiry()
    due = session.scalars(select(Hold).where(Hold.status == HoldStatus.READY, Hold.expires_at < now)
                          .order_by(Hold.expires_at, Hold.id)).all()
    for hold in due:
        item = hold.item
        outcome.expired.append(hold.id)
        if item is None:
            hold.status = HoldStatus.EXPIRED
            continue
        ready_hold(session, item, now)  # expires the hold and records the event, as at the desk
        if item.status != ItemStatus.AVAILABLE or not _someone_waits(session, item.record_id, item.current_library_id):
            continue
        outcome.passed_on.append(fill_hold(session, barcode=item.barcode, library=item.current_library, now=now,
                                           staff=None).id)  # the system, not a desk
    session.flush()
    return outcome


def _someone_waits(session: Session, record_id: int, library_id: int) -> bool:
    return session.scalar(select(Hold.id).where(Hold.record_id == record_id, Hold.library_id == library_id,
                                                Hold.status == HoldStatus.WAITING).limit(1)) is not None


def prune_sign_in_attempts(session: Session, *, now: dt.datetime, keep: dt.timedelta) -> int:
    """Delete failed sign-in attempts older than `keep` (successes stay, see catalog.accounts.sign_in)."""
    return prune_sign_ins(session, before=now - keep)

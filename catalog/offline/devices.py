"""Offline devices: enabling one for a library's desk (a librarian of that library or an admin),
revoking or extending it, and the data it downloads (the pack).

The pack holds only what the desk needs, in compact rows: the library's copies (held there, or on
their way there in a rotation batch), the readers registered there (and district-wide readers with
an open loan or hold there), open loans (as the copies' borrower and due date), open holds and the
loan rule per copy type, the rotation batches on their way there (to scan at their receipt) and, at a
batch's origin (the centre), the batches sent back to it (to check their copies in). No passwords,
e-mails or phones, and no other library's readers."""
from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog.audit import log_change
from catalog.circulation.models import OPEN_HOLD_STATUSES, Hold, Loan
from catalog.errors import N_, CatalogError, NotFound, PermissionDenied
from catalog.copies.items import Item, ItemStatus
from catalog.libraries import Library
from catalog.circulation.loan_rules import DEFAULT_RULE, loan_rule
from catalog.offline.models import OfflineDevice
from catalog.accounts.permissions import managed_library_ids, require_desk
from catalog.records.models import Record
from catalog.rotation.models import BatchStatus, ItemState, RotationBatch, RotationItem
from catalog.accounts.users import Role, User

DEFAULT_DAYS = 7
PACK_FORMAT = "hoclieu-offline-pack"
TITLE_LENGTH = 120


class DeviceNotUsable(CatalogError):
    """A device that may not sync: unknown, revoked or expired."""

    status = 403


def enable_device(session: Session, *, library: Library, staff: User, now: dt.datetime, days: int = DEFAULT_DAYS,
                  label: str = "") -> OfflineDevice:
    """Enable a device for one library's desk, for `days` days; its key is given once, now."""
    require_desk(session, staff, library.id)
    if staff.role not in (Role.ADMIN, Role.LIBRARIAN):
        raise PermissionDenied(N_("Only a librarian of the library or an admin can prepare a device for offline work."))
    device = OfflineDevice(uid=str(uuid.uuid4()), library=library, key=secrets.token_hex(32), enabled_by=staff,
                           enabled_at=now, expires_at=now + dt.timedelta(days=max(1, days)),
                           label=(label or "").strip()[:100])
    session.add(device)
    session.flush()
    log_change(session, staff, "offline_device", device.id, "enable", None,
               {"uid": device.uid, "library": library.code, "expires_at": device.expires_at}, now)
    return device


def get_device(session: Session, uid: str) -> OfflineDevice:
    """The device with this id, or NotFound."""
    device = session.scalar(select(OfflineDevice).where(OfflineDevice.uid == str(uid or "").strip()[:36]))
    if device is None:
        raise NotFound(N_("No offline device has the id {uid}: prepare the device again."), uid=str(uid)[:40])
    return device


def require_usable(session: Session, device: OfflineDevice, staff: User | None, now: dt.datetime) -> None:
    """Refuse a revoked or expired device, or a user who may not work its library's desk."""
    require_desk(session, staff, device.library_id)
    if device.revoked_at is not None:
        raise DeviceNotUsable(N_("Device {uid} was revoked on {when}: nothing from it is accepted any more. Prepare "
                                 "the device again."), uid=device.uid, when=device.revoked_at)
    if device.expires_at <= now:
        raise DeviceNotUsable(N_("Device {uid} expired on {when}: a librarian of {library} can extend it on the "
                                 "offline devices page, then sync again."), uid=device.uid, when=device.expires_at,
                              library=device.library.name)


def revoke_device(session: Session, device: OfflineDevice, *, staff: User, now: dt.datetime) -> OfflineDevice:
    """Stop a device from syncing (its data is useless without the server's trust)."""
    require_desk(session, staff, device.library_id)
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = now, staff
        log_change(session, staff, "offline_device", device.id, "revoke", None, {"uid": device.uid}, now)
    session.flush()
    return device


def extend_device(session: Session, device: OfflineDevice, *, staff: User, now: dt.datetime,
                  days: int = DEFAULT_DAYS) -> OfflineDevice:
    """Give a device (not revoked) `days` more days from now, so that its queue can sync."""
    require_desk(session, staff, device.library_id)
    if device.revoked_at is not None:
        raise DeviceNotUsable(N_("Device {uid} was revoked: it cannot be extended. Prepare a new one."), uid=device.uid)
    before = device.expires_at
    device.expires_at = now + dt.timedelta(days=max(1, days))
    log_change(session, staff, "offline_device", device.id, "extend", {"expires_at": before},
               {"expires_at": device.expires_at}, now)
    session.flush()
    return device


def list_devices(session: Session, staff: User, *, limit: int = 100) -> list[OfflineDevice]:
    """Devices of the libraries the staff member works, newest first."""
    stmt = select(OfflineDevice).order_by(OfflineDevice.enabled_at.desc(), OfflineDevice.id.desc()).limit(limit)
    managed = managed_library_ids(session, staff)
    if managed is not None:
        stmt = stmt.where(OfflineDevice.library_id.in_(managed or {0}))
    return list(session.scalars(stmt))


def _iso(value: dt.datetime | None) -> str:
    return value.replace(microsecond=0).isoformat() + "Z" if value is not None else ""


def _desk_items(session: Session, library_id: int) -> list[tuple[Item, str]]:
    """The copies this desk can meet: held here, or on their way here in a rotation batch (to a
    school, or sent back to its origin), with the batch's code."""
    held = session.scalars(select(Item).where(Item.current_library_id == library_id,
                                              Item.status != ItemStatus.WITHDRAWN).order_by(Item.id))
    batches = dict(session.execute(
        select(RotationItem.item_id, RotationBatch.code).join(RotationBatch, RotationItem.batch_id == RotationBatch.id)
        .where(RotationItem.is_open, or_(
            RotationBatch.status.in_((BatchStatus.DISPATCHED, BatchStatus.AT_SCHOOL))
            & (RotationBatch.destination_library_id == library_id),
            (RotationBatch.status == BatchStatus.RETURNING) & (RotationBatch.origin_library_id == library_id)))).all())
    rows = [(item, batches.get(item.id, "")) for item in held]
    seen = {item.id for item, _ in rows}
    missing = [item_id for item_id in batches if item_id not in seen]
    if missing:
        rows.extend((item, batches[item.id]) for item in session.scalars(select(Item).where(Item.id.in_(missing))))
    return rows


def build_pack(session: Session, device: OfflineDevice, *, staff: User, now: dt.datetime) -> dict:
    """What the device downloads for its library's desk, as compact JSON-ready rows."""
    require_usable(session, device, staff, now)
    library_id = device.library_id
    rows = _desk_items(session, library_id)
    item_ids = [item.id for item, _ in rows]
    loans = {loan.item_id: loan for loan in session.scalars(
        select(Loan).where(Loan.returned_at.is_(None), or_(Loan.item_id.in_(item_ids), Loan.library_id == library_id)))}
    holds = list(session.scalars(select(Hold).where(Hold.library_id == library_id,
                                                    Hold.status.in_(OPEN_HOLD_STATUSES))))
    reader_ids = {loan.reader_id for loan in loans.values()} | {hold.reader_id for hold in holds}
    readers = list(session.scalars(select(User).where(
        User.role == Role.READER, User.card_barcode.is_not(None),
        or_(User.library_id == library_id, (User.library_id.is_(None)) & User.id.in_(reader_ids or {0})))))
    cards = {reader.id: reader.card_barcode for reader in readers}
    record_ids = {item.record_id for item, _ in rows} | {hold.record_id for hold in holds}
    titles = dict(session.execute(select(Record.id, Record.title).where(Record.id.in_(record_ids or {0}))).all())
    title_index: dict[int, int] = {}
    title_list: list[str] = []

    def title_of(record_id: int) -> int:
        if record_id not in title_index:
            title_index[record_id] = len(title_list)
            title_list.append((titles.get(record_id) or "")[:TITLE_LENGTH])
        return title_index[record_id]

    copies = []
    for item, batch in rows:
        loan = loans.get(item.id)
        copies.append([item.barcode, title_of(item.record_id), item.item_type, item.status.value,
                       cards.get(loan.reader_id, "?") if loan else "", _iso(loan.due_at) if loan else "",
                       batch, 1 if item.current_library_id == library_id else 0])
    arriving = session.scalars(select(RotationBatch).where(RotationBatch.destination_library_id == library_id,
                                                           RotationBatch.status == BatchStatus.DISPATCHED)
                               .order_by(RotationBatch.id))
    returning = session.scalars(select(RotationBatch).where(RotationBatch.origin_library_id == library_id,
                                                            RotationBatch.status == BatchStatus.RETURNING,
                                                            RotationBatch.returned_at.is_(None))
                                .order_by(RotationBatch.id))
    types = sorted({item.item_type for item, _ in rows} | {"book"})
    rules = {name: list(dataclasses.astuple(loan_rule(session, library_id, name))) for name in types}
    library = device.library
    return {
        "format": PACK_FORMAT, "version": 1, "device": device.uid, "prepared_at": _iso(now),
        "expires_at": _iso(device.expires_at),
        "library": {"id": library.id, "code": library.code, "name": library.name},
        "staff": {"id": staff.id, "name": staff.display_name or staff.username, "username": staff.username},
        "rules": rules, "default_rule": list(DEFAULT_RULE), "titles": title_list,
        "copies_columns": ["barcode", "title", "type", "status", "card", "due", "batch", "here"],
        "copies": copies,
        "readers_columns": ["card", "name", "blocked", "reason"],
        "readers": [[r.card_barcode, r.display_name or r.username, 1 if r.is_blocked else 0,
                     (r.blocked_reason or "")[:200] if r.is_blocked else ""] for r in readers],
        "batches_columns": ["code", "from", "barcodes"],
        "batches": [[b.code, b.origin_library.name, [e.item.barcode for e in b.items if e.is_open]] for b in arriving],
        "returns_columns": ["code", "from", "barcodes"],
        "returns": [[b.code, b.destination_library.name, [e.item.barcode for e in b.items if e.is_open and e.state in
                                                          (ItemState.IN_TRANSIT, ItemState.MISSING)]]
                    for b in returning],
        "holds_columns": ["card", "title", "barcode", "status"],
        "holds": [[cards.get(h.reader_id, "?"), title_of(h.record_id), h.item.barcode if h.item else "",
                   h.status.value] for h in holds],
    }

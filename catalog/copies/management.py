"""Copies managed by staff: adding them with typed, scanned or generated barcodes, changing
status and location one by one or in bulk. Checked against the actor's libraries and audited.

Who may change a copy: an admin; a librarian whose library (or a point under it) is the copy's
home; a cataloguer for copies of their own library (cataloguers at the centre add the copies
of what they catalogue)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import string

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.audit import log_change, snapshot
from catalog.errors import N_, CatalogError, ItemNotFound, PermissionDenied, ValidationError
from catalog.copies.items import Item, ItemStatus, add_item, get_item_by_barcode, normalise_barcode
from catalog.libraries import Library, get_library
from catalog.accounts.permissions import can_manage_library
from catalog.records.models import Record, mark_stale
from catalog.text import normalise
from catalog.accounts.users import Role, User

ITEM_FIELDS = ("barcode", "record_id", "home_library_id", "current_library_id", "status", "call_number",
               "item_type", "notes")
# Circulation and rotation own these states; staff set them through a loan or a batch.
MANUAL_STATUSES = (ItemStatus.AVAILABLE, ItemStatus.DAMAGED, ItemStatus.LOST, ItemStatus.WITHDRAWN)
MAX_COPIES_AT_ONCE = 200


def can_manage_copies(session: Session, user: User, library_id: int | None) -> bool:
    """True when the user may add or change copies whose home is this library."""
    if user.role == Role.CATALOGUER:
        return library_id is not None and library_id == user.library_id
    return can_manage_library(session, user, library_id)


def require_copies(session: Session, user: User, library_id: int | None) -> None:
    """Raise PermissionDenied unless the user may change copies of this library."""
    if not can_manage_copies(session, user, library_id):
        raise PermissionDenied(N_("You can only change copies of your own library."), field="library_id")


def copy_libraries(session: Session, user: User, libraries: list[Library]) -> list[Library]:
    """The libraries whose copies the user may change, from `libraries`."""
    return [library for library in libraries if can_manage_copies(session, user, library.id)]


def generate_barcode(session: Session, library: Library, pattern: str, *, taken: set[str] = frozenset()) -> str:
    """The next free barcode in the pattern, e.g. "{library}{seq:06d}" gives "TTVH000124".

    The sequence starts after the highest number already used with the same prefix."""
    fields = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name}
    if "seq" not in fields or not fields <= {"library", "seq"}:
        raise ValidationError(N_("The barcode pattern {pattern} needs {{seq}} and may use {{library}}."),
                              pattern=pattern, field="barcode")
    code = library.code.replace("-", "")
    prefix = normalise_barcode(pattern.split("{seq")[0].format(library=code))
    used = session.scalars(select(Item.barcode).where(Item.barcode.startswith(prefix))) if prefix else []
    numbers = [int(b[len(prefix):]) for b in used if b[len(prefix):].isdigit()]
    seq = max(numbers, default=0) + 1
    while True:
        barcode = normalise_barcode(pattern.format(library=code, seq=seq))
        if barcode not in taken and session.scalar(select(Item.id).where(Item.barcode == barcode)) is None:
            return barcode
        seq += 1


def add_copies(
    session: Session,
    actor: User,
    record: Record,
    *,
    library_id: int,
    barcodes: list[str],
    generate: int = 0,
    pattern: str = "{library}{seq:06d}",
    call_number: str = "",
    item_type: str = "book",
    now: dt.datetime,
) -> list[Item]:
    """Add copies with the barcodes given (typed or scanned, one a line) and `generate` more."""
    require_copies(session, actor, library_id)
    library = get_library(session, library_id)
    if record.is_deleted:
        raise ValidationError(N_("Record {record_id} is deleted; it cannot get copies."), record_id=record.id)
    codes = [normalise_barcode(b) for b in barcodes if normalise_barcode(b)]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValidationError(N_("Barcode {barcode} is listed twice."), barcode=repeated[0], field="barcodes")
    if not 0 <= generate <= MAX_COPIES_AT_ONCE or len(codes) + generate > MAX_COPIES_AT_ONCE:
        raise ValidationError(N_("Add at most {count} copies at once."), count=MAX_COPIES_AT_ONCE, field="generate")
    if not codes and not generate:
        raise ValidationError(N_("Type or scan at least one barcode, or ask for generated ones."), field="barcodes")
    for _ in range(generate):
        codes.append(generate_barcode(session, library, pattern, taken=set(codes)))
    items = []
    for code in codes:
        item = add_item(session, record, barcode=code, library=library, call_number=call_number,
                        item_type=item_type, now=now)
        log_change(session, actor, "item", item.id, "create", None, snapshot(item, ITEM_FIELDS), now)
        items.append(item)
    return items


def get_copy(session: Session, item_id: int) -> Item:
    """The copy with this id, or ItemNotFound."""
    item = session.get(Item, item_id)
    if item is None:
        raise ItemNotFound(N_("No copy with id {item_id}."), item_id=item_id)
    return item


def update_copy(
    session: Session,
    actor: User,
    item: Item,
    *,
    status: str | None = None,
    location_id: int | None = None,
    call_number: str | None = None,
    notes: str | None = None,
    now: dt.datetime,
) -> Item:
    """Change a copy's status, where it is, call number or notes (manual statuses only)."""
    require_copies(session, actor, item.home_library_id)
    before = snapshot(item, ITEM_FIELDS)
    if status is not None and _status(status) != item.status:
        _check_manual_status(item, status)
        item.status = ItemStatus(status)
    if location_id is not None and location_id != item.current_library_id:
        require_copies(session, actor, location_id)
        item.current_library = get_library(session, location_id)
    if call_number is not None:
        item.call_number = normalise(call_number)
    if notes is not None:
        item.notes = normalise(notes)
    session.flush()
    after = snapshot(item, ITEM_FIELDS)
    if after != before:
        item.updated_at = now
        mark_stale(item.record, now=now)
        log_change(session, actor, "item", item.id, "update", before, after, now)
    return item


def _status(status: str) -> ItemStatus:
    try:
        return ItemStatus(status)
    except ValueError:
        raise ValidationError(N_("Unknown status {status}."), status=status, field="status") from None


def _check_manual_status(item: Item, status: str) -> None:
    wanted = _status(status)
    if wanted not in MANUAL_STATUSES:
        raise ValidationError(N_("Status {status} is set by circulation or rotation, not by hand."),
                              status=wanted.value, field="status")
    if item.status in (ItemStatus.ON_LOAN, ItemStatus.IN_ROTATION, ItemStatus.IN_TRANSIT):
        raise ValidationError(N_("Copy {barcode} is {status}; return it first."), barcode=item.barcode,
                              status=item.status.value, field="status")


@dataclasses.dataclass
class BulkResult:
    changed: list[Item]
    refused: list[tuple[str, CatalogError]]


def parse_barcodes(text: str) -> list[str]:
    """Barcodes from a scanned list: one per line (or separated by spaces/commas), duplicates once."""
    codes = [normalise_barcode(part) for part in text.replace(",", " ").split()]
    return list(dict.fromkeys(code for code in codes if code))


def bulk_update(
    session: Session,
    actor: User,
    barcodes: list[str],
    *,
    status: str | None = None,
    location_id: int | None = None,
    now: dt.datetime,
) -> BulkResult:
    """Apply one status and/or location to every listed copy; each refusal is kept with its reason."""
    if status is None and location_id is None:
        raise ValidationError(N_("Choose a status or a location to apply."), field="status")
    if status is not None:
        _status(status)
    if location_id is not None:
        require_copies(session, actor, location_id)
    result = BulkResult([], [])
    for code in barcodes:
        try:
            item = get_item_by_barcode(session, code)
            require_copies(session, actor, item.home_library_id)
            if status is not None and ItemStatus(status) != item.status:
                _check_manual_status(item, status)
        except CatalogError as error:
            result.refused.append((code, error))
            continue
        result.changed.append(update_copy(session, actor, item, status=status, location_id=location_id, now=now))
    return result

"""Physical copies (items): barcode, home and current library, status."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Numeric, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from catalog.db import Base, string_enum, utcnow
from catalog.errors import N_, DuplicateBarcode, ItemNotFound, ValidationError
from catalog.libraries import Library
from catalog.records.models import Record, mark_stale
from catalog.text import normalise


class ItemStatus(str, enum.Enum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    IN_TRANSIT = "in_transit"
    IN_ROTATION = "in_rotation"
    LOST = "lost"
    DAMAGED = "damaged"
    WITHDRAWN = "withdrawn"


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), index=True)
    home_library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    current_library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ItemStatus] = mapped_column(
        string_enum(ItemStatus, 32),
        default=ItemStatus.AVAILABLE,
        index=True,
    )
    item_type: Mapped[str] = mapped_column(String(32), default="book")
    call_number: Mapped[str] = mapped_column(String(255), default="")
    acquired_on: Mapped[dt.date | None] = mapped_column(Date)
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    record: Mapped[Record] = relationship(back_populates="items")
    home_library: Mapped[Library] = relationship(foreign_keys=[home_library_id])
    current_library: Mapped[Library] = relationship(foreign_keys=[current_library_id])

    def __repr__(self) -> str:
        return f"<Item {self.barcode}>"


def normalise_barcode(barcode: str) -> str:
    """Barcodes are compared trimmed and upper-cased (scanners and hand typing differ)."""
    return normalise(barcode).strip().upper()


def get_item_by_barcode(session: Session, barcode: str) -> Item:
    """The copy with this barcode, or ItemNotFound naming it."""
    code = normalise_barcode(barcode)
    item = session.scalar(select(Item).where(Item.barcode == code))
    if item is None:
        raise ItemNotFound(N_("No copy has the barcode {code}."), code=code, field="barcode")
    return item


def add_item(
    session: Session,
    record: Record,
    *,
    barcode: str,
    library: Library,
    call_number: str = "",
    item_type: str = "book",
    acquired_on: dt.date | None = None,
    price: Decimal | None = None,
    notes: str = "",
    status: ItemStatus = ItemStatus.AVAILABLE,
    now: dt.datetime | None = None,
) -> Item:
    """Add a copy of a record to a library; refuses an empty or duplicate barcode."""
    code = normalise_barcode(barcode)
    if not code:
        raise ValidationError(N_("A copy needs a barcode."), field="barcode")
    holder = session.scalar(select(Item).where(Item.barcode == code))
    if holder is not None:
        raise DuplicateBarcode(
            N_("Barcode {barcode} already belongs to a copy of “{title}” (record {record_id})."),
            barcode=code, title=holder.record.title, record_id=holder.record_id, field="barcode",
        )
    now = now or utcnow()
    item = Item(
        barcode=code,
        record=record,
        home_library=library,
        current_library=library,
        call_number=normalise(call_number) or record.call_number,
        item_type=item_type,
        acquired_on=acquired_on,
        price=price,
        notes=normalise(notes),
        status=status,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    mark_stale(record, now=now)
    session.flush()
    return item


def set_item_status(
    session: Session, item: Item, status: ItemStatus, *, library: Library | None = None, now: dt.datetime | None = None
) -> Item:
    """Change a copy's status (and where it is); the record's availability is re-indexed."""
    now = now or utcnow()
    item.status = ItemStatus(status)
    if library is not None:
        item.current_library = library
    item.updated_at = now
    mark_stale(item.record, now=now)
    return item

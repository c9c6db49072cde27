"""A record as the public record page and /api/records/ID show it: fields, copies per library,
digital objects; merged records lead to their survivor."""
from __future__ import annotations

import dataclasses
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.digital.models import DigitalObject
from catalog.copies.items import Item
from catalog.libraries import Library
from catalog.records.models import DRAFT_FIELDS, Record, get_record


@dataclasses.dataclass
class RecordDetail:
    record: Record
    merged_into_id: int | None
    copies_by_library: list[tuple[Library, list[Item]]]
    digital_objects: list[DigitalObject]

    @property
    def objects_with_pages(self) -> list[DigitalObject]:
        """The digital objects the record page offers to read (those with pages)."""
        return [obj for obj in self.digital_objects if obj.page_count]

    def as_json(self) -> dict:
        record = self.record
        out = {"id": record.id, **{name: getattr(record, name) for name in DRAFT_FIELDS}}
        out["type"] = record.record_type
        out["updated_at"] = record.updated_at.isoformat() if record.updated_at else None
        out["items"] = [
            {"barcode": item.barcode, "library": library.code, "library_name": library.name,
             "home_library": item.home_library.code, "status": item.status.value,
             "call_number": item.call_number}
            for library, items in self.copies_by_library for item in items
        ]
        out["digital_objects"] = [
            {"id": obj.id, "label": obj.label, "licence": obj.licence, "page_count": obj.page_count,
             "source_kind": obj.source_kind}
            for obj in self.digital_objects
        ]
        return out


def survivor_id(session: Session, record: Record) -> int | None:
    """The record a merged record finally points to (following chains, stopping at loops)."""
    seen = {record.id}
    current = record
    while current.merged_into_id and current.merged_into_id not in seen:
        seen.add(current.merged_into_id)
        nxt = session.get(Record, current.merged_into_id)
        if nxt is None:
            break
        current = nxt
    return current.id if current.id != record.id else None


def record_detail_data(session: Session, record_id: int) -> RecordDetail:
    """Everything the record page shows; RecordNotFound for an unknown id."""
    record = get_record(session, record_id, include_deleted=True)
    merged = survivor_id(session, record) if record.merged_into_id else None
    by_library: OrderedDict[int, tuple[Library, list[Item]]] = OrderedDict()
    items = record.items  # the relationship itself: the page's availability table reads it again, unqueried
    for item in sorted(items, key=lambda i: (i.current_library.name, i.barcode)):
        by_library.setdefault(item.current_library_id, (item.current_library, []))[1].append(item)
    objects = session.scalars(
        select(DigitalObject).where(DigitalObject.record_id == record.id).order_by(DigitalObject.id)
    ).all()
    return RecordDetail(record=record, merged_into_id=merged, copies_by_library=list(by_library.values()),
                        digital_objects=list(objects))

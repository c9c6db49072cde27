"""Copies from holdings fields: MARC 852 and Koha's 952 ($p barcode, $a home branch, $b current
branch, $o call number, $y item type). A copy needs a barcode; unknown library codes fall back to
the import's --library, or are reported."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pymarc
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import N_
from catalog.copies.items import Item, ItemStatus, normalise_barcode
from catalog.libraries import Library
from catalog.records.models import Record, mark_stale
from catalog.text import normalise
from ingest.marc.reader import Problem


@dataclasses.dataclass
class Holdings:
    tag: str
    barcode: str
    home: str
    current: str
    call_number: str


def holdings_of(record: pymarc.Record) -> list[Holdings]:
    """Holdings fields of a record, in order."""
    found = []
    for field in record.get_fields("952"):
        found.append(Holdings("952", field.get("p") or "", (field.get("a") or "").strip(),
                              (field.get("b") or "").strip(), (field.get("o") or "").strip()))
    for field in record.get_fields("852"):
        call = " ".join(v.strip() for v in field.get_subfields("h", "i") if v.strip())
        code = (field.get("b") or field.get("a") or "").strip()
        found.append(Holdings("852", field.get("p") or "", code, code, call))
    return found


def add_holdings(session: Session, entries: list[tuple[Record, list[Holdings]]], libraries: dict[str, Library], *,
                 default_code: str | None, now: dt.datetime) -> tuple[list[int], list[list[Problem]]]:
    """Create the copies the records' holdings describe (one barcode query for the whole batch,
    the same rules as catalog.copies.items.add_item); returns (copies made, problems), per entry."""
    codes = {normalise_barcode(h.barcode) for _r, holdings in entries for h in holdings}
    codes.discard("")
    existing: dict[str, int] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):
        existing.update(session.execute(
            select(Item.barcode, Item.record_id).where(Item.barcode.in_(ordered[start:start + 500]))).all())
    made, notes = [], []
    for record, holdings in entries:
        record_notes: list[Problem] = []
        count = 0
        for holding in holdings:
            item = _holding_item(record, holding, libraries, existing, default_code, now, record_notes)
            if item is not None:
                session.add(item)
                existing[item.barcode] = record.id
                count += 1
        made.append(count)
        notes.append(record_notes)
    return made, notes


def _holding_item(record: Record, holding: Holdings, libraries: dict[str, Library], existing: dict[str, int],
                  default_code: str | None, now: dt.datetime, notes: list[Problem]) -> Item | None:
    barcode = normalise_barcode(holding.barcode)
    if not barcode:
        notes.append(Problem(N_("Holdings field {tag} has no barcode ($p); no copy was created."), {"tag": holding.tag}))
        return None
    if len(barcode) > 64:
        notes.append(Problem(N_("Barcode {barcode} is longer than 64 characters; no copy was created."),
                             {"barcode": barcode[:80]}))
        return None
    if barcode in existing:
        if existing[barcode] != record.id:
            notes.append(Problem(N_("Barcode {barcode} already belongs to record {record_id}; no copy was created."),
                                 {"barcode": barcode, "record_id": existing[barcode]}))
        return None
    home = libraries.get(holding.home.upper()) if holding.home else None
    if home is None:
        fallback = libraries.get(default_code or "")
        if holding.home:
            notes.append(Problem(
                N_("Unknown library code {code} in field {tag} (barcode {barcode}); the copy was put in {library}.")
                if fallback else N_("Unknown library code {code} in field {tag} (barcode {barcode}); no copy was created."),
                {"code": holding.home, "tag": holding.tag, "barcode": barcode, "library": fallback.code if fallback else ""}))
        elif fallback is None:
            notes.append(Problem(N_("Holdings field {tag} (barcode {barcode}) names no library and no --library "
                                    "was given; no copy was created."), {"tag": holding.tag, "barcode": barcode}))
        home = fallback
    if home is None:
        return None
    current = libraries.get(holding.current.upper()) if holding.current else None
    if isinstance(record, Record):  # a record created by this import is stale already
        mark_stale(record, now=now)
    return Item(barcode=barcode, record_id=record.id, home_library=home, current_library=current or home,
                call_number=normalise(holding.call_number)[:255] or record.call_number, status=ItemStatus.AVAILABLE,
                created_at=now, updated_at=now)

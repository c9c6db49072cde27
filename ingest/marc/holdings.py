"""Copies from holdings fields: MARC 852 and Koha's 952 ($p barcode, $a home branch, $b current
branch, $o call number, $y item type). A copy needs a barcode; unknown library codes fall back to
the import's --library, or are reported."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pymarc
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import N_, CatalogError
from catalog.items import Item, add_item, normalise_barcode
from catalog.libraries import Library
from catalog.records import Record
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


def add_holdings(session: Session, record: Record, holdings: list[Holdings], libraries: dict[str, Library], *,
                 default_code: str | None, now: dt.datetime) -> tuple[int, list[Problem]]:
    """Create the copies a record's holdings describe; returns (copies made, problems to report)."""
    notes: list[Problem] = []
    made = 0
    codes = [normalise_barcode(h.barcode) for h in holdings]
    existing = dict(session.execute(select(Item.barcode, Item.record_id).where(Item.barcode.in_([c for c in codes if c]))).all())
    for holding, barcode in zip(holdings, codes):
        if not barcode:
            notes.append(Problem(N_("Holdings field {tag} has no barcode ($p); no copy was created."), {"tag": holding.tag}))
            continue
        if len(barcode) > 64:
            notes.append(Problem(N_("Barcode {barcode} is longer than 64 characters; no copy was created."),
                                 {"barcode": barcode[:80]}))
            continue
        if barcode in existing:
            if existing[barcode] != record.id:
                notes.append(Problem(N_("Barcode {barcode} already belongs to record {record_id}; no copy was created."),
                                     {"barcode": barcode, "record_id": existing[barcode]}))
            continue
        home = libraries.get(holding.home.upper()) if holding.home else None
        if home is None:
            fallback = libraries.get(default_code or "")
            if holding.home:
                notes.append(Problem(
                    N_("Unknown library code {code} in field {tag} (barcode {barcode}); the copy was put in {library}.")
                    if fallback else N_("Unknown library code {code} in field {tag} (barcode {barcode}); no copy was created."),
                    {"code": holding.home, "tag": holding.tag, "barcode": barcode,
                     "library": fallback.code if fallback else ""}))
            elif fallback is None:
                notes.append(Problem(N_("Holdings field {tag} (barcode {barcode}) names no library and no --library "
                                        "was given; no copy was created."), {"tag": holding.tag, "barcode": barcode}))
            home = fallback
        if home is None:
            continue
        try:
            item = add_item(session, record, barcode=barcode, library=home, call_number=holding.call_number[:255], now=now)
        except CatalogError as exc:
            notes.append(Problem(exc.template, exc.params))
            continue
        current = libraries.get(holding.current.upper()) if holding.current else None
        if current is not None and current is not home:
            item.current_library = current
        existing[barcode] = record.id
        made += 1
    return made, notes

"""Export: records as ISO 2709 (UTF-8) or MARCXML, from the stored MARC (or built from the fields
when a record has none, e.g. one typed in by hand)."""
from __future__ import annotations

from typing import BinaryIO, Callable, Iterator
from xml.etree import ElementTree

import pymarc
from pymarc.marcxml import record_to_xml_node
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.records.models import Record
from ingest.marc.marcjson import marc_json_to_record
from ingest.marc.slim import slim_record
from ingest.marc.writeback import write_draft

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
FORMATS = ("marc", "marcxml")


def record_marc(record: Record) -> dict:
    """The record's MARC-in-JSON: the stored one, or one written from its fields."""
    return record.marc if record.marc else write_draft(record.draft())


def to_iso2709(record: pymarc.Record) -> bytes:
    """UTF-8 ISO 2709. Lengths that do not fit the format (a field over 9,999 bytes, a record
    over 99,999) are capped, as other systems do; readers that follow terminators still read it."""
    directory, body, offset = [], [], 0
    for field in record.fields:
        data = field.as_marc("utf-8")
        directory.append(f"{field.tag:>03}{min(len(data), 9999):04d}{min(offset, 99999):05d}".encode("ascii"))
        body.append(data)
        offset += len(data)
    head = b"".join(directory) + b"\x1e"
    base = 24 + len(head)
    length = base + offset + 1
    leader = str(record.leader)
    leader = f"{min(length, 99999):05d}{leader[5:9]}a22{min(base, 99999):05d}{leader[17:20]}4500"
    return leader.encode("ascii") + head + b"".join(body) + b"\x1d"


def to_marcxml(record: pymarc.Record, repairs: list[str] | None = None) -> bytes:
    """One <record> element (no namespace prefix; the enclosing collection declares it), valid
    MARC21slim: what the schema refuses is repaired (ingest/marc/slim.py), each repair added to
    `repairs` when given."""
    record, made = slim_record(record)
    if repairs is not None:
        repairs += made
    return ElementTree.tostring(record_to_xml_node(record, quiet=True), encoding="utf-8").split(b"?>", 1)[-1].strip()


def _comment(repairs: list[str]) -> bytes:
    """An XML comment naming the repairs (no "--" inside, as XML requires)."""
    text = "; ".join(repairs).replace("--", "- -")
    return f"<!-- Repaired for MARC21slim: {text} -->\n".encode("utf-8")


def record_bytes(record: Record, fmt: str) -> bytes:
    """One record as a whole file: .mrc bytes, or a MARCXML document."""
    marc = marc_json_to_record(record_marc(record))
    if fmt == "marc":
        return to_iso2709(marc)
    repairs: list[str] = []
    element = to_marcxml(marc, repairs)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="' + MARCXML_NS.encode() + b'">\n'
            + (_comment(repairs) if repairs else b"") + element + b"\n</collection>\n")


def live_records(session: Session, *, batch: int = 500) -> Iterator[Record]:
    """Every live record in id order, loaded in batches (memory stays flat)."""
    last = 0
    while True:
        rows = session.scalars(
            select(Record).where(Record.deleted_at.is_(None), Record.id > last).order_by(Record.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def export_records(session: Session, out: BinaryIO, fmt: str = "marc",
                   warn: Callable[[int, list[str]], None] | None = None) -> int:
    """Write every live record to `out`; returns how many. For MARCXML, `warn(record id, repairs)`
    hears of each record repaired to pass MARC21slim (the repairs are also an XML comment)."""
    count = 0
    if fmt == "marcxml":
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="' + MARCXML_NS.encode() + b'">\n')
    for record in live_records(session):
        marc = marc_json_to_record(record_marc(record))
        if fmt == "marc":
            out.write(to_iso2709(marc))
        else:
            repairs: list[str] = []
            element = to_marcxml(marc, repairs)
            if repairs and warn:
                warn(record.id, repairs)
            out.write((_comment(repairs) if repairs else b"") + element + b"\n")
        count += 1
    if fmt == "marcxml":
        out.write(b"</collection>\n")
    return count


def fill_missing_marc(session: Session, *, batch: int = 500) -> int:
    """Give every record without stored MARC one written from its fields (demo data, old rows)."""
    done, last = 0, 0
    while True:
        rows = session.scalars(select(Record).where(Record.id > last).order_by(Record.id).limit(batch)).all()
        if not rows:
            return done
        for record in rows:
            if not record.marc:
                record.marc = write_draft(record.draft())
                done += 1
        session.flush()
        last = rows[-1].id

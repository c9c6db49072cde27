"""What MARCXML must be to pass the Library of Congress MARC21slim schema, and the repairs that
make a stored record so on its way out (the stored record itself stays as it came).

The schema (tests/data/MARC21slim.xsd) wants: a leader of the pattern below; control fields
(00X) before data fields; indicators of a digit, a lower-case letter or a blank; at least one
subfield in a data field; subfield codes from its list. Real records break each of these.
"""
from __future__ import annotations

import re

import pymarc
from pymarc import Field, Indicators, Subfield

from ingest.marc.reader import SUBFIELD_CODES

_LEADER = re.compile(r"[\d ]{5}[\dA-Za-z ][\dA-Za-z][\dA-Za-z ]{3}[2 ][2 ][\d ]{5}[\dA-Za-z ]{3}(4500|    )")
_INDICATOR = re.compile(r"[\da-z ]")
_DATA_TAG = re.compile(r"0[1-9A-Z][0-9A-Z]|0[1-9a-z][0-9a-z]|[1-9A-Z][0-9A-Z]{2}|[1-9a-z][0-9a-z]{2}")
_CONTROL_TAG = re.compile(r"00[1-9A-Za-z]")


def slim_leader(leader: str) -> tuple[str, list[str]]:
    """The leader with each character the schema refuses replaced (a blank; 'a' at LDR/06)."""
    leader = (str(leader) + " " * 24)[:24]
    if _LEADER.fullmatch(leader):
        return leader, []
    chars, changed = list(leader), []
    for position in range(24):
        if position < 5 or 12 <= position < 17:
            allowed, fill = "0123456789 ", "0"
        elif position == 6:
            allowed, fill = None, "a"
        elif position in (10, 11):
            allowed, fill = "2 ", "2"
        elif position >= 20:
            allowed, fill = "4500"[position - 20], "4500"[position - 20]
        else:
            allowed, fill = None, " "
        ch = chars[position]
        ok = (ch in allowed) if allowed is not None else (ch.isascii() and (ch.isalnum() or (ch == " " and position != 6)))
        if not ok:
            chars[position] = fill
            changed.append(f"LDR/{position:02d} {ch!r} -> {fill!r}")
    return "".join(chars), [f"leader: {', '.join(changed)}"] if changed else []


def _data_field(field: Field, repairs: list[str]) -> Field | None:
    indicators = []
    for number, value in enumerate((field.indicator1, field.indicator2), start=1):
        value = (value or " ")[:1]
        if not _INDICATOR.fullmatch(value):
            repairs.append(f"{field.tag}: indicator {number} {value!r} -> ' '")
            value = " "
        indicators.append(value)
    subfields = []
    for subfield in field.subfields:
        code = (subfield.code or "")[:1]
        if code not in SUBFIELD_CODES:
            repairs.append(f"{field.tag}: subfield code {subfield.code!r} -> '?'")
            code = "?"
        subfields.append(Subfield(code, subfield.value or ""))
    if not subfields:
        repairs.append(f"{field.tag}: a data field without subfields was left out")
        return None
    return Field(tag=field.tag, indicators=Indicators(*indicators), subfields=subfields)


def slim_record(record: pymarc.Record) -> tuple[pymarc.Record, list[str]]:
    """A copy of the record that MARC21slim accepts, and the repairs made (empty when none)."""
    leader, repairs = slim_leader(str(record.leader))
    controls, data = [], []
    seen_data = False
    for field in record.fields:
        if field.control_field:
            if not _CONTROL_TAG.fullmatch(field.tag):
                repairs.append(f"{field.tag}: a control field with a tag the schema refuses was left out")
                continue
            if seen_data and not any("control fields moved" in r for r in repairs):
                repairs.append("control fields moved before the data fields")
            controls.append(Field(tag=field.tag, data=field.data or ""))
        else:
            seen_data = True
            if not _DATA_TAG.fullmatch(field.tag):
                repairs.append(f"{field.tag}: a data field with a tag the schema refuses was left out")
                continue
            repaired = _data_field(field, repairs)
            if repaired is not None:
                data.append(repaired)
    slim = pymarc.Record(leader=leader, force_utf8=True)
    slim.fields = controls + data
    return slim, repairs


def slim_marc_json(marc: dict) -> dict:
    """MARC-in-JSON as slim_record would write it (the same repairs, without pymarc objects; quick
    when nothing needs repairing, as for most records)."""
    leader, _repairs = slim_leader(marc.get("leader") or "")
    controls, data = [], []
    for entry in marc.get("fields", []):
        for tag, value in entry.items():
            if not isinstance(value, dict):
                if _CONTROL_TAG.fullmatch(tag):
                    controls.append(entry)
                continue
            if not _DATA_TAG.fullmatch(tag) or not value.get("subfields"):
                continue
            ind1, ind2 = value.get("ind1") or " ", value.get("ind2") or " "
            subfields = value["subfields"]
            if not (_INDICATOR.fullmatch(ind1) and _INDICATOR.fullmatch(ind2)
                    and all(code in SUBFIELD_CODES for sub in subfields for code in sub)):
                subfields = [{(code if code in SUBFIELD_CODES else "?"): text} for sub in subfields
                             for code, text in sub.items()]
                entry = {tag: {"ind1": ind1 if _INDICATOR.fullmatch(ind1) else " ",
                               "ind2": ind2 if _INDICATOR.fullmatch(ind2) else " ", "subfields": subfields}}
            data.append(entry)
    return {"leader": leader, "fields": controls + data}

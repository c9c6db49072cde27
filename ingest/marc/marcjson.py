"""MARC-in-JSON (pymarc's as_dict() shape) <-> pymarc.Record, always UTF-8 (leader/09 'a') and NFC."""
from __future__ import annotations

import unicodedata

import pymarc
from pymarc import Field, Indicators, Subfield

DEFAULT_LEADER = "00000nam a2200000 i 4500"


def _nfc(text: str) -> str:
    if not text or text.isascii() or unicodedata.is_normalized("NFC", text):
        return text or ""
    return unicodedata.normalize("NFC", text)


def clean_leader(leader: str | None) -> str:
    """A 24-character ASCII leader with LDR/09 'a' (the stored text is Unicode)."""
    text = "".join(ch if " " <= ch <= "~" else " " for ch in str(leader or ""))
    text = (text + DEFAULT_LEADER[len(text):])[:24] if len(text) < 24 else text[:24]
    # Record length and base address are recomputed on export (stored as zeros so that the same
    # record always stores the same way); indicator/subfield counts and the entry map are fixed.
    return "00000" + text[5:9] + "a" + "22" + "00000" + text[17:20] + "4500"


def record_to_marc_json(record: pymarc.Record) -> dict:
    """The record as MARC-in-JSON: {"leader": ..., "fields": [{"001": "..."}, {"245": {...}}]}, NFC."""
    fields: list[dict] = []
    for field in record.fields:
        if field.control_field:
            fields.append({field.tag: _nfc(field.data or "")})
        else:
            fields.append({field.tag: {
                "ind1": _indicator(field.indicator1),
                "ind2": _indicator(field.indicator2),
                "subfields": [{s.code: _nfc(s.value or "")} for s in field.subfields],
            }})
    return {"leader": clean_leader(str(record.leader)), "fields": fields}


def _indicator(value: str | None) -> str:
    value = (value or " ")[:1]
    return value if " " <= value <= "~" else " "


def marc_json_to_record(data: dict) -> pymarc.Record:
    """A pymarc.Record from MARC-in-JSON (the stored form), ready to write as UTF-8 MARC or MARCXML."""
    fields: list[Field] = []
    for entry in data.get("fields", []):
        for tag, value in entry.items():
            if isinstance(value, dict):
                fields.append(Field(
                    tag=tag,
                    indicators=Indicators(value.get("ind1", " ") or " ", value.get("ind2", " ") or " "),
                    subfields=[Subfield(code, text) for sub in value.get("subfields", []) for code, text in sub.items()],
                ))
            else:
                fields.append(Field(tag=tag, data=value))
    record = pymarc.Record(leader=clean_leader(data.get("leader")), force_utf8=True)
    record.fields = fields
    return record


def is_control_tag(tag: str) -> bool:
    """Tags 001-009 hold data, not subfields (as pymarc and ruby-marc treat them)."""
    return tag < "010" and tag.isdigit()

"""RecordDraft -> MARC-in-JSON: what a cataloguing form changed is written into the record's MARC.

Lossless by construction: a group of fields (245, the names, the 6XX ...) is only rewritten when the
draft's value for it differs from what the base MARC maps to; inside list groups a field whose value
the draft still holds is kept as it was (with its indicators, $d dates, $0 links, $2 sources).
"""
from __future__ import annotations

from typing import Callable

import pymarc
from pymarc import Field, Indicators, Subfield

from catalog.records.models import RecordDraft
from ingest.marc import mapping
from ingest.marc.isbn import find_isbn, find_issn
from ingest.marc.marcjson import DEFAULT_LEADER, marc_json_to_record, record_to_marc_json

_TYPE_CODES = {
    "book": "am", "serial": "as", "map": "em", "music": "cm", "sound": "im", "video": "gm", "image": "km",
    "kit": "om", "manuscript": "tm", "computer_file": "mm", "mixed": "pm", "other": "rm",
}
_EMPTY_008 = "      s    " + "    vm " + " " * 17 + "vie d"


def _insert(record: pymarc.Record, field: Field) -> None:
    """Insert in tag order (after the last field with the same or a smaller tag)."""
    index = len(record.fields)
    for position, existing in enumerate(record.fields):
        if existing.tag > field.tag:
            index = position
            break
    record.fields.insert(index, field)


def _data_field(tag: str, ind: str, pairs: list[tuple[str, str]]) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=[Subfield(c, v) for c, v in pairs if v])


def _set_control(record: pymarc.Record, tag: str, value: str) -> None:
    for field in record.get_fields(tag):
        record.remove_field(field)
    if value:
        _insert(record, Field(tag=tag, data=value))


def _replace(record: pymarc.Record, tags: tuple[str, ...], field: Field | None) -> None:
    for old in record.get_fields(*tags):
        record.remove_field(old)
    if field is not None and field.subfields:
        _insert(record, field)


def _sync_list(record: pymarc.Record, tags: tuple[str, ...], value_of: Callable, wanted: list,
               make: Callable[[object, int], Field]) -> None:
    """Keep fields whose value is still wanted (first occurrence), drop the others, add the new."""
    kept: list = []
    for field in record.get_fields(*tags):
        value = value_of(field)
        if not value:
            continue
        if value in wanted and value not in kept:
            kept.append(value)
        else:
            record.remove_field(field)
    for position, value in enumerate(wanted):
        if value not in kept:
            _insert(record, make(value, position))


def _fixed(record: pymarc.Record) -> str:
    field = record.get("008")
    data = field.data if field is not None and field.data else ""
    return (data + _EMPTY_008[len(data):]) if len(data) < 40 else data


def _write_title(record: pymarc.Record, draft: RecordDraft) -> None:
    old = record.get("245")
    ind = (old.indicator1 + old.indicator2) if old is not None else "10"
    extra = [(s.code, s.value) for s in old.subfields if s.code not in "abcnp"] if old is not None else []
    pairs = [("a", draft.title + (" :" if draft.subtitle else (" /" if draft.responsibility else "")))]
    if draft.subtitle:
        pairs.append(("b", draft.subtitle + (" /" if draft.responsibility else "")))
    pairs.append(("c", draft.responsibility))
    _replace(record, ("245",), _data_field("245", ind, pairs + extra))


def _write_publication(record: pymarc.Record, draft: RecordDraft) -> None:
    targets = [f for f in record.get_fields("264") if f.indicator2 == "1"] + record.get_fields("260")
    old = targets[0] if targets else None
    tag, ind = (old.tag, old.indicator1 + old.indicator2) if old is not None else ("264", " 1")
    extra = [(s.code, s.value) for s in old.subfields if s.code not in "abc"] if old is not None else []
    pairs = [("a", draft.place + (" :" if draft.publisher else "")), ("b", draft.publisher + ("," if draft.year else "")),
             ("c", str(draft.year) if draft.year else "")]
    if old is not None:
        record.remove_field(old)
    new = _data_field(tag, ind, [p for p in pairs if p[1].strip(" :,")] + extra)
    if new.subfields:
        _insert(record, new)
    if draft.year:
        data = _fixed(record)
        _set_control(record, "008", data[:7] + f"{draft.year:04d}"[:4] + data[11:])


def _write_languages(record: pymarc.Record, draft: RecordDraft) -> None:
    data = _fixed(record)
    first = draft.languages[0] if draft.languages else "   "
    _set_control(record, "008", data[:35] + first[:3].ljust(3) + data[38:])
    _replace(record, ("041",), _data_field("041", "0 ", [("a", code) for code in draft.languages])
             if len(draft.languages) > 1 else None)


def _author_field(name: str, position: int, record: pymarc.Record) -> Field:
    has_main = bool(record.get_fields("100", "110", "111"))
    tag = "700" if has_main or position > 0 else "100"
    return _data_field(tag, ("1" if "," in name else "0") + " ", [("a", name)])


def _subject_field(heading: str, _position: int) -> Field:
    parts = [p.strip() for p in heading.split(" -- ") if p.strip()]
    return _data_field("650", " 4", [("a", parts[0])] + [("x", p) for p in parts[1:]])


def _classification_field(entry: dict, _position: int) -> Field:
    scheme = entry.get("scheme", "other")
    if scheme == "ddc":
        return _data_field("082", "04", [("a", entry.get("number", "")), ("2", entry.get("edition", ""))])
    for tag, name in (("080", "udc"), ("050", "lcc"), ("060", "nlm")):
        if scheme == name:
            return _data_field(tag, "  ", [("a", entry.get("number", "")), ("2", entry.get("edition", ""))])
    return _data_field("084", "  ", [("a", entry.get("number", "")), ("2", scheme)])


def _classification_of(field: Field) -> dict | None:
    found = mapping.classifications(pymarc.Record(fields=[field]))
    return found[0] if found else None


def _write_lists(record: pymarc.Record, old: RecordDraft, draft: RecordDraft) -> None:
    if old.authors != draft.authors:
        _sync_list(record, mapping.NAME_TAGS, lambda f: mapping.joined(f, mapping.NAME_CODES[f.tag]), draft.authors,
                   lambda name, i: _author_field(name, i, record))
    if old.subjects != draft.subjects:
        _sync_list(record, mapping.SUBJECT_TAGS, lambda f: " -- ".join(
            mapping.clean(s.value) for s in f.subfields if s.code in mapping.SUBJECT_CODES and mapping.clean(s.value)),
            draft.subjects, _subject_field)
    if old.isbns != draft.isbns:
        _sync_list(record, ("020",), lambda f: find_isbn(f.get("a") or ""), draft.isbns,
                   lambda v, i: _data_field("020", "  ", [("a", v)]))
    if old.issns != draft.issns:
        _sync_list(record, ("022",), lambda f: find_issn(f.get("a") or ""), draft.issns,
                   lambda v, i: _data_field("022", "  ", [("a", v)]))
    if old.system_numbers != draft.system_numbers:
        _sync_list(record, ("035",), lambda f: (f.get("a") or "").strip(), draft.system_numbers,
                   lambda v, i: _data_field("035", "  ", [("a", v)]))
    if old.classifications != draft.classifications:
        _sync_list(record, ("082", "080", "050", "060", "084"), _classification_of, draft.classifications,
                   _classification_field)
    if old.series != draft.series:
        _sync_list(record, ("490", "830"), lambda f: mapping.joined(f, "av", " ; "), draft.series,
                   lambda v, i: _data_field("490", "0 ", [("a", v)]))
    if old.notes != draft.notes:
        note_tags = tuple(f"5{n:02d}" for n in range(100) if f"5{n:02d}" not in mapping.NOTE_SKIP)
        _sync_list(record, note_tags, lambda f: mapping.joined(f, "abcdefghijklmnopqrstuvwxyz"), draft.notes,
                   lambda v, i: _data_field("500", "  ", [("a", v)]))
    if old.links != draft.links:
        _sync_list(record, ("856",), lambda f: (mapping.links(pymarc.Record(fields=[f])) or [None])[0], draft.links,
                   lambda v, i: _data_field("856", "40", [("u", v.get("url", "")), ("y", v.get("text", ""))]))


def _write_scalars(record: pymarc.Record, old: RecordDraft, draft: RecordDraft) -> None:
    if (old.title, old.subtitle, old.responsibility) != (draft.title, draft.subtitle, draft.responsibility):
        _write_title(record, draft)
    if (old.place, old.publisher, old.year) != (draft.place, draft.publisher, draft.year):
        _write_publication(record, draft)
    if old.languages != draft.languages:
        _write_languages(record, draft)
    if old.record_type != draft.record_type:
        leader = str(record.leader)
        record.leader = pymarc.Leader(leader[:6] + _TYPE_CODES.get(draft.record_type, "am") + leader[8:])
    if old.control_number != draft.control_number:
        _set_control(record, "001", draft.control_number)
    if old.control_source != draft.control_source:
        _set_control(record, "003", draft.control_source)
    if old.call_number != draft.call_number:
        _replace(record, ("090",), _data_field("090", "  ", [("a", draft.call_number)]))
    for attr, tag, ind in (("edition", "250", "  "), ("physical_description", "300", "  "), ("summary", "520", "  ")):
        if getattr(old, attr) != getattr(draft, attr):
            _replace(record, (tag,), _data_field(tag, ind, [("a", getattr(draft, attr))]))


def write_draft(draft: RecordDraft, base: dict | None = None) -> dict:
    """MARC-in-JSON holding the draft's values and every other field of `base` unchanged."""
    if base:
        record = marc_json_to_record(base)
    else:
        record = pymarc.Record(leader=DEFAULT_LEADER, force_utf8=True)
        record.fields = [Field(tag="008", data=_EMPTY_008)]
    draft = draft.normalised()
    old = mapping.draft_from_marc(record)
    _write_scalars(record, old, draft)
    _write_lists(record, old, draft)
    return record_to_marc_json(record)

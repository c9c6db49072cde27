"""The staff MARC view: MARC-in-JSON shown as text (one field a line: tag, indicators,
subfields), parsed back with validation that names the line and the mistake, and the form side
(a draft written into the stored MARC). Nothing invalid gets past parse_marc_text.

Line format (as in MARC documentation; # is a blank indicator, $$ a literal dollar sign):
    LDR 00000nam a2200000 i 4500
    001 HL000001
    245 10 $aKỹ thuật nuôi tôm /$cNguyễn Văn An.
"""
from __future__ import annotations

import dataclasses
import re

import pymarc
from pymarc import Field, Indicators, Subfield

from catalog.errors import N_, ValidationError
from catalog.records.models import RecordDraft
from catalog.text import nfc
from ingest.marc.isbn import is_valid_isbn
from ingest.marc.mapping import draft_from_marc
from ingest.marc.writeback import write_draft
from ingest.marc.marcjson import DEFAULT_LEADER, clean_leader, record_to_marc_json

_TAG = re.compile(r"^[0-9]{3}$")
_INDICATOR = re.compile(r"^[0-9a-z ]$")
_CODE = re.compile(r"^[0-9a-z]$")
MAX_LINES = 2000


@dataclasses.dataclass
class Problem:
    """One mistake: the line (1-based, None for the record as a whole), a template and its values."""

    line: int | None
    template: str
    params: dict


class MarcEditError(ValidationError):
    """The MARC text has mistakes; `problems` lists each one with its line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0]
        super().__init__(first.template, field="marc", **first.params)


def _blank(ind: str) -> str:
    return "#" if ind in (" ", "") else ind


def _escape(value: str) -> str:
    return value.replace("$", "$$")


def marc_to_text(marc: dict | None) -> str:
    """The stored MARC-in-JSON as lines for the MARC view."""
    if not marc:
        return f"LDR {DEFAULT_LEADER}\n245 00 $a"
    lines = [f"LDR {marc.get('leader') or DEFAULT_LEADER}"]
    for entry in marc.get("fields", []):
        for tag, value in entry.items():
            if isinstance(value, dict):
                subfields = "".join(f"${code}{_escape(text)}" for sub in value.get("subfields", [])
                                    for code, text in sub.items())
                lines.append(f"{tag} {_blank(value.get('ind1', ' '))}{_blank(value.get('ind2', ' '))} {subfields}")
            else:
                lines.append(f"{tag} {value}")
    return "\n".join(lines)


def _subfields(text: str) -> list[tuple[str, str]] | None:
    """Split "$aOne$bTwo" (with $$ for a dollar sign); None when it does not start with a subfield
    code ("$$" first is a dollar sign, so text before any subfield)."""
    text = text.strip()
    if not text.startswith("$") or text.startswith("$$"):
        return None
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        if text[i] == "$" and text[i + 1:i + 2] != "$":
            pairs.append((text[i + 1:i + 2], ""))
            i += 2
            continue
        if text[i] == "$":  # "$$": a literal dollar sign
            i += 1
        code, value = pairs[-1]
        pairs[-1] = (code, value + text[i])
        i += 1
    return [(code, value.strip()) for code, value in pairs]


def _parse_line(number: int, line: str, problems: list[Problem]) -> Field | str | None:
    tag, _, rest = line.partition(" ")
    if tag.upper() == "LDR":
        return rest
    if not _TAG.match(tag):
        problems.append(Problem(number, N_("Line {line}: “{tag}” is not a MARC tag (three digits, such as 245)."),
                                {"line": number, "tag": tag[:10]}))
        return None
    if tag < "010":
        if not rest.strip():
            problems.append(Problem(number, N_("Line {line}: control field {tag} is empty."),
                                    {"line": number, "tag": tag}))
            return None
        return Field(tag=tag, data=nfc(rest.strip()))
    indicators, rest = rest[:2], rest[2:]
    found_bad = False
    for ind in indicators.ljust(2):
        value = " " if ind in "#_" else ind
        if not _INDICATOR.match(value):
            problems.append(Problem(
                number, N_("Line {line} (field {tag}): indicator “{indicator}” is not valid; use a digit, "
                           "a lowercase letter or # for blank."), {"line": number, "tag": tag, "indicator": ind}))
            found_bad = True
    pairs = _subfields(rest)
    if not pairs and rest.strip().startswith("$$"):
        problems.append(Problem(number, N_("Line {line} (field {tag}): $$ writes a dollar sign, so the line has text "
                                           "before its first subfield; begin with $ and a code, such as $a."),
                                {"line": number, "tag": tag}))
        return None
    if not pairs:
        problems.append(Problem(number, N_("Line {line} (field {tag}) has no subfields; write them as $a text."),
                                {"line": number, "tag": tag}))
        return None
    for code, value in pairs:
        if not _CODE.match(code):
            problems.append(Problem(
                number, N_("Line {line} (field {tag}): “${code}” is not a subfield code; use a lowercase letter "
                           "or a digit."), {"line": number, "tag": tag, "code": code}))
            found_bad = True
        elif not value:
            problems.append(Problem(number, N_("Line {line} (field {tag}): subfield ${code} is empty."),
                                    {"line": number, "tag": tag, "code": code}))
            found_bad = True
    if found_bad:
        return None
    ind1, ind2 = (" " if i in "#_" else i for i in indicators.ljust(2))
    return Field(tag=tag, indicators=Indicators(ind1, ind2),
                 subfields=[Subfield(code, nfc(value)) for code, value in pairs])


def _check_record(record: pymarc.Record, lines_of: dict[int, int], problems: list[Problem]) -> None:
    titles = record.get_fields("245")
    if not titles or not any(v.strip() for f in titles for v in f.get_subfields("a")):
        problems.append(Problem(None, N_("The record has no title: field 245 with $a is required."), {}))
    elif len(titles) > 1:
        problems.append(Problem(None, N_("Field 245 (title) may appear only once."), {}))
    for index, field in enumerate(record.fields):
        if field.tag != "020":
            continue
        for value in field.get_subfields("a"):
            isbn = value.split()[0] if value.split() else value
            if not is_valid_isbn(isbn):
                line = lines_of[index]
                problems.append(Problem(line, N_("Line {line}: ISBN {isbn} has a wrong check digit or length."),
                                        {"line": line, "isbn": isbn}))


def parse_marc_text(text: str) -> pymarc.Record:
    """Parse and validate the MARC view; raises MarcEditError listing every mistake."""
    problems: list[Problem] = []
    record = pymarc.Record(leader=DEFAULT_LEADER, force_utf8=True)
    lines_of: dict[int, int] = {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > MAX_LINES:
        raise MarcEditError([Problem(None, N_("A record has at most {count} lines."), {"count": MAX_LINES})])
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        parsed = _parse_line(number, line.lstrip(), problems)
        if isinstance(parsed, str):
            record.leader = clean_leader(parsed)
        elif parsed is not None:
            lines_of[len(record.fields)] = number
            record.fields.append(parsed)
    if not problems:
        _check_record(record, lines_of, problems)
    if problems:
        raise MarcEditError(problems)
    return record


def draft_from_text(text: str) -> tuple[RecordDraft, dict]:
    """The draft and the MARC-in-JSON of a valid MARC view (raises MarcEditError otherwise)."""
    record = parse_marc_text(text)
    return draft_from_marc(record), record_to_marc_json(record)


def check_draft(draft: RecordDraft) -> None:
    """Refuse what the form must not send into MARC: an ISBN with a wrong check digit."""
    for isbn in draft.isbns:
        if not is_valid_isbn(isbn):
            raise ValidationError(N_("ISBN {isbn} has a wrong check digit or length."), isbn=isbn, field="isbns")


def stored_or_derived(draft: RecordDraft, marc: dict | None) -> dict:
    """The record's stored MARC, or MARC derived from its fields when none was stored."""
    return marc if marc else write_draft(draft, None)


def marc_for_draft(draft: RecordDraft, base: dict | None) -> dict:
    """The stored MARC updated with the form's fields (every field the form does not cover kept)."""
    check_draft(draft)
    return write_draft(draft, base)

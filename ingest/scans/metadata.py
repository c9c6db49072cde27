"""Record metadata for scans: a Dublin Core sidecar (JSON or CSV) or a MARC file -> RecordDraft.

JSON: {"title": "...", "creator": ["..."], "subject": [...], "date": "1998", "language": "vie",
"publisher": "...", "description": "...", "identifier": "...", "rights": "cc-by"} (keys may carry
"dc:" or "dcterms:" prefixes). CSV: a header row of terms and one row of values ("||" separates
repeated values), or two columns term,value per row.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from pathlib import Path

import pymarc

from catalog.errors import N_
from catalog.records.models import RECORD_TYPES, RecordDraft
from catalog.text import nfc
from ingest.marc.mapping import draft_from_marc
from ingest.marc.marcjson import record_to_marc_json
from ingest.scans.errors import ScanError

_RIGHTS = [
    (re.compile(r"publicdomain/zero|\bcc0\b", re.I), "cc0"),
    (re.compile(r"publicdomain/mark|public.domain", re.I), "public-domain"),
    (re.compile(r"by-nc-sa", re.I), "cc-by-nc-sa"), (re.compile(r"by-nc-nd", re.I), "cc-by-nc-nd"),
    (re.compile(r"by-nc", re.I), "cc-by-nc"), (re.compile(r"by-sa", re.I), "cc-by-sa"),
    (re.compile(r"by-nd", re.I), "cc-by-nd"), (re.compile(r"cc[- ]by|licenses/by/", re.I), "cc-by"),
    (re.compile(r"in.library", re.I), "in-library"), (re.compile(r"all.rights", re.I), "all-rights-reserved"),
]


@dataclasses.dataclass
class Metadata:
    draft: RecordDraft
    licence: str | None = None
    marc: dict | None = None


def licence_from_rights(rights: str) -> str | None:
    """Our licence code for a Dublin Core rights statement (a code or a Creative Commons URL)."""
    for pattern, code in _RIGHTS:
        if pattern.search(rights or ""):
            return code
    return None


def read_metadata(path: Path, display: str | None = None) -> Metadata:
    """The draft described by a sidecar, by content: JSON, MARC (ISO 2709 / MARCXML) or CSV."""
    display = display or path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScanError(N_("{file}: cannot be read ({reason})."), file=display, reason=str(exc)) from exc
    head = raw.lstrip()[:200]
    if head.startswith(b"{"):
        return _from_terms(_json_terms(raw, display), display)
    if head.startswith(b"<") or re.match(rb"^\d{5}[a-z ]{3}", head):
        return _from_marc(path, display)
    return _from_terms(_csv_terms(raw, display), display)


def _json_terms(raw: bytes, display: str) -> dict[str, list[str]]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScanError(N_("{file}: not valid JSON ({reason})."), file=display, reason=str(exc)) from exc
    if not isinstance(data, dict):
        raise ScanError(N_("{file}: the JSON must be one object of Dublin Core terms."), file=display)
    terms: dict[str, list[str]] = {}
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        terms[_term(key)] = [str(v) for v in values if v not in (None, "")]
    return terms


def _csv_terms(raw: bytes, display: str) -> dict[str, list[str]]:
    try:
        rows = [row for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) if any(c.strip() for c in row)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ScanError(N_("{file}: not a UTF-8 CSV of Dublin Core terms ({reason})."),
                        file=display, reason=str(exc)) from exc
    if not rows:
        raise ScanError(N_("{file}: the metadata file is empty."), file=display)
    header = [_term(cell) for cell in rows[0]]
    if "title" in header and len(rows) >= 2:
        return {key: [v.strip() for v in value.split("||") if v.strip()] for key, value in zip(header, rows[1])}
    terms: dict[str, list[str]] = {}
    for row in rows:
        if len(row) >= 2:
            terms.setdefault(_term(row[0]), []).extend(v.strip() for v in row[1].split("||") if v.strip())
    return terms


def _term(key: str) -> str:
    return str(key).strip().lower().split(":")[-1]


def _from_terms(terms: dict[str, list[str]], display: str) -> Metadata:
    first = lambda name: nfc(terms.get(name, [""])[0]) if terms.get(name) else ""  # noqa: E731
    title = first("title")
    if not title:
        raise ScanError(N_("{file}: the metadata has no title (Dublin Core \"title\")."), file=display)
    year_match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", first("date") or first("issued"))
    record_type = (first("type") or "book").lower()
    draft = RecordDraft(
        title=title, authors=[nfc(v) for v in terms.get("creator", []) + terms.get("contributor", [])],
        subjects=[nfc(v) for v in terms.get("subject", [])], publisher=first("publisher"),
        year=int(year_match.group(1)) if year_match else None,
        languages=[v.strip().lower()[:3] for v in terms.get("language", [])],
        record_type=record_type if record_type in RECORD_TYPES else "book",
        summary=first("description") or first("abstract"),
        notes=[nfc(v) for v in terms.get("source", [])],
        isbns=[re.sub(r"[^0-9X]", "", v.upper()) for v in terms.get("identifier", []) if re.search(r"isbn", v, re.I)],
    )
    rights = first("rights") or first("license") or first("licence")
    return Metadata(draft.normalised(), licence_from_rights(rights) if rights else None)


def _from_marc(path: Path, display: str) -> Metadata:
    """The first record of a MARC file, mapped by the MARC import's own mapping when present."""
    try:
        if path.read_bytes().lstrip()[:1] == b"<":
            records = pymarc.parse_xml_to_array(str(path))
        else:
            with path.open("rb") as handle:
                records = list(pymarc.MARCReader(handle, to_unicode=True, force_utf8=True))
    except Exception as exc:  # pymarc raises many types on bad input; this is the edge of the file
        raise ScanError(N_("{file}: not a readable MARC file ({reason})."), file=display, reason=str(exc)) from exc
    record = next((r for r in records if r is not None), None)
    if record is None:
        raise ScanError(N_("{file}: no readable MARC record in the file."), file=display)
    draft = draft_from_marc(record)
    if not draft.title:
        raise ScanError(N_("{file}: the MARC record has no title (245)."), file=display)
    licence = licence_from_rights(" ".join(f.value() for f in record.get_fields("540", "506")))
    return Metadata(draft.normalised(), licence, record_to_marc_json(record))


"""The duplicate rules: which identifiers let an incoming MARC record join a stored one, and when
such a join is a conflict to be kept apart for a cataloguer instead.

Keys, in the order they are tried:
- same: the very same MARC, up to the MARC21slim repairs (a record exported by hoclieu and
  imported again, from any file);
- control: 001 with its 003 (the source that gave the number);
- local: 001 without a 003, only within the same file name (another system numbering 1, 2, 3 ...
  is not the same book);
- system: 035 $a holding a number ("(OCoLC)12345"; a bare "(PkLaDAR)" is a placeholder, no key);
- isbn: 020 $a, as ISBN-13;
- title: folded title, first author and year, when there is an author or a year and the title
  is the record's own (never within one import).
A join by an identifier (control, local, system, isbn) to a record whose title and author both
clearly differ is a conflict: the incoming record is created apart and the report lists both.
"""
from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from catalog.records.imports import match_key
from catalog.records.models import RecordDraft, RecordIdentifier
from catalog.text import fold
from ingest.marc.slim import slim_marc_json

IDENTIFIER_RULES = ("same", "control", "local", "system", "isbn")
_PREFIX = re.compile(r"^\s*\([^)]*\)")
_WORD = re.compile(r"\w+")


def has_number(value: str) -> bool:
    """035 $a "(OCoLC)ocm12345" names a record; "(PkLaDAR)" alone, or a word, does not."""
    return bool(re.search(r"\d", _PREFIX.sub("", value)))


def content_key(marc: dict | None) -> str:
    """A digest of the MARC-in-JSON as MARC21slim would have it: equal for the same record however
    it was sent, our own MARCXML export (repaired for the schema) included."""
    text = json.dumps(slim_marc_json(marc or {}), sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def match_keys(draft: RecordDraft, file_name: str, marc: dict | None = None, *,
               has_title: bool = True) -> list[tuple[str, str]]:
    """(rule, value) in the order the duplicate rules are tried (has_title: the record has a 245
    or heading of its own, not the stand-in title)."""
    keys: list[tuple[str, str]] = [("same", content_key(marc))] if marc else []
    if draft.control_number and draft.control_source:
        keys.append(("control", f"{draft.control_source}|{draft.control_number}"[:255]))
    elif draft.control_number:
        keys.append(("local", f"{file_name}|{draft.control_number}"[:255]))
    keys += [("system", v[:255]) for v in draft.system_numbers if has_number(v)]
    keys += [("isbn", v) for v in draft.isbns]
    # A title alone ("Annual report", or the "[No title]" stand-in) names no one book.
    title = match_key(draft.title, draft.authors, draft.year) if has_title and (draft.authors or draft.year) else ""
    if title:
        keys.append(("title", title))
    return keys


def local_key(file_name: str, control_number: str) -> str:
    """The value of a record's "local" identifier (001 without 003, scoped to its file name)."""
    return f"{file_name}|{control_number}"[:255]


def _words(text: str) -> set[str]:
    return set(_WORD.findall(fold(text or "")))


def _overlap(a: set[str], b: set[str]) -> float:
    """Share of the shorter side's words found in the other (1.0 when either side is empty)."""
    if not a or not b:
        return 1.0
    return len(a & b) / min(len(a), len(b))


def clearly_differ(title: str, authors: list[str], other_title: str, other_authors: list[str]) -> bool:
    """Two descriptions of different books: titles sharing under half their words, and no author
    in common (or no author on either side). A corrected title or added author is not a conflict."""
    if _overlap(_words(title), _words(other_title)) >= 0.5:
        return False
    mine = set().union(*(_words(a) for a in authors)) if authors else set()
    theirs = set().union(*(_words(a) for a in other_authors)) if other_authors else set()
    return not (mine and theirs and _overlap(mine, theirs) >= 0.5)


def weaker_rule_excluded(rule: str, record, draft: RecordDraft) -> bool:
    """Weaker rules never join records that stronger identifiers tell apart: two control numbers
    from the same source, or (for the title rule) two sets of ISBNs with nothing in common."""
    if rule in ("isbn", "title") and record.control_number and draft.control_number \
            and record.control_source == draft.control_source and record.control_number != draft.control_number:
        return True
    return rule == "title" and bool(record.isbns) and bool(draft.isbns) and not set(record.isbns) & set(draft.isbns)


def store_own_keys(session: Session, written: list[tuple[int, dict | None, str, str, str]]) -> None:
    """Keep the keys catalog.records.models does not: the MARC's digest ("same") and a 001 without 003
    with its file name ("local"), for (record id, marc, 001, 003, file name) just written."""
    wanted: set[tuple[int, str, str]] = set()
    for record_id, marc, control_number, control_source, file_name in written:
        wanted.add((record_id, "same", content_key(marc)))
        if control_number and not control_source:
            wanted.add((record_id, "local", local_key(file_name, control_number)))
    ids = sorted({rid for rid, _k, _v in wanted})
    for start in range(0, len(ids), 500):
        wanted -= {tuple(row) for row in session.execute(
            select(RecordIdentifier.record_id, RecordIdentifier.kind, RecordIdentifier.value).where(
                RecordIdentifier.kind.in_(("same", "local")), RecordIdentifier.record_id.in_(ids[start:start + 500])))}
    if wanted:
        session.execute(insert(RecordIdentifier),
                        [{"record_id": rid, "kind": kind, "value": value} for rid, kind, value in sorted(wanted)])

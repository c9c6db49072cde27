"""Does the catalogue already hold a candidate? The MARC import's own duplicate rules
(ingest/marc/matching.py, through its Batch lookup): control number with its source, 035 system
numbers, ISBN, then title/author/year; an identifier that names a clearly different book is no match."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from catalog.db import utcnow
from catalog.records.imports import refresh_match_keys
from catalog.records.models import checked_draft
from ingest.copycat.search import Candidate
from ingest.marc.matching import match_keys
from ingest.marc.pipeline import Batch, ImportSummary


def mark_matches(session: Session, candidates: list[Candidate]) -> None:
    """Set each candidate's match_id / match_title / match_rule from the catalogue (reads only,
    apart from the title keys of records edited since they were last computed)."""
    if not candidates:
        return
    refresh_match_keys(session)
    batch = Batch(session, None, ImportSummary(run_id=0), data_dir=Path("."), now=utcnow(), default_library_code=None)
    keyed = []
    for candidate in candidates:
        draft = checked_draft(candidate.draft)
        keys = match_keys(draft, f"copycat:{candidate.target_name}", candidate.marc)
        keyed.append((candidate, draft, keys))
    from ingest.marc.pipeline import Prepared
    from ingest.marc.results import ReadResult

    batch.lookup([Prepared(ReadResult("copycat", 0, 0, b""), draft=d, marc=c.marc, keys=k) for c, d, k in keyed])
    for candidate, draft, keys in keyed:
        rule, record, _conflict = batch.match(draft, candidate.marc, keys)
        if record is not None and getattr(record, "id", None):
            candidate.match_id, candidate.match_title, candidate.match_rule = record.id, record.title, rule

"""Plain-text lines of an import report (the CLI prints them; the web page has its own)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.records.imports import run_problems


def report_lines(session: Session, run_id: int, *, limit: int = 200) -> list[str]:
    """Rejected records, conflicts kept apart and warnings, one line each: file #ordinal (byte
    offset): reason."""
    lines = []
    for kind, label in (("rejected", "REJECTED"), ("conflict", "CONFLICT"), ("warning", "warning")):
        for problem in run_problems(session, run_id, kind, limit=limit):
            lines.append(f"{label}: {problem.file_name} #{problem.ordinal} (byte {problem.byte_offset}): {problem.message}")
    return lines

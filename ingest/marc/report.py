"""An import report grouped for reading: warnings by kind with counts, each kind a few lines long.

A kind gathers the reason templates that mean the same thing to a librarian (the two "unknown
library code" sentences, say). The report counts per template in one query and adds them up per
kind here, so a run of 100,000 records costs one GROUP BY and a page of examples per kind, not
one line per warning. A template not listed (a run stored before a reason was reworded) falls
into "other", never out of the report."""
from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from catalog.errors import N_
from catalog.records.imports import ImportProblem, count_templates, run_problems


@dataclasses.dataclass(frozen=True)
class WarningKind:
    code: str
    label: str  # English, translated where shown
    templates: tuple[str, ...]


OTHER = "other"
KINDS = (
    WarningKind("utf8-is-marc8", N_("Text in MARC-8 although the leader says UTF-8 (converted)"), (
        "The leader says UTF-8 but the text is MARC-8; it was converted from MARC-8.",)),
    WarningKind("marc8-is-utf8", N_("Text in UTF-8 although the leader says MARC-8 (read as UTF-8)"), (
        "The leader says MARC-8 but the text is UTF-8; it was read as UTF-8.",)),
    WarningKind("bad-utf8", N_("Bytes that are not valid UTF-8 (replaced by “\ufffd”)"), (
        "Some bytes are not valid UTF-8; they were replaced by \u201c\ufffd\u201d.",)),
    WarningKind("double-utf8", N_("Text encoded as UTF-8 twice (repaired)"), (
        "Some text was encoded as UTF-8 twice (“{text}”); it was repaired.",)),
    WarningKind("code-page", N_("Text neither MARC-8 nor UTF-8 (read in an old code page)"), (
        "The text is neither MARC-8 nor UTF-8; it was read as {encoding}.",)),
    WarningKind("marc8-escape", N_("Broken MARC-8 escape sequences"), (
        "A MARC-8 escape sequence is broken; unreadable characters were replaced by \u201c\ufffd\u201d.",)),
    WarningKind("leader", N_("Damaged leader (repaired)"), (
        "The leader is damaged ({leader}); it was repaired.",)),
    WarningKind("record-length", N_("Wrong record length in the leader"), (
        "The leader gives a wrong record length ({declared} instead of {actual}).",)),
    WarningKind("directory", N_("Damaged directory or data start (repaired)"), (
        "The record's directory had lost its end mark; the leader's base address was used.",
        "The leader gives the data a wrong start ({declared} instead of {actual}); the real position was used.",
        "The record's directory was damaged (one byte too many or too few); it was repaired.")),
    WarningKind("indicators", N_("Fields with a wrong number of indicators"), (
        "Field {tag} has {count} indicators instead of 2; blanks were used.",)),
    WarningKind("subfield-code", N_("Subfields with a missing or invalid code (kept as $?)"), (
        "Field {tag} has a subfield with an invalid code ({code}); it was kept as $?.",
        "Field {tag} has a subfield without a code; it was kept as $?.")),
    WarningKind("no-tag", N_("Fields without a tag (left out)"), (
        "A control field has no tag; it was left out: {text}",
        "A data field has no tag; it was left out: {text}")),
    WarningKind("no-title", N_("Records without a title"), (
        "The record has no title (245 $a) nor heading; it was stored as “{title}”.",)),
    WarningKind("no-barcode", N_("Holdings without a barcode (no copy)"), (
        "Holdings field {tag} has no barcode ($p); no copy was created.",)),
    WarningKind("long-barcode", N_("Barcodes longer than 64 characters (no copy)"), (
        "Barcode {barcode} is longer than 64 characters; no copy was created.",)),
    WarningKind("barcode-taken", N_("Barcodes that belong to another record (no copy)"), (
        "Barcode {barcode} already belongs to record {record_id}; no copy was created.",)),
    WarningKind("unknown-library", N_("Unknown library codes in holdings"), (
        "Unknown library code {code} in field {tag} (barcode {barcode}); the copy was put in {library}.",
        "Unknown library code {code} in field {tag} (barcode {barcode}); no copy was created.")),
    WarningKind("no-library", N_("Holdings naming no library (no copy)"), (
        "Holdings field {tag} (barcode {barcode}) names no library and no --library was given; no copy was created.",)),
    WarningKind("quarantine", N_("Rejected records whose bytes could not be kept"), (
        "The bytes of this rejected record could not be kept: the data folder cannot be written ({reason}).",)),
)
OTHER_LABEL = N_("Other warnings")
_KIND_OF = {template: kind.code for kind in KINDS for template in kind.templates}
_BY_CODE = {kind.code: kind for kind in KINDS}


@dataclasses.dataclass
class WarningGroup:
    code: str
    label: str
    count: int
    templates: list[str]
    problems: list[ImportProblem] = dataclasses.field(default_factory=list)

    @property
    def more(self) -> int:
        """How many of this kind the examples leave out."""
        return self.count - len(self.problems)


def kind_of(template: str) -> str:
    """The kind code of a warning's reason template ("other" for one not listed)."""
    return _KIND_OF.get(template, OTHER)


def is_kind(code: str) -> bool:
    return code == OTHER or code in _BY_CODE


def warning_groups(session: Session, run_id: int, *, examples: int = 20) -> list[WarningGroup]:
    """A run's warnings by kind, most frequent first, each with its first `examples` lines."""
    groups: dict[str, WarningGroup] = {}
    for template, count in count_templates(session, run_id, "warning").items():
        code = kind_of(template)
        label = _BY_CODE[code].label if code in _BY_CODE else OTHER_LABEL
        group = groups.setdefault(code, WarningGroup(code, label, 0, []))
        group.count += count
        group.templates.append(template)
    ordered = sorted(groups.values(), key=lambda g: (-g.count, g.code == OTHER, g.code))
    for group in ordered:
        group.templates.sort()
        if examples:
            group.problems = run_problems(session, run_id, "warning", templates=group.templates, limit=examples)
    return ordered


def warning_group(session: Session, run_id: int, code: str, *, offset: int = 0, limit: int = 100) -> WarningGroup:
    """One kind of a run's warnings, lines offset..offset+limit (a page of the full list)."""
    group = next((g for g in warning_groups(session, run_id, examples=0) if g.code == code), None)
    if group is None:
        label = _BY_CODE[code].label if code in _BY_CODE else OTHER_LABEL
        return WarningGroup(code, label, 0, [])
    group.problems = run_problems(session, run_id, "warning", templates=group.templates, offset=offset, limit=limit)
    return group


def report_lines(session: Session, run_id: int, *, limit: int = 200, examples: int = 5) -> list[str]:
    """The CLI's report: rejected records and conflicts one line each (file #ordinal (byte
    offset): reason, up to `limit` of each), then warnings by kind with counts and a few lines each."""
    lines = []
    for kind, label in (("rejected", "REJECTED"), ("conflict", "CONFLICT")):
        for problem in run_problems(session, run_id, kind, limit=limit):
            lines.append(f"{label}: {_where(problem)}: {problem.message}")
    groups = warning_groups(session, run_id, examples=examples)
    if groups:
        lines.append(f"Warnings by kind ({sum(g.count for g in groups)}):")
        width = len(f"{max(g.count for g in groups):,}")
        for group in groups:
            lines.append(f"  {group.count:>{width},}  {group.label} [{group.code}]")
            for problem in group.problems:
                lines.append(f"  {'':>{width}}    {_where(problem)}: {problem.message}")
            if group.more:
                lines.append(f"  {'':>{width}}    ... and {group.more:,} more")
    return lines


def warning_counts(session: Session, run_id: int) -> dict[str, int]:
    """Warnings per kind code (for the CLI's --json line)."""
    return {group.code: group.count for group in warning_groups(session, run_id, examples=0)}


def _where(problem: ImportProblem) -> str:
    record = f", record {problem.record_id}" if problem.record_id else ""
    return f"{problem.file_name} #{problem.ordinal} (byte {problem.byte_offset}{record})"

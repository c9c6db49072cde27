"""The MARC import pipeline: read -> map -> match duplicates -> write in batches -> report.

Reading streams (ingest/marc/reader.py); each batch of records is written in one transaction with
batched identifier lookups (no per-record query for matching). A bad record is quarantined (its raw
bytes under DATA_DIR/quarantine/) and reported; it never stops the file. With strict=True the files
are read once first and nothing is written if any record is bad.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog.jobs.bulk import fewer_collections
from catalog.errors import N_
from catalog.records.imports import ImportProblem, ImportRun, RecordMatchKey, get_run, refresh_match_keys, \
    start_run, store_match_keys
from catalog.libraries import get_library_by_code
from catalog.records.models import Record, RecordDraft, RecordIdentifier, apply_draft, checked_draft, insert_records
from catalog.text import normalise
from ingest.marc.holdings import Holdings, add_holdings, holdings_of
from ingest.marc.mapping import draft_from_marc
from ingest.marc.marcjson import record_to_marc_json
from ingest.marc.matching import IDENTIFIER_RULES, clearly_differ, match_keys, store_own_keys, weaker_rule_excluded
from ingest.marc.reader import Problem, ReadResult, decode_unit, detect_format, file_units, read_file

NO_TITLE = "[No title]"


@dataclasses.dataclass(frozen=True)
class ReadProgress:
    """How far an import is, in records: `expected` is estimated from the bytes read so far (and
    always more than `records`) until the last batch is written; then it is exact, the count read."""

    records: int
    expected: int
    is_exact: bool
    bytes_done: int
    bytes_total: int


def read_progress(records: int, bytes_done: int, bytes_total: int) -> ReadProgress:
    """The progress after `records` records taking `bytes_done` of `bytes_total` bytes."""
    if bytes_done >= bytes_total:
        return ReadProgress(records, records, True, bytes_total, bytes_total)
    estimate = -(-records * bytes_total // bytes_done) if bytes_done > 0 else 0
    return ReadProgress(records, max(records + 1, estimate), False, bytes_done, bytes_total)


Progress = Callable[[ReadProgress], None]


@dataclasses.dataclass
class ImportSummary:
    run_id: int
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    copies: int = 0
    conflicts: int = 0
    refused: bool = False
    created_ids: set[int] = dataclasses.field(default_factory=set, repr=False)

    def as_json(self) -> dict:
        """The CLI's last line: read, created, updated, unchanged, rejected (+ warnings, copies, conflicts)."""
        return {k: getattr(self, k)
                for k in ("read", "created", "updated", "unchanged", "rejected", "warnings", "copies", "conflicts")}


@dataclasses.dataclass
class Prepared:
    result: ReadResult
    draft: RecordDraft | None = None
    marc: dict | None = None
    holdings: list[Holdings] = dataclasses.field(default_factory=list)
    keys: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def prepare(result: ReadResult) -> Prepared:
    """Map one read record; a record without any title becomes a rejection."""
    prepared = Prepared(result)
    if result.record is None:
        return prepared
    try:
        draft = draft_from_marc(result.record)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        result.error = Problem(N_("The record could not be mapped ({reason})."), {"reason": str(exc)[:200]})
        return prepared
    if not normalise(draft.title):
        draft.title = NO_TITLE
        result.warnings.append(Problem(N_("The record has no title (245 $a) nor heading; it was stored as “{title}”."),
                                       {"title": NO_TITLE}))
    draft.control_number, draft.control_source = draft.control_number[:64], draft.control_source[:64]
    draft.call_number = draft.call_number[:255]
    prepared.draft = draft = checked_draft(draft)  # normalised once, here in the decode worker
    prepared.marc = record_to_marc_json(result.record)
    prepared.holdings = holdings_of(result.record)
    prepared.keys = match_keys(draft, result.file_name, prepared.marc, has_title=draft.title != NO_TITLE)
    result.record = None  # the MARC lives on as MARC-in-JSON; keep batches light
    if not result.error:
        result.raw = b""
    return prepared


class NewRecord:
    """A record this batch creates: written with the batch's other new records in one statement
    (catalog.records.models.insert_records), so it has no id until then. A later record of the same
    batch matching it by control or system number replaces its fields before it is written."""

    def __init__(self, draft: RecordDraft, marc: dict | None, now: dt.datetime) -> None:
        self.draft, self.marc, self.updated_at = draft, marc, now
        self.id: int | None = None

    def __getattr__(self, name: str):
        # title, authors, year, control_number, isbns, call_number ... as the draft has them
        return getattr(self.__dict__["draft"], name)


class Batch:
    """One transaction's worth of records: lookups in a few queries, then writes."""

    def __init__(self, session: Session, run: ImportRun, summary: ImportSummary, *, data_dir: Path,
                 now: dt.datetime, default_library_code: str | None) -> None:
        self.session, self.run, self.summary = session, run, summary
        self.data_dir, self.now, self.default_library_code = data_dir, now, default_library_code
        self.found: dict[tuple[str, str], list[Record | NewRecord]] = {}
        self.created_ids: set[int] = summary.created_ids
        self._created: list[NewRecord] = []

    def lookup(self, prepared: list[Prepared]) -> None:
        wanted: dict[str, set[str]] = {}
        for item in prepared:
            if item.draft is not None:
                for rule, value in item.keys:
                    wanted.setdefault(rule, set()).add(value)
        pairs: list[tuple[str, str, int]] = []
        for rule in IDENTIFIER_RULES:
            values = sorted(wanted.get(rule, ()))
            for start in range(0, len(values), 500):
                pairs += [(rule, v, rid) for v, rid in self.session.execute(
                    select(RecordIdentifier.value, RecordIdentifier.record_id)
                    .where(RecordIdentifier.kind == rule, RecordIdentifier.value.in_(values[start:start + 500])))]
        titles = sorted(wanted.get("title", ()))
        for start in range(0, len(titles), 500):
            pairs += [("title", k, rid) for k, rid in self.session.execute(
                select(RecordMatchKey.key, RecordMatchKey.record_id).where(RecordMatchKey.key.in_(titles[start:start + 500])))]
        records = self._load({rid for _r, _v, rid in pairs})
        for rule, value, rid in sorted(pairs, key=lambda p: p[2]):
            record = records.get(rid)
            if record is not None:
                self._remember((rule, value), record)

    def _remember(self, key: tuple[str, str], record: Record | NewRecord) -> None:
        candidates = self.found.setdefault(key, [])
        if not any(c is record for c in candidates):
            candidates.append(record)

    def _load(self, ids: set[int]) -> dict[int, Record]:
        loaded: dict[int, Record] = {}
        pending = sorted(ids)
        for _hop in range(3):  # follow merge redirects (a loser points at its survivor)
            if not pending:
                break
            rows = self.session.scalars(select(Record).where(Record.id.in_(pending))).all()
            loaded.update({r.id: r for r in rows})
            pending = sorted({r.merged_into_id for r in rows if r.merged_into_id and r.merged_into_id not in loaded})
        resolved: dict[int, Record] = {}
        for rid in ids:
            record = loaded.get(rid)
            for _hop in range(3):
                if record is None or not record.merged_into_id:
                    break
                record = loaded.get(record.merged_into_id)
            if record is not None and not record.is_deleted:
                resolved[rid] = record
        return resolved

    def match(self, draft: RecordDraft, marc: dict | None,
              keys: list[tuple[str, str]]) -> tuple[str, Record | NewRecord | None, tuple | None]:
        """(rule, record) of the first key that joins; else, the first (rule, record) an identifier
        would have joined but whose title and author clearly differ (a conflict)."""
        conflict = None
        for rule, value in keys:
            # A record's own earlier copy first (a conflict kept apart is found again, unchanged).
            candidates = sorted(self.found.get((rule, value), ()), key=lambda r: r.marc != marc)
            for record in candidates:
                if weaker_rule_excluded(rule, record, draft):
                    continue
                if rule in ("isbn", "title") and (isinstance(record, NewRecord) or record.id in self.created_ids):
                    continue  # within one import only a control or system number joins two records
                if rule in IDENTIFIER_RULES and clearly_differ(draft.title, draft.authors, record.title, record.authors):
                    conflict = conflict or (rule, record)
                    continue
                return rule, record, None
        return "", None, conflict

    def write(self, item: Prepared, libraries: dict) -> None:
        result, draft = item.result, item.draft
        rule, record, conflict = self.match(draft, item.marc, item.keys)
        if record is None:
            record = NewRecord(draft, item.marc, self.now)
            self._created.append(record)
            self.summary.created += 1
            outcome = "created"
        elif record.marc == item.marc:
            self.summary.unchanged += 1
            outcome = "unchanged"
        elif isinstance(record, NewRecord):
            record.draft, record.marc = draft, item.marc  # not written yet: the later version wins
            self.summary.updated += 1
            outcome = "updated"
        else:
            if id(record) in self._touched_ids:
                # Identifier rows removed and re-added in one flush would clash (inserts run first).
                self.session.flush()
            apply_draft(self.session, record, draft, marc=item.marc, now=self.now)
            self.summary.updated += 1
            outcome = "updated"
        for rule_key in item.keys:
            self._remember(rule_key, record)
        self._written.append((record, result.file_name))
        problems = [self._problem("warning", result, w) for w in result.warnings]
        if outcome == "updated":
            problems.append(self._problem("updated", result, Problem(N_("Matched by rule: {rule}."), {"rule": rule}),
                                          rule=rule))
        if conflict is not None:
            problems.append(self._conflict(result, *conflict))
        if item.holdings:
            self._holdings.append((record, item.holdings, result, problems))
        if outcome != "unchanged" and id(record) not in self._touched_ids:
            self._touched.append(record)
            self._touched_ids.add(id(record))
        self._problems.append((record, problems))

    def _conflict(self, result: ReadResult, rule: str, other: Record | NewRecord) -> ImportProblem:
        """A report line for a record kept apart: its identifier names another book."""
        self.summary.conflicts += 1
        problem = self._problem("conflict", result, Problem(
            N_("Not merged with record {other} “{other_title}”: the identifier matches but the title and author "
               "differ. It was created as a separate record for a cataloguer to review."),
            {"other": other.id or 0, "other_title": other.title[:120]}), rule=rule)
        self._pending_others.append((problem, other))
        return problem

    def changed_ids(self) -> list[int]:
        """Records this batch created or changed, copies included (after its flush)."""
        return sorted({record.id for record in self._touched} | {record.id for record in self._with_new_copies})

    def _problem(self, kind: str, result: ReadResult, problem: Problem, *, rule: str = "") -> ImportProblem:
        return ImportProblem(run_id=self.run.id, kind=kind, file_name=result.file_name, ordinal=result.ordinal,
                             byte_offset=result.offset, rule=rule, template=problem.template, params=problem.params)

    def reject(self, result: ReadResult) -> None:
        self.summary.rejected += 1
        folder = self.data_dir / "quarantine" / f"run-{self.run.id}"
        name = f"{Path(result.file_name).stem[:80]}-{result.ordinal}.bin"
        problem = self._problem("rejected", result, result.error)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(result.raw)
            problem.raw_path = f"quarantine/run-{self.run.id}/{name}"
        except OSError as exc:  # a read-only or full data folder loses the copy, not the import
            self.session.add(self._problem("warning", result, Problem(
                N_("The bytes of this rejected record could not be kept: the data folder cannot be written ({reason})."),
                {"reason": exc.strerror or type(exc).__name__})))
        self.session.add(problem)

    def run_batch(self, prepared: list[Prepared], libraries: dict) -> None:
        self._touched: list[Record] = []
        self._touched_ids: set[int] = set()
        self._problems: list[tuple[Record, list[ImportProblem]]] = []
        self._holdings: list[tuple[Record, list, ReadResult, list[ImportProblem]]] = []
        self._with_new_copies: list[Record | NewRecord] = []
        self._written: list[tuple[Record | NewRecord, str]] = []
        self._pending_others: list[tuple[ImportProblem, Record | NewRecord]] = []
        good = [p for p in prepared if p.draft is not None]
        self.lookup(good)
        for item in prepared:
            self.summary.read += 1
            if item.draft is None:
                self.reject(item.result)
            else:
                self.write(item, libraries)
        ids = insert_records(self.session, [(r.draft, r.marc) for r in self._created], now=self.now)
        for record, record_id in zip(self._created, ids):
            record.id = record_id
        self.session.flush()
        self.created_ids.update(ids)
        store_match_keys(self.session, self._touched)
        store_own_keys(self.session, [(r.id, r.marc, r.control_number, r.control_source, name)
                                      for r, name in self._written])
        self.write_copies_and_problems(libraries)

    def write_copies_and_problems(self, libraries) -> None:
        """After the records are written: the copies of their holdings, and each record's problems
        (conflicts naming the record they met, warnings) with the record's id."""
        for problem, other in self._pending_others:
            problem.params = {**problem.params, "other": other.id}
        if self._holdings:
            made, notes = add_holdings(self.session, [(r, h) for r, h, _res, _p in self._holdings], libraries,
                                       default_code=self.default_library_code, now=self.now)
            self.summary.copies += sum(made)
            for (record, _h, result, problems), copies, record_notes in zip(self._holdings, made, notes):
                problems += [self._problem("warning", result, note) for note in record_notes]
                if copies:
                    self._with_new_copies.append(record)
        for record, problems in self._problems:
            self.summary.warnings += any(p.kind == "warning" for p in problems)
            for problem in problems:
                problem.record_id = record.id
                self.session.add(problem)


def _results(paths: list[Path], names: list[str]) -> Iterator[tuple[int, ReadResult]]:
    done = 0
    for path, name in zip(paths, names):
        for result in read_file(path, name=name):
            yield done + result.offset + len(result.raw), result
        done += path.stat().st_size


def _unit_batches(paths: list[Path], names: list[str], size: int) -> Iterator[tuple[int, list[tuple]]]:
    done, batch, position = 0, [], 0
    for path, name in zip(paths, names):
        for unit in file_units(path, name):
            batch.append(unit)
            position = done + unit[3] + len(unit[4])
            if len(batch) >= size:
                yield position, batch
                batch = []
        done += path.stat().st_size
    yield done, batch


def prepare_units(units: list[tuple]) -> list[Prepared]:
    """Decode and map raw records (runs in a worker process when the import has workers)."""
    return [prepare(decode_unit(unit)) for unit in units]


def _prepared_batches(paths: list[Path], names: list[str], size: int, workers: int) -> Iterator[tuple[int, list]]:
    """Batches of prepared records in file order; with workers, a few batches are decoded ahead."""
    if workers <= 0:
        for position, units in _unit_batches(paths, names, size):
            yield position, prepare_units(units)
        return
    import collections
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: collections.deque = collections.deque()
    import os

    from catalog.jobs.processes import die_with_parent

    # The decoders die with this process and drop the sockets they inherit (issue 14.3).
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        for position, units in _unit_batches(paths, names, size):
            pending.append((position, pool.submit(prepare_units, units)))
            if len(pending) > workers + 1:  # bounded read-ahead keeps memory flat
                done_position, future = pending.popleft()
                yield done_position, future.result()
        while pending:
            done_position, future = pending.popleft()
            yield done_position, future.result()


def import_marc(
    session_factory: sessionmaker, paths: list[Path], *, data_dir: Path, now: dt.datetime,
    library_code: str | None = None, strict: bool = False, names: list[str] | None = None,
    user_id: int | None = None, run_id: int | None = None, batch_size: int = 500,
    progress: Progress | None = None, after_batch: Callable[[], None] | None = None, workers: int = 0,
    changed: Callable[[list[int]], None] | None = None,
) -> ImportSummary:
    """Import MARC files; raises MarcFileError (missing, empty, not MARC) before writing anything.

    With workers > 0, decoding and mapping run in that many forked processes while this one writes
    (big files; small ones stay in-process). `progress(ReadProgress)` and `after_batch()` run after
    each batch's commit, and `changed(ids)` gets the ids of the records that batch created or
    changed (for the index)."""
    paths = [Path(p) for p in paths]
    names = names or [p.name for p in paths]
    for path, name in zip(paths, names):
        detect_format(path, name)
    total = sum(p.stat().st_size for p in paths)
    with session_factory.begin() as session:
        if library_code:
            library_code = get_library_by_code(session, library_code).code
        run = get_run(session, run_id) if run_id else start_run(
            session, files=names, library_code=library_code or "", is_strict=strict, user_id=user_id, now=now)
        run_id = run.id
        refresh_match_keys(session)
    summary = ImportSummary(run_id=run_id)
    if strict and _refuse_if_bad(session_factory, run_id, paths, names, summary, data_dir=data_dir, now=now):
        return summary
    # Bulk imports (with workers) collect garbage rarely: a third of their time otherwise.
    with fewer_collections() if workers > 0 else contextlib.nullcontext():
        for position, batch in _prepared_batches(paths, names, batch_size, workers):
            ids = _write(session_factory, run_id, batch, summary, data_dir, now, library_code, progress, position,
                         total)
            if changed:
                changed(ids)
            if after_batch:
                after_batch()
    with session_factory.begin() as session:
        run = get_run(session, run_id)
        run.status, run.counts, run.finished_at = "done", summary.as_json(), now
    if after_batch:
        after_batch()
    return summary


def _write(session_factory, run_id, batch, summary, data_dir, now, library_code, progress, position,
           total) -> list[int]:
    """Write one batch in one transaction; returns the ids of the records it created or changed."""
    with session_factory.begin() as session:
        run = get_run(session, run_id)
        libraries = _libraries(session)
        writer = Batch(session, run, summary, data_dir=data_dir, now=now, default_library_code=library_code)
        writer.run_batch(batch, libraries)
        run.counts = summary.as_json()
    if progress:
        progress(read_progress(summary.read, position, total))
    return writer.changed_ids()


def _libraries(session: Session) -> dict:
    from catalog.libraries import Library

    return {library.code: library for library in session.scalars(select(Library))}


def _refuse_if_bad(session_factory, run_id, paths, names, summary, *, data_dir, now) -> bool:
    """Strict mode: read everything first; if any record is bad, report them and write nothing."""
    bad: list[ReadResult] = []
    read = 0
    for _position, result in _results(paths, names):
        read += 1
        if prepare(result).draft is None:
            bad.append(result)
    if not bad:
        return False
    with session_factory.begin() as session:
        run = get_run(session, run_id)
        batch = Batch(session, run, summary, data_dir=data_dir, now=now, default_library_code=None)
        for result in bad:
            batch.reject(result)
        summary.read, summary.refused = read, True
        run.status, run.counts, run.finished_at = "refused", summary.as_json(), now
        run.message = "strict"
    return True

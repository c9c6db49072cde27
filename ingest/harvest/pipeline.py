"""Writing Dublin Core and harvested records through the MARC import's batches: the same
mapping, duplicate rules, conflict report and quarantine (ingest/marc/pipeline.py).

A file (import-dc) follows the MARC import exactly: a record matching one in the catalogue
updates it. A harvest differs on one point: a record is updated in place only through its own
source's link (source + OAI identifier); a new OAI identifier that matches a record from
elsewhere (another source, a MARC import, a cataloguer) is created apart and reported as a
conflict for a cataloguer, never merged silently."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from catalog.errors import N_
from catalog.harvest.models import HarvestLink
from catalog.harvest.services import links_by_identifier
from catalog.records.imports import ImportRun, get_run, refresh_match_keys, start_run, store_match_keys
from catalog.copies.items import ItemStatus
from catalog.records.models import Record, apply_draft, delete_record, insert_records
from ingest.harvest.files import detect, read_dc_file
from ingest.harvest.records import OaiItem
from ingest.marc.matching import store_own_keys
from ingest.marc.pipeline import Batch, ImportSummary, NewRecord, Prepared, _libraries, _write, prepare
from ingest.marc.results import Problem


def _batches(paths: list[Path], names: list[str], size: int) -> Iterator[tuple[int, list[Prepared]]]:
    done, batch = 0, []
    for path, name in zip(paths, names):
        for result in read_dc_file(path, name=name):
            batch.append(prepare(result))
            if len(batch) >= size:
                yield done + result.offset, batch
                batch = []
        done += path.stat().st_size
    yield done, batch


def check_files(paths: list[Path], names: list[str]) -> None:
    """Raise DcFileError for the first file that is not Dublin Core or breaks before its first
    record (so that nothing is written when nothing can be read)."""
    for path, name in zip(paths, names):
        detect(path, name)
        next(iter(read_dc_file(path, name=name)), None)


def import_dc(session_factory: sessionmaker, paths: list[Path], *, data_dir: Path, now: dt.datetime,
              names: list[str] | None = None, user_id: int | None = None, run_id: int | None = None,
              batch_size: int = 500, progress: Callable[[int, int], None] | None = None,
              after_batch: Callable[[], None] | None = None) -> ImportSummary:
    """Import Dublin Core files (see ingest/harvest/files.py); raises DcFileError before writing
    anything when a file is not DC, and reports bad records like import_marc."""
    paths = [Path(p) for p in paths]
    names = names or [p.name for p in paths]
    check_files(paths, names)
    total = sum(p.stat().st_size for p in paths)
    with session_factory.begin() as session:
        run = get_run(session, run_id) if run_id else start_run(session, files=names, user_id=user_id, now=now)
        run_id = run.id
        refresh_match_keys(session)
    summary = ImportSummary(run_id=run_id)
    for position, batch in _batches(paths, names, batch_size):
        _write(session_factory, run_id, batch, summary, data_dir, now, None, progress, position, total)
        if after_batch:
            after_batch()
    with session_factory.begin() as session:
        run = get_run(session, run_id)
        run.status, run.counts, run.finished_at = "done", summary.as_json(), now
    return summary


@dataclasses.dataclass
class HarvestSummary(ImportSummary):
    deleted: int = 0

    def as_json(self) -> dict:
        """read, created, updated, deleted, unchanged, rejected, warnings, copies, conflicts."""
        return {**super().as_json(), "deleted": self.deleted}


def summary_from(run_id: int, counts: dict) -> HarvestSummary:
    """A harvest's counts so far (a resumed harvest adds to them)."""
    names = ("read", "created", "updated", "unchanged", "rejected", "warnings", "copies", "conflicts", "deleted")
    return HarvestSummary(run_id=run_id, **{k: int(counts.get(k, 0)) for k in names})


class HarvestBatch(Batch):
    """One page of a harvest, written in the caller's transaction."""

    def __init__(self, session: Session, run: ImportRun, summary: HarvestSummary, *, source_id: int,
                 data_dir: Path, now: dt.datetime, library_code: str | None) -> None:
        super().__init__(session, run, summary, data_dir=data_dir, now=now, default_library_code=library_code)
        self.source_id = source_id

    def write_page(self, items: list[OaiItem]) -> list[int]:
        """Create, update, withdraw and report this page's records; returns the ids changed."""
        self._touched, self._touched_ids, self._problems, self._holdings = [], set(), [], []
        self._with_new_copies, self._written, self._pending_others = [], [], []
        prepared = {id(item): prepare(item.result) for item in items if not item.is_deleted}
        self.lookup([p for p in prepared.values() if p.draft is not None])
        links = links_by_identifier(self.session, self.source_id, [i.identifier for i in items if i.identifier])
        self._new_links: list[tuple[OaiItem, NewRecord]] = []
        pending: dict[str, NewRecord] = {}
        for item in items:
            self.summary.read += 1
            if item.is_deleted:
                self._withdraw(item, links.get(item.identifier))
                continue
            current = prepared[id(item)]
            if current.draft is None:
                self.reject(item.result)
            elif item.identifier in links:
                self._update(item, current, links[item.identifier])
            elif item.identifier in pending:  # listed twice in one page: the later version wins
                pending[item.identifier].draft, pending[item.identifier].marc = current.draft, current.marc
                self.summary.updated += 1
            else:
                pending[item.identifier] = self._create(item, current)
        return self._flush_page(items)

    def _create(self, item: OaiItem, current: Prepared) -> NewRecord:
        rule, match, conflict = self.match(current.draft, current.marc, current.keys)
        record = NewRecord(current.draft, current.marc, self.now)
        self._created.append(record)
        self.summary.created += 1
        problems = [self._problem("warning", item.result, w) for w in item.result.warnings]
        other = match if match is not None else (conflict[1] if conflict else None)
        if other is not None:
            self.summary.conflicts += 1
            problem = self._problem("conflict", item.result, Problem(
                N_("Not merged with record {other} “{other_title}”, which it matches: that record comes from "
                   "elsewhere (another source or this catalogue). It was created as a separate record for a "
                   "cataloguer to review."), {"other": other.id or 0, "other_title": other.title[:120]}),
                rule=rule or (conflict[0] if conflict else ""))
            problems.append(problem)
            self._pending_others.append((problem, other))
        for key in current.keys:
            self._remember(key, record)
        self._new_links.append((item, record))
        self._written.append((record, item.result.file_name))
        self._touched.append(record)
        if current.holdings:
            self._holdings.append((record, current.holdings, item.result, problems))
        self._problems.append((record, problems))
        return record

    def _update(self, item: OaiItem, current: Prepared, link: HarvestLink) -> None:
        record = self.session.get(Record, link.record_id)
        link.datestamp, link.is_deleted = item.datestamp[:32], False
        problems = [self._problem("warning", item.result, w) for w in item.result.warnings]
        if record.marc == current.marc and not record.is_deleted:
            self.summary.unchanged += 1
        else:
            if record.is_deleted:
                record.deleted_at = None  # the partner published it again
            apply_draft(self.session, record, current.draft, marc=current.marc, now=self.now)
            self.summary.updated += 1
            problems.append(self._problem("updated", item.result, Problem(N_("Matched by rule: {rule}."),
                                                                          {"rule": "oai"}), rule="oai"))
            self._touched.append(record)
            self._written.append((record, item.result.file_name))
        self._problems.append((record, problems))

    def _withdraw(self, item: OaiItem, link: HarvestLink | None) -> None:
        """A deleted record: withdraw the record this source gave, if it has no copies in use."""
        if link is None or link.is_deleted:
            self.summary.unchanged += 1
            return
        record = self.session.get(Record, link.record_id)
        live = [i.barcode for i in record.items if i.status != ItemStatus.WITHDRAWN]
        if live:
            self.summary.unchanged += 1
            self._problems.append((record, [self._problem("warning", item.result, Problem(
                N_("The source deleted this record, but it has {count} copies here ({barcodes}); it was kept. "
                   "Withdraw the copies, then the record, if it should go."),
                {"count": len(live), "barcodes": ", ".join(live[:5])}))]))
            return
        link.is_deleted, link.datestamp = True, item.datestamp[:32]
        if not record.is_deleted:
            delete_record(self.session, record, now=self.now)
            self._touched.append(record)
        self.summary.deleted += 1

    def _flush_page(self, items: list[OaiItem]) -> list[int]:
        ids = insert_records(self.session, [(r.draft, r.marc) for r in self._created], now=self.now)
        for record, record_id in zip(self._created, ids):
            record.id = record_id
        self._created = []
        if self._new_links:
            self.session.execute(insert(HarvestLink), [
                {"source_id": self.source_id, "oai_identifier": item.identifier, "record_id": record.id,
                 "datestamp": item.datestamp[:32], "is_deleted": False} for item, record in self._new_links])
        self.session.flush()
        self.created_ids.update(ids)
        store_match_keys(self.session, [r for r in self._touched if not getattr(r, "is_deleted", False)])
        store_own_keys(self.session, [(r.id, r.marc, r.control_number, r.control_source, name)
                                      for r, name in self._written])
        self.write_copies_and_problems(_libraries(self.session))
        return self.changed_ids()

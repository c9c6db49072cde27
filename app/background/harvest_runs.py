"""Running a harvest or a Dublin Core import inside the app (jobs, CLI, schedule): each page of
a harvest is written with the resumptionToken that follows it in one transaction, so a harvest
stopped anywhere (worker killed, network down) goes on from the last page written and applies
nothing twice."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from flask import Flask

from app.hooks import after_commit
from catalog.db import utcnow
from catalog.harvest import services
from catalog.records.imports import get_run as get_import_run, start_run as start_import_run
from catalog.jobs.models import Job, create_job
from catalog.accounts.users import User
from ingest.harvest.client import Settings, list_records
from ingest.harvest.errors import OaiProtocolError
from ingest.harvest.pipeline import HarvestBatch, import_dc, summary_from
from ingest.marc.pipeline import ImportSummary

# The search index catches up every this many pages of a harvest (and at its end).
SYNC_EVERY_PAGES = 10


def client_settings(app: Flask) -> Settings:
    """Timeout, retries and the longest Retry-After, from LIBRARY_HARVEST_*."""
    config = app.config
    return Settings(timeout=float(config["HARVEST_TIMEOUT_SECONDS"]), retries=int(config["HARVEST_RETRIES"]),
                    max_wait=float(config["HARVEST_MAX_RETRY_AFTER_SECONDS"]))


def queue_harvest(session, actor: User | None, source, *, label: str) -> Job:
    """A harvest run of the source, its report and its job (the caller commits, then submits)."""
    now = utcnow()
    report = start_import_run(session, files=[f"OAI-PMH: {source.name}"[:500]],
                              library_code=source.library.code if source.library else "",
                              user_id=actor.id if actor else None, now=now)
    run = services.start_run(session, actor, source, now=now, import_run_id=report.id)
    job = create_job(session, "harvest", label=label, user_id=actor.id if actor else None,
                     params={"harvest_run_id": run.id, "run_id": report.id, "report_endpoint": "harvest.job_report"})
    run.job_id = job.id
    return job


def run_harvest(app: Flask, harvest_run_id: int, report: Callable[[int, int | None], None]) -> dict:
    """Harvest page after page from where the run stands; returns the counts."""
    factory, settings = app.extensions["session_factory"], client_settings(app)
    with factory.begin() as session:
        run = services.get_run(session, harvest_run_id)
        if run.status == "done":
            return {"harvest_run_id": run.id, "run_id": run.import_run_id, **run.counts}
        run.status, run.message = "running", ""
        get_import_run(session, run.import_run_id).status = "running"
        source = run.source
        base_url, prefix, set_spec = source.base_url, source.metadata_prefix, source.set_spec
        library_code = source.library.code if source.library else None
        token, from_value, source_id = run.resumption_token, run.from_value, source.id

    restarted, pages = False, 0
    while True:
        try:
            page = list_records(base_url, metadata_prefix=prefix, from_value=from_value, set_spec=set_spec,
                                token=token, settings=settings, file_name=f"oai:{source_id}")
        except OaiProtocolError as exc:
            if exc.code != "badResumptionToken" or restarted:
                raise
            # The partner forgot the token (expired, restarted): list again from this run's start;
            # what was written already comes back as unchanged.
            token, restarted = "", True
            continue
        counts = _write_page(app, harvest_run_id, source_id, page, library_code)
        pages += 1
        if not page.token or pages % SYNC_EVERY_PAGES == 0:
            after_commit(app)  # the search index follows (records stay marked stale until then)
        report(counts["fetched"], counts["list_size"])
        if not page.token:
            return {"harvest_run_id": harvest_run_id, "run_id": counts["run_id"], **counts["counts"]}
        token = page.token


def _write_page(app: Flask, harvest_run_id: int, source_id: int, page, library_code: str | None) -> dict:
    factory = app.extensions["session_factory"]
    now = utcnow()
    with factory.begin() as session:
        run = services.get_run(session, harvest_run_id)
        report = get_import_run(session, run.import_run_id)
        summary = summary_from(report.id, run.counts or {})
        batch = HarvestBatch(session, report, summary, source_id=source_id, data_dir=Path(app.config["DATA_DIR"]),
                             now=now, library_code=library_code)
        batch.write_page(page.items)
        run.counts = report.counts = summary.as_json()
        run.resumption_token, run.pages, run.fetched = page.token, run.pages + 1, run.fetched + len(page.items)
        run.list_size = page.list_size if page.list_size is not None else run.list_size
        run.response_date = run.response_date or page.response_date
        if not page.token:
            services.finish_run(session, run, now=now)
            report.status, report.finished_at = "done", now
        outcome = {"fetched": run.fetched, "list_size": run.list_size, "counts": dict(run.counts),
                   "run_id": report.id}
    return outcome


def fail_harvest(app: Flask, harvest_run_id: int, message: str) -> None:
    """Mark the run and its report failed with this message (the token stays for a retry)."""
    now = utcnow()
    with app.extensions["session_factory"].begin() as session:
        services.fail_run(session, harvest_run_id, message=message, now=now)
        run = services.get_run(session, harvest_run_id)
        report = get_import_run(session, run.import_run_id)
        report.status, report.message, report.finished_at = "failed", message[:2000], now


def run_dc_import(app: Flask, paths: list[Path], **options) -> ImportSummary:
    """import_dc with the app's database and data folder; the index follows."""
    summary = import_dc(app.extensions["session_factory"], paths, data_dir=Path(app.config["DATA_DIR"]),
                        now=utcnow(), after_batch=lambda: after_commit(app), **options)
    after_commit(app)
    return summary

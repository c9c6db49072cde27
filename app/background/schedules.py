"""Work the server does on a schedule: periodic tasks on the same queue, run by the workers.

Every worker's scheduler queues them (unless started with --no-schedules); each is idempotent, so
two workers queuing the same one do no harm. Each function takes the app and a clock value, so a
test runs it at any time it likes."""
from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from flask import Flask
from huey import Huey, crontab

from app.background.queue import recover_jobs
from catalog.db import utcnow
from catalog.jobs.housekeeping import expire_holds, prune_sign_in_attempts
from catalog.jobs.models import active_job_params

log = logging.getLogger(__name__)


def expire_holds_due(app: Flask, now: dt.datetime) -> dict:
    """Expire holds not collected in time; the copy goes to the next reader waiting."""
    with app.extensions["session_factory"].begin() as session:
        outcome = expire_holds(session, now=now)
    if outcome.expired:
        log.info("holds expired: %s; set aside for the next reader: %s", outcome.expired, outcome.passed_on)
    return {"expired": outcome.expired, "passed_on": outcome.passed_on}


def _uploads_in_use(app: Flask) -> set[Path]:
    with app.extensions["session_factory"]() as session:
        params = active_job_params(session)
    return {Path(p).resolve() for one in params for p in (one.get("path"), one.get("metadata")) if p}


def prune(app: Flask, now: dt.datetime) -> dict:
    """Delete sign-in attempts and uploaded files (of jobs no longer waiting) past their age."""
    keep_attempts = dt.timedelta(days=float(app.config["SIGN_IN_ATTEMPTS_KEEP_DAYS"]))
    with app.extensions["session_factory"].begin() as session:
        attempts = prune_sign_in_attempts(session, now=now, keep=keep_attempts)
    cutoff = (now - dt.timedelta(days=float(app.config["UPLOADS_KEEP_DAYS"]))).replace(tzinfo=dt.UTC).timestamp()
    folder = Path(app.config["DATA_DIR"]) / "uploads"
    in_use, removed = _uploads_in_use(app), []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.resolve() in in_use or path.stat().st_mtime >= cutoff:
            continue
        shutil.rmtree(path) if path.is_dir() else path.unlink()
        removed.append(path.name)
    log.info("pruned %s sign-in attempts and %s uploads", attempts, len(removed))
    return {"sign_in_attempts": attempts, "uploads": removed}


def check_and_repair_index(app: Flask, now: dt.datetime) -> dict:
    """The nightly check-index: log the drift found and rebuild the index when there is any (or
    when it was written by another schema version)."""
    from app.search import search_backend

    backend = search_backend(app)
    if not backend.health().exists:
        count = backend.rebuild()
        log.warning("check-index at %s: no index; built one with %s records", now.isoformat(), count)
        return {"clean": False, "rebuilt": count, "missing": [], "stale": [], "orphaned": []}
    found = backend.check()
    outcome = {"clean": found.is_clean, "missing": found.missing, "stale": found.stale, "orphaned": found.orphaned}
    if found.is_clean:
        log.info("check-index at %s: the index matches the database (%s records)", now.isoformat(), found.live)
        return {**outcome, "rebuilt": 0}
    if found.needs_rebuild:
        log.warning("check-index at %s: the index records schema version %s, this code needs %s; rebuilding",
                    now.isoformat(), found.schema_version, found.expected_schema_version)
    log.warning("check-index at %s: %s missing, %s stale, %s orphaned; rebuilding", now.isoformat(),
                len(found.missing), len(found.stale), len(found.orphaned))
    return {**outcome, "rebuilt": backend.rebuild()}


def harvest_due(app: Flask, now: dt.datetime) -> list[int]:
    """Queue a harvest of every daily or weekly source whose time has come; returns the job ids."""
    from flask_babel import force_locale, gettext

    from app.background.harvest_runs import queue_harvest
    from catalog.harvest.services import sources_due

    jobs = []
    with app.app_context(), force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        with app.extensions["session_factory"].begin() as session:
            for source in sources_due(session, now):
                label = gettext("Harvest: {name}").format(name=source.name)
                jobs.append(queue_harvest(session, None, source, label=label).id)
    for job_id in jobs:
        log.info("harvest job %s queued by the schedule", job_id)
        app.extensions["queue_tasks"]["run_job"](job_id)
    return jobs


def register(app: Flask, huey: Huey) -> None:
    """The periodic tasks on this app's queue."""

    @huey.periodic_task(crontab(minute="*"), name="recover_jobs")
    def recover_jobs_task() -> None:
        recover_jobs(app, utcnow())

    @huey.periodic_task(crontab(minute="*"), name="expire_holds")
    def expire_holds_task() -> None:
        expire_holds_due(app, utcnow())

    @huey.periodic_task(crontab(minute="*/15"), name="harvest_due")
    def harvest_due_task() -> None:
        harvest_due(app, utcnow())

    @huey.periodic_task(crontab(minute="17", hour="*/6"), name="prune")
    def prune_task() -> None:
        prune(app, utcnow())

    @huey.periodic_task(crontab(minute="0", hour=str(int(app.config["CHECK_INDEX_HOUR_UTC"]))), name="check_index")
    def check_index_task() -> None:
        with huey.lock_task("check_index"):
            with app.app_context():
                check_and_repair_index(app, utcnow())

"""The queue's tasks: a whole job, and one part of an OCR job (a few pages, on any worker).

An OCR job fans out: its runner queues one part per OCR_PAGES_PER_TASK pages and returns
PENDING; each part adds what it handled to the job's progress, and the part that completes the
count finishes the job. Parts carry the job's attempt number, so a part left over from an
attempt whose worker died does nothing."""
from __future__ import annotations

import datetime as dt
import logging

from flask import Flask
from huey import Huey

from app.hooks import after_commit
from catalog.db import utcnow
from catalog.digital.models import get_object
from catalog.jobs.models import Job, JobStatus, add_progress, end_job, get_job
from ingest.scans.errors import ScanError
from ingest.scans.iiif import prerender
from ingest.scans.ocr import tesseract_status
from ingest.scans.ocr_parts import finish_ocr, pages_left, read_pages
from ingest.scans.pipeline import run_ocr

log = logging.getLogger(__name__)
# Returned by a job function whose work goes on in other tasks (they finish the job).
PENDING = object()


def register(app: Flask, huey: Huey) -> dict:
    """Define the tasks on this app's queue; returns them by name."""
    from app.background.jobs import run_job
    from app.background.queue import Heartbeat

    @huey.task(name="run_job")
    def run_job_task(job_id: int) -> None:
        run_job(app, job_id)

    @huey.task(name="ocr_part")
    def ocr_part_task(job_id: int, attempt: int, numbers: list[int]) -> None:
        log.info("job %s: ocr_part, pages %s", job_id, numbers)  # which worker read which pages
        with Heartbeat(app, job_id), app.app_context():
            run_ocr_part(app, job_id, attempt, numbers)

    return {"run_job": run_job_task, "ocr_part": ocr_part_task}


def _ocr_settings(app: Flask) -> dict:
    return {"data_dir": app.config["DATA_DIR"], "languages": app.config["OCR_LANGUAGES"],
            "command": app.config["TESSERACT_COMMAND"]}


def ocr_in_parts(app: Flask, job_id: int, object_id: int, *, again: bool = False, base: dict | None = None):
    """Queue the OCR of the object's pages left for this job as parts; PENDING, or the report when
    there is nothing to split (no page left, tesseract missing)."""
    from pathlib import Path

    settings = _ocr_settings(app)
    status = tesseract_status(settings["command"], settings["languages"])
    factory = app.extensions["session_factory"]
    if not status.available:
        return {**(base or {}), "ocr": run_ocr(factory, object_id, again=again, data_dir=Path(settings["data_dir"]),
                                              languages=settings["languages"], command=settings["command"]).as_dict()}
    with factory.begin() as session:
        job = get_job(session, job_id)
        since = dt.datetime.fromisoformat(job.params.get("ocr_since") or utcnow().isoformat())
        left = pages_left(session, object_id, again=again, since=since)
        pages = len(job.params.get("ocr_pages") or []) or len(left)
        job.params = {**job.params, "ocr_object_id": object_id, "ocr_again": again, "ocr_since": since.isoformat(),
                      "ocr_pages": job.params.get("ocr_pages") or left, "ocr_base": base or {},
                      "ocr_missing": status.missing, "ocr_languages": status.languages}
        job.total, job.progress, attempt = pages, pages - len(left), job.attempts
    if not left:
        _finish(app, job_id)
        return PENDING
    size = max(1, int(app.config["OCR_PAGES_PER_TASK"]))
    for start in range(0, len(left), size):
        app.extensions["queue_tasks"]["ocr_part"](job_id, attempt, left[start:start + size])
    return PENDING


def run_ocr_part(app: Flask, job_id: int, attempt: int, numbers: list[int]) -> None:
    """Read these pages for the job, count them, and finish the job when all are counted."""
    from pathlib import Path

    factory = app.extensions["session_factory"]
    with factory() as session:
        job = session.get(Job, job_id)
        if job is None or job.status != JobStatus.RUNNING or job.attempts != attempt:
            return  # left over from an earlier attempt, or the job is over
        params = dict(job.params)
    settings = _ocr_settings(app)
    since = dt.datetime.fromisoformat(params["ocr_since"])
    handled = read_pages(factory, params["ocr_object_id"], numbers, again=params["ocr_again"], since=since,
                         data_dir=Path(settings["data_dir"]), languages=params["ocr_languages"],
                         command=settings["command"])
    with factory.begin() as session:
        add_progress(session, job_id, attempt=attempt, done=handled)
    with factory() as session:
        job = session.get(Job, job_id)
        complete = job.progress >= (job.total or 0)
    after_commit(app)
    if complete:
        _finish(app, job_id)


def render_first_images(app: Flask, object_id: int) -> int:
    """Render the images a phone's reader asks for first, for every page of the object, into the
    derivative cache (at ingest, before OCR); returns how many were made. A page that cannot be
    rendered now is logged and left to be rendered on its first request."""
    from pathlib import Path

    from app.views.digital import first_sizes

    with app.extensions["session_factory"]() as session:
        pages = [(p.number, p.image_path, p.width, p.height, first_sizes(p))
                 for p in get_object(session, object_id).pages]
    cache, data_dir = app.extensions["derivative_cache"], Path(app.config["DATA_DIR"])
    made = 0
    for number, master, width, height, sizes in pages:
        try:
            made += prerender(cache, data_dir, object_id, number, master, width, height, sizes,
                              int(app.config["IIIF_MAX_AREA"]))
        except (ScanError, OSError) as exc:
            log.warning("object %s page %s: first images not rendered (%s)", object_id, number, exc)
    return made


def _finish(app: Flask, job_id: int) -> None:
    """Mark the OCR job done with its report (once: only the first part to get here does)."""
    factory = app.extensions["session_factory"]
    with factory.begin() as session:
        if not end_job(session, job_id, attempt=None, now=utcnow(), status=JobStatus.DONE, message=""):
            return  # another part finished it
        job = session.get(Job, job_id)
        params = dict(job.params)
        report = finish_ocr(session, params["ocr_object_id"], again=params["ocr_again"],
                            since=dt.datetime.fromisoformat(params["ocr_since"]), pages=job.total or 0,
                            missing=params.get("ocr_missing") or [])
        base = params.get("ocr_base") or {}
        job.result = {**base, "ocr": report.as_dict()} if base else report.as_dict()
    log.info("job %s: OCR finished (%s)", job_id, report.status)
    after_commit(app)

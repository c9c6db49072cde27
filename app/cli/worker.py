"""`flask --app app worker`: a worker process of the task queue (any number, on any machine that
shares the database, the data directory and the broker)."""
from __future__ import annotations

import logging
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from app.background.queue import recover_jobs
from catalog.db import utcnow


@click.command("worker")
@click.option("--threads", type=int, default=None,
              help="Tasks run at once in this process (default JOB_WORKERS, 1: one tesseract per process).")
@click.option("--no-schedules", is_flag=True, help="Do not queue the periodic tasks from this worker.")
@with_appcontext
def worker_command(threads: int | None, no_schedules: bool) -> None:
    """Run background jobs (MARC imports, scans, OCR pages) and the schedules until stopped."""
    app = current_app._get_current_object()
    huey = app.extensions["huey"]
    if huey.immediate:
        raise click.ClickException("JOBS_SYNCHRONOUS is set: jobs run inside the web process, no worker is needed.")
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core per tesseract: run more workers, not more threads
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    # The queue's own lines too (consumer started and stopped, each task run), in the app's format:
    # app.ops.logs keeps other libraries at warnings only.
    logging.getLogger("huey").setLevel(logging.INFO)
    again, failed = recover_jobs(app, utcnow())
    click.echo(f"Worker {os.getpid()} on {type(huey.storage).__name__}: {len(again)} job(s) queued again, "
               f"{len(failed)} marked failed.", err=True)
    consumer = huey.create_consumer(workers=threads or int(app.config["JOB_WORKERS"]), worker_type="thread",
                                    periodic=not no_schedules, check_worker_health=True)
    consumer.run()

"""OCR scale-out benchmark: pages a minute with 1 and 2 `flask --app app worker` processes on one
machine (SQLite broker, or Redis with --queue-url), one tesseract per worker.

Pages are drawn with Pillow (A4 at 150 dpi, ten lines of Vietnamese text, as bench/scans_ingest.py)
and ingested without OCR; each run queues one OCR job for a fresh copy of the pages and times it
from queuing to done. Usage: .venv/bin/python bench/ocr_workers.py [--pages 24] [--workers 1,2]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scans_ingest import make_pages  # noqa: E402

FLASK = Path(sys.executable).parent / "flask"


def time_ocr_job(app, object_id: int, logs: list[Path], start_timeout: float = 60):
    """Once every worker writing to `logs` is listening (the OCR is timed, not their start-up),
    queue an OCR job for the object and wait for it: (the finished job, seconds from queuing)."""
    from catalog.jobs.models import Job, create_job

    deadline = time.monotonic() + start_timeout
    while not all("consumer started" in log.read_text() for log in logs):
        if time.monotonic() > deadline:
            raise SystemExit("a worker did not start: " + " | ".join(log.read_text()[-2000:] for log in logs))
        time.sleep(0.2)
    with app.extensions["session_factory"].begin() as session:
        job_id = create_job(session, "scans.ocr", params={"object_id": object_id}).id
    started = time.perf_counter()
    with app.app_context():
        app.extensions["queue_tasks"]["run_job"](job_id)
    while True:
        with app.extensions["session_factory"]() as session:
            job = session.get(Job, job_id)
            if job.is_finished:
                break
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    assert job.status.value == "done", job.message
    return job, elapsed


def _ocr_run(app, folder: Path, workers: int, env: dict, log_dir: Path) -> dict:
    """Ingest the pages without OCR, queue the OCR job, start the workers, time it to done."""
    from catalog.db import utcnow

    result = app.test_cli_runner().invoke(args=["ingest-scans", str(folder), "--json", "--no-ocr"])
    object_id = json.loads(result.output.strip().splitlines()[-1])["object_id"]
    processes = []
    for number in range(workers):
        with open(log_dir / f"w{workers}-{number}.log", "wb") as log:
            processes.append(subprocess.Popen([str(FLASK), "--app", "app", "worker", "--no-schedules"], cwd=ROOT,
                                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    try:
        job, elapsed = time_ocr_job(app, object_id, [log_dir / f"w{workers}-{n}.log" for n in range(workers)])
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
    pages = job.result["pages_read"]
    return {"workers": workers, "pages": pages, "seconds": round(elapsed, 1),
            "pages_per_minute": round(60 * pages / elapsed, 1), "at": utcnow().isoformat(timespec="seconds")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--queue-url", default="", help="redis://… (default: the SQLite broker)")
    args = parser.parse_args()
    from app import create_app
    from app.schema import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        config = {"DATABASE_URL": f"sqlite:///{tmp_path}/bench.db", "DATA_DIR": str(tmp_path / "data"),
                  "SECRET_KEY": "bench-secret-key-long-enough", "QUEUE_URL": args.queue_url,
                  "QUEUE_NAME": f"hoclieu-bench-{os.getpid()}"}
        app = create_app({"TESTING": True, **config})
        upgrade(app.extensions["engine"])
        env = {**os.environ, **{f"LIBRARY_{key}": value for key, value in config.items()}}
        make_pages(tmp_path / "pages", args.pages)
        runs = [_ocr_run(app, tmp_path / "pages", int(n), env, tmp_path) for n in args.workers.split(",")]
        app.extensions["job_pool"].shutdown()
        app.extensions["engine"].dispose()
    for run in runs:
        print(f"{run['workers']} worker(s): {run['pages']} pages in {run['seconds']} s = "
              f"{run['pages_per_minute']} pages/min")
    if len(runs) > 1:
        print(f"speed-up {runs[-1]['pages_per_minute'] / runs[0]['pages_per_minute']:.2f}x")
    print(json.dumps(runs))


if __name__ == "__main__":
    main()

"""Jobs through real worker processes (`flask --app app worker`) on the embedded SQLite broker:
a worker killed mid-job (kill -9) leaves no job running for ever and no page read twice."""
from __future__ import annotations

import gc
import io
import os
import re
import time
import warnings
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.digital.models import DigitalObject
from catalog.copies.items import Item
from catalog.jobs.models import Job
from catalog.records.models import Record
from tests.app.worker_helpers import Workers, wait_for
from tests.conftest import SHARED_DATA, login, require_tool
from tests.ingest.scan_samples import text_image

LEASE = 2
PAGES = 8


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "JOBS_SYNCHRONOUS": False, "JOB_LEASE_SECONDS": LEASE}


@pytest.fixture
def workers(db_url, data_dir, tmp_path):
    pool = Workers(db_url, data_dir, tmp_path, JOB_LEASE_SECONDS=LEASE)
    yield pool
    pool.stop_all()


@pytest.fixture
def book(demo, runner, tmp_path) -> int:
    """A digital object of PAGES text pages, not OCR'd yet."""
    require_tool("tesseract")
    folder = tmp_path / "sach"
    folder.mkdir()
    for number in range(1, PAGES + 1):
        text_image([f"Page {number} of the ledger", "Reading room hours"]).save(folder / f"p{number:02d}.png")
    result = runner.invoke(args=["ingest-scans", str(folder), "--no-ocr", "--json"])
    assert result.exit_code == 0, result.output
    return int(re.findall(r'"object_id": (\d+)', result.output)[-1])


def _job(app, job_id: int) -> Job:
    with app.extensions["session_factory"]() as session:
        job = session.get(Job, job_id)
        session.expunge(job)
        return job


def _read_pages(app, object_id: int) -> dict[int, object]:
    """Page number → when its OCR text was written, for the pages read so far."""
    with app.extensions["session_factory"]() as session:
        return {p.number: p.updated_at for p in session.get(DigitalObject, object_id).pages if p.text_source == "ocr"}


def _object_ids(app) -> list[int]:
    with app.extensions["session_factory"]() as session:
        return list(session.scalars(select(DigitalObject.id).order_by(DigitalObject.id)))


def _start_ocr(client, object_id: int) -> int:
    login(client, "bienmuc")
    response = client.post(f"/staff/scans/{object_id}/ocr")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _kill_mid_job(app, workers, object_id: int, job_id: int, first=None) -> dict:
    """Let a first worker read some pages, kill -9 it, wait for its lease to run out."""
    first = first or workers.start()
    wait_for(lambda: len(_read_pages(app, object_id)) >= 2, 90, "two pages read by the first worker", workers)
    workers.kill(first)
    before = _read_pages(app, object_id)
    assert 2 <= len(before) < PAGES
    assert _job(app, job_id).status.value == "running"  # until its lease runs out
    time.sleep(LEASE + 1)
    return before


def test_a_killed_workers_job_is_finished_by_the_next_worker_without_reading_a_page_twice(app, client, workers,
                                                                                          book):
    job_id = _start_ocr(client, book)
    assert _job(app, job_id).status.value == "queued"  # nothing runs in the web process
    page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "Đang chờ một tiến trình chạy nền" in page
    before = _kill_mid_job(app, workers, book, job_id)
    workers.start()  # at start it takes back the job whose lease expired
    job = wait_for(lambda: (j := _job(app, job_id)).is_finished and j, 120, "the job to finish", workers)
    assert job.status.value == "done", job.message
    assert job.attempts == 2 and job.result["pages_read"] == PAGES and job.result["status"] == "done"
    after = _read_pages(app, book)
    assert sorted(after) == list(range(1, PAGES + 1))
    assert {number: after[number] for number in before} == before, "pages read before the kill were read again"
    page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "xong" in page


def test_a_job_whose_worker_dies_too_often_fails_plainly_and_can_be_retried(app, client, workers, book):
    job_id = _start_ocr(client, book)
    before = _kill_mid_job(app, workers, book, job_id)
    workers.start(JOB_MAX_ATTEMPTS=1)
    job = wait_for(lambda: (j := _job(app, job_id)).is_finished and j, 30, "the job to be marked failed", workers)
    assert job.status.value == "failed"
    page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert "Tiến trình chạy công việc này đã dừng trước khi xong quá nhiều lần" in page
    assert 'http-equiv="refresh"' not in page and "Chạy lại công việc" in page
    response = client.post(f"/staff/jobs/{job_id}/retry")
    assert response.status_code == 302
    job = wait_for(lambda: (j := _job(app, job_id)).is_finished and j, 120, "the retried job to finish", workers)
    assert job.status.value == "done", job.message
    after = _read_pages(app, book)
    assert sorted(after) == list(range(1, PAGES + 1))
    assert {number: after[number] for number in before} == before
    assert client.post(f"/staff/jobs/{job_id}/retry").status_code == 409  # only a failed job


def test_retry_is_for_staff_only(app, client, workers, book):
    login(client, "bandoc")
    assert client.post("/staff/jobs/1/retry").status_code == 403


JAZZ = SHARED_DATA / "marc/evergreen-library-system__Evergreen/jazz_1k.mrc"


def _children(pid: int) -> set[int]:
    """Process ids whose parent is pid."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _records(app) -> tuple[int, int]:
    with app.extensions["session_factory"]() as session:
        return session.scalar(select(func.count(Record.id))), session.scalar(select(func.count(Item.id)))


def test_a_bulk_marc_import_killed_mid_way_leaves_no_helper_and_imports_nothing_twice(app, client, workers, demo):
    if not JAZZ.is_file() or (os.cpu_count() or 1) < 2:
        pytest.skip("needs the shared MARC sample and two cores (bulk mode)")
    records_before, _items = _records(app)
    login(client, "bienmuc")
    response = client.post("/staff/import", data={"file": (io.BytesIO(JAZZ.read_bytes()), "jazz_1k.mrc")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    del response
    with warnings.catch_warnings():  # the upload view leaves werkzeug's spooled upload file to the collector
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    first = workers.start(MARC_BULK_FROM_BYTES=1000)
    wait_for(lambda: _records(app)[0] > records_before and len(_children(first.pid)) >= 2, 90,
             "the import to commit a batch with its decoder and indexer running", workers)
    helpers = _children(first.pid)
    workers.kill(first)
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in helpers), 10,
             "the decoder and the indexer to die with their worker", workers)
    assert _records(app)[0] - records_before < 1000, "the kill came too late to test a partial import"
    time.sleep(LEASE + 1)
    workers.start(MARC_BULK_FROM_BYTES=1000)
    job = wait_for(lambda: (j := _job(app, job_id)).is_finished and j, 180, "the import to finish", workers)
    assert job.status.value == "done", job.message
    assert _records(app)[0] - records_before == 1000, "records imported twice or lost"
    from app.search import search_backend

    assert search_backend(app).check().missing == []


def test_workers_on_redis_share_the_pages_of_one_ocr_job(app_overrides, db_url, data_dir, tmp_path, runner, book):
    """Two workers on the Redis broker (as on two machines): both read pages of the same job."""
    import redis

    from app import create_app

    url, name = "redis://127.0.0.1:6379/0", f"hoclieu-test-{os.getpid()}-{time.monotonic_ns()}"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    web = create_app({**app_overrides, "QUEUE_URL": url, "QUEUE_NAME": name})
    pool = Workers(db_url, data_dir, tmp_path, JOB_LEASE_SECONDS=LEASE, QUEUE_URL=url, QUEUE_NAME=name)
    try:
        client = web.test_client()
        pool.start(), pool.start()
        # Both listening before the pages are queued: otherwise the first one up may read them all.
        # (the worker logs the queue's own "consumer started" line: operators, and bench/ocr_*.py, wait for it)
        wait_for(lambda: pool.logs().count("consumer started") >= 2, 60, "both workers to start", pool)
        job_id = _start_ocr(client, book)
        job = wait_for(lambda: (j := _job(web, job_id)).is_finished and j, 120, "the job to finish", pool)
        assert job.status.value == "done" and job.attempts == 1 and job.result["pages_read"] == PAGES
        logs = [path.read_text() for path in sorted(tmp_path.glob("worker-*.log"))]
        assert all("ocr_part" in log for log in logs), "each worker read some pages"
        assert sorted(_read_pages(web, book)) == list(range(1, PAGES + 1))
    finally:
        pool.stop_all()
        redis.Redis.from_url(url).delete(*(redis.Redis.from_url(url).keys(f"huey.*{name}*") or ["none"]))
        web.extensions["engine"].dispose()


def test_a_scan_upload_killed_during_its_ocr_is_not_ingested_twice(app, client, workers, demo, tmp_path, data_dir):
    require_tool("tesseract")
    files = []
    for number in range(1, PAGES + 1):
        buffer = io.BytesIO()
        text_image([f"Upload page {number}", "District reading room"]).save(buffer, format="PNG")
        files.append((io.BytesIO(buffer.getvalue()), f"p{number:02d}.png"))
    login(client, "bienmuc")
    response = client.post("/staff/scans", data={"files": files, "licence": "cc-by"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    first = workers.start()
    object_id = wait_for(lambda: _object_ids(app)[:1] and _object_ids(app)[0], 90, "the pages to be written",
                         workers)
    before = _kill_mid_job(app, workers, object_id, job_id, first=first)
    workers.start()
    job = wait_for(lambda: (j := _job(app, job_id)).is_finished and j, 120, "the job to finish", workers)
    assert job.status.value == "done", job.message
    assert job.result["object_id"] == object_id and job.result["ocr"]["pages_read"] == PAGES
    assert _object_ids(app) == [object_id]
    after = _read_pages(app, object_id)
    assert sorted(after) == list(range(1, PAGES + 1)) and {n: after[n] for n in before} == before
    assert list((data_dir / "uploads").iterdir()) == []
    report = client.get(f"/staff/scans/jobs/{job_id}").get_data(as_text=True)
    assert f"Đã nạp {PAGES} trang." in report

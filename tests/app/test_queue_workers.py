"""Jobs through real worker processes (`flask --app app worker`) on the embedded SQLite broker:
a worker killed mid-job (kill -9) leaves no job running for ever and no page read twice."""
from __future__ import annotations

import re
import time

import pytest

from catalog.digital import DigitalObject
from catalog.jobs import Job
from tests.app.worker_helpers import Workers, wait_for
from tests.conftest import login, require_tool
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


def _start_ocr(client, object_id: int) -> int:
    login(client, "bienmuc")
    response = client.post(f"/staff/scans/{object_id}/ocr")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _kill_mid_job(app, workers, object_id: int, job_id: int) -> dict:
    """Let a first worker read some pages, kill -9 it, wait for its lease to run out."""
    first = workers.start()
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

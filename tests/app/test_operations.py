"""/healthz beyond the index (a backlog the index is far behind, a data folder that cannot be
written), its detail for administrators, and the log line a job leaves."""
from __future__ import annotations

import datetime as dt
import logging
import shutil

import pytest

from app.hooks import after_commit
from catalog.jobs.models import Job, create_job
from catalog.records.models import RecordDraft, create_record
from tests.conftest import login


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "HEALTH_MAX_STALE_RECORDS": 2}


def add_unindexed(app, count: int) -> None:
    """Records committed without the index sync (as a failed or interrupted import leaves them)."""
    with app.extensions["session_factory"].begin() as session:
        for n in range(count):
            create_record(session, RecordDraft(title=f"Địa chí xã {n}"))


def test_an_index_far_behind_the_catalogue_is_not_healthy(app, client):
    add_unindexed(app, 1)
    after_commit(app)  # one record indexed: the index is not empty
    add_unindexed(app, 2)
    assert client.get("/healthz").status_code == 200  # at the threshold: still ok
    add_unindexed(app, 1)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["index_backlog"] == "error: the search index is far behind the catalogue"
    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    assert client.get("/healthz").status_code == 200


def test_a_data_folder_that_cannot_be_written_is_not_healthy(client, data_dir):
    assert client.get("/healthz").get_json()["checks"]["data"] == "ok"
    shutil.rmtree(data_dir)
    data_dir.write_text("")  # a file where the folder was: nothing can be written under it
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["data"] == "error: the data folder cannot be written"
    assert str(data_dir) not in response.get_data(as_text=True)


def test_the_detail_is_for_a_signed_in_administrator_only(demo, client):
    with demo.extensions["session_factory"].begin() as session:
        first = create_job(session, "marc_import", label="a.mrc")
        session.get(Job, first.id).created_at = dt.datetime(2026, 1, 1, 8, 0)
        create_job(session, "scan_ingest", label="b.pdf")
    add_unindexed(demo, 1)
    assert "detail" not in client.get("/healthz?detail=1").get_json()  # anyone: the plain answer
    login(client, "thuthu_tt")
    assert "detail" not in client.get("/healthz?detail=1").get_json()  # staff, not an administrator
    client.post("/logout")
    login(client, "admin")
    body = client.get("/healthz?detail=1").get_json()
    assert body["status"] == "ok"
    detail = body["detail"]
    assert detail["database"]["backend"] in ("sqlite", "postgresql")
    assert detail["index"]["documents"] == 60 and detail["index"]["stale_records"] == 1
    assert detail["queue"]["waiting"] == 2 and detail["queue"]["running"] == 0
    oldest = detail["queue"]["oldest_waiting"]
    assert (oldest["id"], oldest["kind"], oldest["queued_at"]) == (first.id, "marc_import", "2026-01-01T08:00:00")
    assert oldest["waiting_seconds"] > 3600


def test_a_job_leaves_a_start_and_an_end_line_with_its_id(app, caplog):
    from app.background.jobs import job_type, run_job

    @job_type("test_echo")
    def echo(_factory, job_id, report):
        logging.getLogger("app.test").info("working")
        return {"ok": True}

    with app.extensions["session_factory"].begin() as session:
        job_id = create_job(session, "test_echo").id
    with caplog.at_level(logging.INFO, logger="app"):
        run_job(app, job_id)
    lines = [app_formatted(record) for record in caplog.records if record.name in ("app.job", "app.test")]
    assert [line.split(" msg=")[1].split(" ")[0] for line in lines] == ['"job', "working", '"job']
    assert all(f"job_id={job_id}" in line for line in lines)
    assert "status=done" in lines[-1] and "kind=test_echo" in lines[-1]


def app_formatted(record: logging.LogRecord) -> str:
    from app.ops.logs import KeyValueFormatter
    return KeyValueFormatter().format(record)


def test_a_save_that_finds_the_index_busy_leaves_no_traceback_in_the_log(demo, client, caplog, monkeypatch):
    """Another process writing the index is normal with several server processes: the record stays
    stale for a background sync, and the log (the soak test counts tracebacks in it) has none."""
    import app.search
    from search_index.writer import open_index, open_writer
    from tests.app.test_staff_records import FORM

    monkeypatch.setattr(app.search, "REQUEST_LOCK_TIMEOUT", 0.2)
    login(client, "bienmuc")
    ix = open_index(app.search.search_backend(demo).index_dir)
    writer = open_writer(ix)  # as another process's writer would: the lock is taken
    try:
        with caplog.at_level(logging.INFO, logger="app"):
            response = client.post("/staff/records/new", data=FORM, follow_redirects=True)
    finally:
        writer.cancel()
        ix.close()
    assert response.status_code == 200
    assert [r.getMessage() for r in caplog.records if r.name == "app.search" and "busy" in r.getMessage()]
    assert not [r for r in caplog.records if r.exc_info]


def test_a_warm_up_compiles_the_pages_and_counts_no_use(demo, caplog):
    from app.ops.checks import warm_up
    from catalog.reports.usage import usage_total

    with caplog.at_level(logging.INFO, logger="app"):
        warm_up(demo)
    assert not [record for record in caplog.records if record.name == "app.request"]  # unlogged
    with demo.extensions["session_factory"]() as session:
        assert usage_total(session, "session", dt.date(2000, 1, 1), dt.date(2100, 1, 1)) == 0
        assert usage_total(session, "search", dt.date(2000, 1, 1), dt.date(2100, 1, 1)) == 0
    assert demo.config["USAGE_COUNTING"] is True
    assert {"record.html", "login.html", "search.html"} <= {key[1] for key in demo.jinja_env.cache.keys()}

"""Periodic tasks, called with a clock value: holds not collected in time pass to the next reader,
old sign-in attempts and uploads are pruned, the nightly check-index repairs drift."""
from __future__ import annotations

import datetime as dt
import logging
import os

from sqlalchemy import select

from app.background.schedules import check_and_repair_index, expire_holds_due, prune
from catalog.circulation import lending
from catalog.circulation.models import CirculationEvent, EventKind, Hold, HoldStatus
from catalog.jobs.models import create_job
from catalog.accounts.sign_in import LoginAttempt
from search_index.writer import check_index, open_index
from tests.catalog.test_circulation_support import NOW, build_world
from tests.conftest import login

READY_TEXT = "sẵn sàng để nhận"


def test_an_uncollected_hold_expires_at_its_time_and_the_next_reader_is_told(app, session):
    w = build_world(session, copies=8)
    record = w.item("C0005").record
    first = lending.place_hold(session, reader=w.pupil, record=record, library=w.centre, now=NOW)
    second = lending.place_hold(session, reader=w.reader, record=record, library=w.centre,
                                now=NOW + dt.timedelta(hours=1))
    lending.fill_hold(session, barcode="C0005", library=w.centre, now=NOW)
    session.commit()
    due = first.expires_at
    assert expire_holds_due(app, due - dt.timedelta(minutes=1)) == {"expired": [], "passed_on": []}
    assert expire_holds_due(app, due + dt.timedelta(minutes=1)) == {"expired": [first.id], "passed_on": [second.id]}
    session.expire_all()
    assert first.status == HoldStatus.EXPIRED and first.item_id is None
    assert second.status == HoldStatus.READY and second.item.barcode == "C0005"
    assert second.expires_at == due + dt.timedelta(minutes=1, days=lending.HOLD_PICKUP_DAYS)
    notes = [(e.kind, e.reader_id) for e in session.scalars(select(CirculationEvent).order_by(CirculationEvent.id))]
    assert notes[-2:] == [(EventKind.HOLD_CANCELLED, w.pupil.id), (EventKind.HOLD_FILLED, w.reader.id)]
    client = app.test_client()
    assert "Đăng xuất" in login(client, "reader", "long enough").get_data(as_text=True)
    account = client.get("/account").get_data(as_text=True)
    until = second.expires_at.strftime("%d/%m/%Y")
    assert f"{record.title} — {READY_TEXT}" in account and f"{until})" in account, account
    assert expire_holds_due(app, due + dt.timedelta(minutes=2)) == {"expired": [], "passed_on": []}


def test_an_expired_hold_with_nobody_waiting_frees_the_copy(app, session):
    w = build_world(session, copies=8)
    hold = lending.place_hold(session, reader=w.pupil, record=w.item("C0005").record, library=w.centre, now=NOW)
    lending.fill_hold(session, barcode="C0005", library=w.centre, now=NOW)
    session.commit()
    assert expire_holds_due(app, hold.expires_at + dt.timedelta(seconds=1))["passed_on"] == []
    session.expire_all()
    assert hold.status == HoldStatus.EXPIRED
    loan = lending.checkout(session, reader=w.reader, barcode="C0005", library=w.centre,
                            now=hold.expires_at + dt.timedelta(hours=1))
    assert loan.item.barcode == "C0005"


def test_prune_deletes_old_sign_in_attempts_and_uploads_but_keeps_what_a_job_needs(app, session, data_dir):
    now = dt.datetime(2026, 12, 1, 12, 0)
    for days in (40, 31, 29, 1):
        session.add(LoginAttempt(username="an", address="10.0.0.1", at=now - dt.timedelta(days=days)))
    session.add(LoginAttempt(username="an", address="10.0.0.1", at=now - dt.timedelta(days=90), succeeded=True))
    uploads = data_dir / "uploads"
    (uploads / "scan-folder").mkdir(parents=True)
    old, fresh, waiting = uploads / "old.marc", uploads / "fresh.marc", uploads / "waiting.marc"
    for path in (old, fresh, waiting, uploads / "scan-folder" / "p1.png"):
        path.write_bytes(b"x")
    ten_days_ago = (now - dt.timedelta(days=10)).replace(tzinfo=dt.UTC).timestamp()
    for path in (old, waiting, uploads / "scan-folder"):
        os.utime(path, (ten_days_ago, ten_days_ago))
    os.utime(fresh, ((now - dt.timedelta(days=2)).replace(tzinfo=dt.UTC).timestamp(),) * 2)
    create_job(session, "marc_import", params={"path": str(waiting)})
    session.commit()
    outcome = prune(app, now)  # the failures past 30 days, and the old uploads
    assert outcome == {"sign_in_attempts": 2, "uploads": ["old.marc", "scan-folder"]}
    assert sorted(p.name for p in uploads.iterdir()) == ["fresh.marc", "waiting.marc"]
    session.expire_all()
    assert sorted((now - a.at).days for a in session.scalars(select(LoginAttempt))) == [1, 29, 90]  # successes stay


def test_prune_ages_are_configurable(app_overrides, db_url):
    from app import create_app

    app = create_app({**app_overrides, "SIGN_IN_ATTEMPTS_KEEP_DAYS": 0.5})
    now = dt.datetime(2026, 12, 1, 12, 0)
    with app.extensions["session_factory"].begin() as session:
        session.add(LoginAttempt(username="an", address="10.0.0.1", at=now - dt.timedelta(hours=13)))
        session.add(LoginAttempt(username="an", address="10.0.0.1", at=now - dt.timedelta(hours=11)))
    assert prune(app, now)["sign_in_attempts"] == 1
    app.extensions["engine"].dispose()


def test_nightly_check_index_finds_drift_logs_it_and_repairs_it(demo, caplog):
    from app.search import search_backend

    factory, folder = demo.extensions["session_factory"], search_backend(demo).index_dir
    assert check_index(factory, folder).is_clean
    ix = open_index(folder)
    with ix.writer() as writer:
        writer.delete_by_term("id", "7")
    ix.close()
    with caplog.at_level(logging.INFO, logger="app.background.schedules"):
        outcome = check_and_repair_index(demo, dt.datetime(2026, 12, 1, 20, 0))
    assert outcome["missing"] == [7] and outcome["clean"] is False and outcome["rebuilt"] == 60
    assert "1 missing, 0 stale, 0 orphaned; rebuilding" in caplog.text
    assert check_index(factory, folder).is_clean
    assert check_and_repair_index(demo, dt.datetime(2026, 12, 2, 20, 0))["rebuilt"] == 0


def test_queue_status_counts_waiting_tasks_and_the_oldest_waiting_job(app_overrides):
    from app import create_app
    from app.background.queue import queue_status

    app = create_app({**app_overrides, "JOBS_SYNCHRONOUS": False})
    assert queue_status(app) == {"broker": "SqliteStorage", "pending_tasks": 0, "oldest_waiting_job": None}
    with app.extensions["session_factory"].begin() as session:
        job = create_job(session, "marc_import", params={})
        job_id, created = job.id, job.created_at
    with app.app_context():
        app.extensions["queue_tasks"]["run_job"](job_id)
    assert queue_status(app) == {"broker": "SqliteStorage", "pending_tasks": 1,
                                 "oldest_waiting_job": created.isoformat()}
    app.extensions["job_pool"].shutdown()
    app.extensions["engine"].dispose()

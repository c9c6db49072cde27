"""Harvesting a partner over OAI-PMH against hand-written responses in the shape of the
specification's examples, served by a stub on 127.0.0.1 (tests/app/oai_stub.py): paging,
incremental harvests, deletions, conflicts with records from elsewhere, every fault a partner
shows, and a harvest interrupted half-way that goes on from its resumptionToken."""
from __future__ import annotations

import copy
import datetime as dt

import pytest
from sqlalchemy import func, select

from catalog.harvest.models import HarvestLink, HarvestRun, HarvestSource
from catalog.records.models import Record
from tests.app import oai_stub as stub
from tests.app.harvest_helpers import add_source, admin, harvest, retry


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "HARVEST_RETRIES": 2, "HARVEST_MAX_RETRY_AFTER_SECONDS": 1, "HARVEST_TIMEOUT_SECONDS": 5}


def three_records(params: dict) -> stub.Reply:
    if params.get("verb") == "Identify":
        return stub.ok(stub.identify())
    if params.get("resumptionToken") == "t2":
        return stub.ok(stub.list_records([stub.dc_record(3, "Sách ba", creator="Lê C")], resumed=True, size=3))
    return stub.ok(stub.list_records([stub.dc_record(1, "Sách một", creator="Lê A"),
                                      stub.dc_record(2, "Sách hai", creator="Lê B")], "t2", size=3))


def harvested(session, source_id: int) -> dict[str, Record]:
    rows = session.execute(select(HarvestLink.oai_identifier, Record).join(Record, Record.id == HarvestLink.record_id)
                           .where(HarvestLink.source_id == source_id)).all()
    return {identifier: record for identifier, record in rows}


def test_identify_is_checked_from_the_page(demo, session):
    client = admin(demo)
    with stub.serving(stub.Script(three_records)) as url:
        source_id = add_source(client, url)
        page = client.post(f"/staff/harvest/{source_id}/identify", follow_redirects=True).get_data(as_text=True)
    assert "Thư viện tỉnh (mẫu)" in page and "YYYY-MM-DD" in page
    assert session.get(HarvestSource, source_id).granularity == "YYYY-MM-DD"


def test_a_harvest_pages_deletes_and_goes_on_incrementally(demo, session):
    client = admin(demo)
    phase = {"n": 1}

    def route(params):
        if phase["n"] == 1 or params.get("verb") == "Identify":
            return three_records(params)
        if phase["n"] == 2:
            return stub.ok(stub.list_records([
                stub.dc_record(2, "Sách hai (tái bản)", creator="Lê B", date="2026-12-01"),
                stub.dc_record(3, "", deleted=True, date="2026-12-01"),
                stub.dc_record(9, "", deleted=True, date="2026-12-01")], date="2026-12-01T10:00:00Z"))
        return stub.ok(stub.error("noRecordsMatch"))

    script = stub.Script(route)
    with stub.serving(script) as url:
        source_id = add_source(client, url)
        client.post(f"/staff/harvest/{source_id}/identify")
        first = harvest(client, source_id)
        assert first["status"] == "done", first
        assert (first["progress"], first["total"]) == (3, 3)
        assert {k: first["result"][k] for k in ("read", "created", "deleted", "rejected")} == \
            {"read": 3, "created": 3, "deleted": 0, "rejected": 0}
        assert [p.get("resumptionToken") for p in script.seen if p["verb"] == "ListRecords"] == [None, "t2"]
        assert "from" not in script.seen[1]
        phase["n"] = 2
        second = harvest(client, source_id)
        assert script.seen[-1]["from"] == "2026-11-30"  # the last harvest's responseDate, at day granularity
        phase["n"] = 3
        third = harvest(client, source_id)
        assert script.seen[-1]["from"] == "2026-12-01"
    assert {k: second["result"][k] for k in ("read", "created", "updated", "deleted", "unchanged")} == \
        {"read": 3, "created": 0, "updated": 1, "deleted": 1, "unchanged": 1}
    assert third["status"] == "done" and third["result"]["read"] == 0
    session.expire_all()
    records = harvested(session, source_id)
    assert records["oai:arXiv.org:cs/0000002"].title == "Sách hai (tái bản)"
    assert records["oai:arXiv.org:cs/0000003"].is_deleted and not records["oai:arXiv.org:cs/0000001"].is_deleted
    report = client.get(f"/staff/import/runs/{second['result']['run_id']}").get_data(as_text=True)
    assert "Đã xóa" in report and "cùng định danh OAI từ cùng nguồn" in report
    job = client.get(f"/staff/jobs/{first['id']}").get_data(as_text=True)
    assert "3 / 3" in job and "Xem báo cáo" in job


def test_a_match_with_a_record_from_elsewhere_is_a_conflict_not_a_merge(demo, session):
    client = admin(demo)
    local = next(r for r in session.scalars(select(Record).order_by(Record.id)) if r.isbns)
    isbn, title, marc = local.isbns[0], local.title, copy.deepcopy(local.marc)

    def route(params):
        return stub.ok(stub.list_records([stub.dc_record(1, title, isbn=isbn)]))

    with stub.serving(stub.Script(route)) as url:
        first_source = add_source(client, url, name="Một")
        second_source = add_source(client, url, name="Hai")
        one, two = harvest(client, first_source), harvest(client, second_source)
    assert (one["result"]["created"], one["result"]["conflicts"], one["result"]["updated"]) == (1, 1, 0)
    assert (two["result"]["created"], two["result"]["conflicts"]) == (1, 1)  # not merged into source one's either
    session.expire_all()
    assert session.get(Record, local.id).title == title and session.get(Record, local.id).marc == marc
    mine, theirs = harvested(session, first_source), harvested(session, second_source)
    assert len({local.id, *(r.id for r in mine.values()), *(r.id for r in theirs.values())}) == 3
    report = client.get(f"/staff/import/runs/{one['result']['run_id']}").get_data(as_text=True)
    assert f"Không gộp với biểu ghi {local.id}" in report


@pytest.mark.parametrize("fault, outcome", [
    # the job page speaks Vietnamese (the default language)
    ("busy", "done"), ("html", "trả lời bằng một trang web"), ("bad_bytes", "không phải XML hợp lệ"),
    ("latin1_header", "done"), ("xxe", "khai báo kiểu tài liệu hoặc thực thể"), ("not_found", "từ chối yêu cầu (404)"),
    ("not_oai", "không phải OAI-PMH"),
])
def test_what_partners_do_wrong_gives_a_plain_message(demo, session, fault, outcome):
    client = admin(demo)
    calls = {"n": 0}

    def route(params):
        calls["n"] += 1
        if fault == "busy" and calls["n"] == 1:
            return 503, {"Retry-After": "1", "Content-Type": "text/plain"}, b"busy"
        if fault == "html":
            return 200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body>Internal error</body></html>"
        if fault == "bad_bytes":  # declares UTF-8, sends Latin-1
            return stub.ok(stub.list_records([stub.dc_record(1, "café")]).replace("café".encode(), "café".encode("latin-1")))
        if fault == "latin1_header":  # no XML declaration; the HTTP header names the charset
            body = stub.list_records([stub.dc_record(1, "café")]).split(b"\n", 1)[1].decode().encode("latin-1")
            return stub.ok(body, "text/xml; charset=ISO-8859-1")
        if fault == "xxe":
            return stub.ok(b'<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                           b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">&x;</OAI-PMH>')
        if fault == "not_found":
            return 404, {"Content-Type": "text/plain"}, b"no"
        if fault == "not_oai":
            return stub.ok(b"<rss><channel/></rss>")
        return stub.ok(stub.list_records([stub.dc_record(1, "Sách một")]))

    with stub.serving(stub.Script(route)) as url:
        job = harvest(client, add_source(client, url))
    if outcome == "done":
        assert job["status"] == "done" and job["result"]["created"] == 1, job
        title = session.scalar(select(Record.title).join(HarvestLink, HarvestLink.record_id == Record.id))
        assert title == ("café" if fault == "latin1_header" else "Sách một")
    else:
        assert job["status"] == "failed" and outcome in job["message"], job
        assert "Traceback" not in job["message"]


def test_an_answer_cut_off_mid_list_is_resumed_from_its_token(demo, session):
    client = admin(demo)
    state = {"broken": True}

    def route(params):
        if params.get("resumptionToken") == "t2" and state["broken"]:
            return stub.cut_off(stub.list_records([stub.dc_record(3, "Sách ba")], resumed=True))
        return three_records(params)

    script = stub.Script(route)
    with stub.serving(script) as url:
        source_id = add_source(client, url)
        failed = harvest(client, source_id)
        assert failed["status"] == "failed" and "bị cắt ngang" in failed["message"], failed
        session.expire_all()
        run = session.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id)).one()
        assert (run.status, run.resumption_token, run.fetched) == ("failed", "t2", 2)
        assert len(harvested(session, source_id)) == 2  # nothing already fetched is lost
        state["broken"] = False
        done = retry(client, failed["id"])
    assert done["status"] == "done" and done["result"]["created"] == 3, done
    first_pages = [p for p in script.seen if p.get("verb") == "ListRecords" and "resumptionToken" not in p]
    assert len(first_pages) == 1  # page one was not fetched again
    session.expire_all()
    assert len(harvested(session, source_id)) == 3
    assert session.get(HarvestSource, source_id).harvested_until == "2026-11-30T10:00:00Z"


def test_a_forgotten_token_lists_again_from_the_start_and_loses_nothing(demo, session):
    client = admin(demo)
    state = {"step": "cut"}

    def route(params):
        token = params.get("resumptionToken")
        if token == "t2":
            if state["step"] == "cut":
                return stub.cut_off(b"x" * 400)
            return stub.ok(stub.error("badResumptionToken", "expired"))
        if token == "t3":
            return stub.ok(stub.list_records([stub.dc_record(3, "Sách ba")], resumed=True))
        page = stub.list_records([stub.dc_record(1, "Sách một"), stub.dc_record(2, "Sách hai")],
                                 "t2" if state["step"] == "cut" else "t3")
        return stub.ok(page)

    with stub.serving(stub.Script(route)) as url:
        source_id = add_source(client, url)
        failed = harvest(client, source_id)
        assert failed["status"] == "failed"
        state["step"] = "expired"
        done = retry(client, failed["id"])
    assert done["status"] == "done", done
    assert {k: done["result"][k] for k in ("created", "unchanged")} == {"created": 3, "unchanged": 2}
    assert session.scalar(select(func.count()).select_from(HarvestLink)) == 3


def test_a_daily_source_is_harvested_by_the_schedule(demo, session):
    from app.background.schedules import harvest_due

    client = admin(demo)
    with stub.serving(stub.Script(three_records)) as url:
        source_id = add_source(client, url, schedule="daily")
        now = dt.datetime(2026, 12, 2, 6, 0)
        assert len(harvest_due(demo, now)) == 1
        assert harvest_due(demo, now + dt.timedelta(hours=1)) == []  # done an hour ago: not due
    session.expire_all()
    assert len(harvested(session, source_id)) == 3


@pytest.mark.parametrize("url, reason", [("ftp://x.example/oai", "http:// hoặc https://"),
                                         ("javascript:alert(1)", "http:// hoặc https://"),
                                         ("https://u:p@x.example/oai", "tên người dùng hay mật khẩu"),
                                         ("https://x.example/oai?verb=Identify", "?verb=")])
def test_a_source_needs_an_http_address(demo, session, url, reason):
    client = admin(demo)
    page = client.post("/staff/harvest", data={"name": "x", "base_url": url, "metadata_prefix": "oai_dc",
                                               "schedule": "manual", "library": ""})
    assert page.status_code == 400 and reason in page.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(HarvestSource)) == 0


@pytest.mark.parametrize("username", ["bienmuc", "thuthu", "bandoc"])
def test_only_admins_manage_sources(demo, username):
    from tests.conftest import login

    client = demo.test_client()
    login(client, username)
    assert client.get("/staff/harvest").status_code == 403
    assert client.post("/staff/harvest", data={"name": "x", "base_url": "http://x.example/oai"}).status_code == 403


def test_a_worker_killed_mid_harvest_goes_on_from_its_token_when_the_job_is_taken_back(demo, session, monkeypatch):
    """The worker dies right after writing page one (SystemExit escapes every handler, as a kill
    would): the job keeps running under its lease; once the lease runs out, recover_jobs queues it
    again and the harvest goes on from the stored token, page one not fetched twice."""
    import app.background.harvest_runs as runs
    from app.background.queue import recover_jobs
    from catalog.jobs.models import Job, JobStatus

    real, calls = runs._write_page, {"n": 0}

    def write_then_die(*args, **kwargs):
        outcome = real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:
            raise SystemExit("worker killed")
        return outcome

    monkeypatch.setattr(runs, "_write_page", write_then_die)
    client = admin(demo)
    script = stub.Script(three_records)
    with stub.serving(script) as url:
        source_id = add_source(client, url)
        with pytest.raises(SystemExit):
            client.post(f"/staff/harvest/{source_id}/run")
        session.expire_all()
        run = session.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id)).one()
        assert (run.status, run.resumption_token, run.fetched) == ("running", "t2", 2)
        assert session.get(Job, run.job_id).status == JobStatus.RUNNING
        again, _failed = recover_jobs(demo, dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1))
        assert again == [run.job_id]
    session.expire_all()
    job = session.get(Job, run.job_id)
    assert job.status == JobStatus.DONE and job.result["created"] == 3, job.result
    assert [p.get("resumptionToken") for p in script.seen if p.get("verb") == "ListRecords"] == [None, "t2"]
    assert len(harvested(session, source_id)) == 3


def test_a_source_s_settings_change_and_a_new_address_starts_afresh(demo, session):
    client = admin(demo)
    with stub.serving(stub.Script(three_records)) as url:
        source_id = add_source(client, url)
        assert harvest(client, source_id)["status"] == "done"
        page = client.get(f"/staff/harvest/{source_id}").get_data(as_text=True)
        assert "2026-11-30" in page  # the next harvest's from
        fields = {"name": "Đối tác", "base_url": url, "metadata_prefix": "oai_dc", "set_spec": "", "library": ""}
        saved = client.post(f"/staff/harvest/{source_id}", data={**fields, "schedule": "weekly"})
        assert saved.status_code == 302
        session.expire_all()
        source = session.get(HarvestSource, source_id)
        assert (source.schedule, source.harvested_until) == ("weekly", "2026-11-30T10:00:00Z")
        moved = client.post(f"/staff/harvest/{source_id}", data={**fields, "schedule": "weekly",
                                                                   "base_url": url.replace("/oai", "/oai2")})
        assert moved.status_code == 302
    session.expire_all()
    assert session.get(HarvestSource, source_id).harvested_until == ""
    listing = client.get("/staff/harvest").get_data(as_text=True)
    assert "Đối tác" in listing and "hằng tuần" in listing

"""Harvesting a second hoclieu instance's /oai over real HTTP (its own database, served on a free
port, OAI_PAGE_SIZE 4 so that a few records take several pages): oai_dc and marc21, incremental
by datestamp, deletions, and two sources of the same records kept apart."""
from __future__ import annotations

import datetime as dt
import shutil
import time

import pytest
from sqlalchemy import func, select

from catalog.db import utcnow
from catalog.harvest.models import HarvestLink, HarvestRun
from catalog.records.models import Record, apply_draft, delete_record
from tests.app.harvest_helpers import add_source, harvest
from tests.conftest import _server_url, login, migrate, serving

PASSWORD = "quan-tri-vien-2026"


@pytest.fixture
def provider(_template_database, tmp_path):
    """Another library's hoclieu with the demo catalogue, served on 127.0.0.1; yields (app, /oai URL)."""
    from app import create_app

    path = tmp_path / "provider.db"
    if _server_url():
        migrate(f"sqlite:///{path}")
    else:
        shutil.copyfile(_template_database, path)
    other = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "DATA_DIR": str(tmp_path / "provider"),
                        "SECRET_KEY": "provider-secret-key-long-enough", "JOBS_SYNCHRONOUS": True,
                        "OAI_PAGE_SIZE": 4, "OAI_REPOSITORY_IDENTIFIER": "doitac.example.vn"})
    loaded = other.test_cli_runner().invoke(args=["demo-data", "--demo", "--records", "10"])
    assert loaded.exit_code == 0, loaded.output
    with serving(other) as server:
        yield other, f"http://127.0.0.1:{server.server_port}/oai"
    other.extensions["job_pool"].shutdown(wait=True)
    other.extensions["engine"].dispose()


@pytest.fixture
def harvester(app, runner):
    made = runner.invoke(args=["create-user", "quantri", "--role", "admin", "--password", PASSWORD])
    assert made.exit_code == 0, made.output
    client = app.test_client()
    login(client, "quantri", PASSWORD)
    return client


def provider_titles(provider_app) -> dict[int, str]:
    with provider_app.extensions["session_factory"]() as session:
        return dict(session.execute(select(Record.id, Record.title).where(Record.deleted_at.is_(None))).all())


def test_oai_dc_from_another_hoclieu_pages_and_goes_on_by_datestamp(provider, harvester, session):
    other, url = provider
    titles = provider_titles(other)
    with other.extensions["session_factory"]() as provider_session:
        listed = provider_session.scalar(select(func.count()).select_from(Record))
    time.sleep(1.1)  # the demo's datestamps fall before the first harvest's responseDate second
    source_id = add_source(harvester, url)
    identify = harvester.post(f"/staff/harvest/{source_id}/identify", follow_redirects=True).get_data(as_text=True)
    assert "YYYY-MM-DDThh:mm:ssZ" in identify
    first = harvest(harvester, source_id)
    assert first["status"] == "done", first
    assert first["result"]["created"] == len(titles) >= 9 and first["result"]["conflicts"] == 0
    run = session.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id)).one()
    assert run.pages == -(-listed // 4) >= 3  # followed every resumptionToken
    links = dict(session.execute(select(HarvestLink.oai_identifier, Record.title)
                                 .join(Record, Record.id == HarvestLink.record_id)).all())
    assert links == {f"oai:doitac.example.vn:record:{rid}": title for rid, title in titles.items()}

    changed, gone = sorted(titles)[:2]
    later = utcnow() + dt.timedelta(seconds=2)
    with other.extensions["session_factory"].begin() as provider_session:
        record = provider_session.get(Record, changed)
        draft = record.draft()
        draft.title = "Tên sách đã sửa ở thư viện đối tác"
        apply_draft(provider_session, record, draft, now=later)
        delete_record(provider_session, provider_session.get(Record, gone), now=later)
    second = harvest(harvester, source_id)
    assert second["status"] == "done", second
    assert {k: second["result"][k] for k in ("created", "updated", "deleted", "rejected")} == \
        {"created": 0, "updated": 1, "deleted": 1, "rejected": 0}
    assert second["result"]["read"] < len(titles)  # only what changed since the last responseDate (and its second)
    newest = session.scalars(select(HarvestRun).order_by(HarvestRun.id.desc())).first()
    assert "T" in newest.from_value  # second granularity, from Identify
    session.expire_all()
    by_identifier = {link.oai_identifier: session.get(Record, link.record_id)
                     for link in session.scalars(select(HarvestLink))}
    assert by_identifier[f"oai:doitac.example.vn:record:{changed}"].title == "Tên sách đã sửa ở thư viện đối tác"
    assert by_identifier[f"oai:doitac.example.vn:record:{gone}"].is_deleted


def test_marc21_from_another_hoclieu_and_a_second_source_kept_apart(provider, harvester, session):
    other, url = provider
    titles = provider_titles(other)
    marc_source = add_source(harvester, url, prefix="marc21", name="Đối tác MARC")
    first = harvest(harvester, marc_source)
    assert first["status"] == "done" and first["result"]["created"] == len(titles), first
    with other.extensions["session_factory"]() as provider_session:
        isbns = {r.title: r.isbns for r in provider_session.scalars(select(Record))}
    for record in session.scalars(select(Record)):
        assert record.isbns == isbns[record.title] and record.marc["fields"]
    dc_source = add_source(harvester, url, prefix="oai_dc", name="Đối tác DC")
    second = harvest(harvester, dc_source)
    # the same books through another source: created apart, each reported as a conflict
    assert (second["result"]["created"], second["result"]["conflicts"]) == (len(titles), len(titles)), second
    assert session.scalar(select(func.count()).select_from(Record)) == 2 * len(titles)

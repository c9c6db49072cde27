"""What a web request does to the index: it indexes the records it changed, not the stale backlog;
when the index cannot be written it says so and the records stay stale for a later sync."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from catalog.records.models import Record, RecordDraft, create_record, stale_record_ids
from tests.app.test_staff_records import FORM
from tests.conftest import IN_CI, login


def flashes(response) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip()
            for m in re.findall(r'class="flash[^"]*"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)]


def titles(client, q: str) -> list[str]:
    return [h["title"] for h in client.get("/api/search", query_string={"q": q, "per_page": 50}).get_json()["hits"]]


def backlog(app, count: int) -> list[int]:
    """Records committed without being indexed (an import whose indexing failed)."""
    with app.extensions["session_factory"].begin() as session:
        return [create_record(session, RecordDraft(title=f"Sách nhập dở số {n}")).id for n in range(count)]


def test_a_save_indexes_only_its_own_record_not_the_backlog(demo, client):
    waiting = backlog(demo, 30)
    client.set_cookie("lang", "en")
    login(client, "bienmuc")
    response = client.post("/staff/records/new", data=FORM, follow_redirects=True)
    assert response.status_code == 200
    assert titles(client, "nuoi ca long tren bien") == ["Nuôi cá lồng trên biển : kinh nghiệm ở Cát Bà"]
    assert titles(client, "sach nhap do") == []  # the backlog is a sync's work, not this request's
    with demo.extensions["session_factory"]() as session:
        assert stale_record_ids(session) == waiting
    result = demo.test_cli_runner().invoke(args=["sync-index", "--json"])
    assert result.exit_code == 0 and result.output.splitlines()[-1] == '{"indexed": 30, "removed": 0}'
    assert len(titles(client, "sach nhap do")) == 30


@pytest.fixture
def unwritable_index(demo):
    """The index folder made immutable (chattr +i): not even root can add a file to it."""
    index = demo.config["DATA_DIR"] + "/index"
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", index], capture_output=True).returncode:
        if IN_CI:
            pytest.fail("chattr +i is needed (e2fsprogs) and must work on the test folder in CI")
        pytest.skip("chattr +i is not available on this file system")
    yield index
    subprocess.run(["chattr", "-i", index], check=True)


def test_a_save_into_an_unwritable_index_says_so_and_a_later_sync_catches_up(demo, client, unwritable_index):
    client.set_cookie("lang", "en")
    login(client, "bienmuc")
    response = client.post("/staff/records/new", data=FORM, follow_redirects=True)
    assert response.status_code == 200
    with demo.extensions["session_factory"]() as session:
        record = session.scalars(select(Record).where(Record.title == "Nuôi cá lồng trên biển")).one()
        assert stale_record_ids(session) == [record.id]  # kept for the next sync
    assert flashes(response) == [
        f"Record {record.id} created.",
        "Saved, but not yet searchable: the search index could not be written. The change stays marked and is "
        "indexed once it can be (`flask --app app reindex`)."]
    assert titles(client, "nuoi ca long tren bien") == []
    subprocess.run(["chattr", "-i", unwritable_index], check=True)
    assert demo.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    assert titles(client, "nuoi ca long tren bien") == ["Nuôi cá lồng trên biển : kinh nghiệm ở Cát Bà"]

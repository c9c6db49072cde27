"""The bulk set-up of import-marc (big files): a decode worker and a background indexer process.

MARC_BULK_FROM_BYTES=1 makes every file "big", so these tests run the very code a 100,000-record
import runs: records, copies and updates reach the search index through the second process, the
stale flags end cleared, and a failed indexer leaves nothing unindexed."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog.libraries import LibraryKind, save_library
from catalog.records.models import Record, stale_record_ids
from search_index.background import BackgroundIndexer
from search_index.query import search
from search_index.writer import check_index, sync
from tests.ingest.marc_fixtures import book, df, iso


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "MARC_BULK_FROM_BYTES": 1}


def last_json(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def index_of(app) -> Path:
    return Path(app.config["DATA_DIR"]) / "index"


def catalogue(count: int, *, changed: dict[int, str] | None = None) -> bytes:
    """`count` books; every seventh has a copy in TH-CATBA (Koha 952)."""
    records = []
    for n in range(1, count + 1):
        title = (changed or {}).get(n, f"Sổ tay nuôi trồng thủy sản tập {n}")
        extra = [df("952", "  ", "p", f"BC{n:06d}", "a", "TH-CATBA", "b", "TH-CATBA")] if n % 7 == 0 else []
        records.append(book(f"VN{n:05d}", title, "Trần Thị Hoà", 2000 + n % 20, extra=extra))
    return iso(*records)


def test_a_big_import_is_indexed_by_the_background_indexer(app, runner, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="app.search")
    with app.extensions["session_factory"].begin() as session:
        save_library(session, code="TH-CATBA", name="Trường Tiểu học Cát Bà", kind=LibraryKind.SCHOOL)
    path = tmp_path / "lon.mrc"
    # 1,100 records in three batches, then record 10 again with a new title: the indexer reads at
    # most 1,000 ids at a time, so it meets record 10 twice (and commits before writing it again).
    data = catalogue(1100)
    path.write_bytes(data + iso(book("VN00010", "Kỹ thuật nuôi tôm hùm", "Trần Thị Hoà", 2010)))
    result = runner.invoke(args=["import-marc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert last_json(result) == {"read": 1101, "created": 1100, "updated": 1, "unchanged": 0, "rejected": 0,
                                 "warnings": 0, "copies": 157, "conflicts": 0, "warnings_by_kind": {}}

    found = search(index_of(app), "thuy san", per_page=5)
    assert found.total == 1099  # one of the books renamed
    assert [hit.title for hit in search(index_of(app), "tôm hùm").hits] == ["Kỹ thuật nuôi tôm hùm"]
    assert "Sổ tay nuôi trồng thủy sản tập 10" not in [h.title for h in search(index_of(app), "thủy sản tập 10").hits]
    seventh = search(index_of(app), "thủy sản tập 14").hits[0]
    assert seventh.holdings == [{"library": "TH-CATBA", "name": "Trường Tiểu học Cát Bà", "copies": 1, "available": 1}]
    factory = app.extensions["session_factory"]
    with factory() as session:
        assert stale_record_ids(session) == []
    assert check_index(factory, index_of(app)).is_clean
    # The second process did the indexing (the sync after it found nothing left).
    assert "background indexer: 1101 indexed, 0 removed, 2 commits" in caplog.text


def test_reimporting_a_changed_file_replaces_documents_without_duplicates(app, runner, tmp_path, caplog):
    with app.extensions["session_factory"].begin() as session:
        save_library(session, code="TH-CATBA", name="Trường Tiểu học Cát Bà", kind=LibraryKind.SCHOOL)
    path = tmp_path / "a.mrc"
    path.write_bytes(catalogue(40))
    assert runner.invoke(args=["import-marc", str(path)]).exit_code == 0
    caplog.set_level(logging.INFO, logger="app.search")
    path.write_bytes(catalogue(40, changed={3: "Văn học dân gian Hải Phòng", 4: "Lịch sử làng biển"}))
    result = runner.invoke(args=["import-marc", str(path), "--json"])
    assert last_json(result)["updated"] == 2 and last_json(result)["unchanged"] == 38
    # Only the two changed records are indexed again (not the unchanged ones with copies).
    assert "background indexer: 2 indexed" in caplog.text
    assert [hit.title for hit in search(index_of(app), "dân gian Hải Phòng").hits] == ["Văn học dân gian Hải Phòng"]
    assert search(index_of(app), "thủy sản").total == 38
    check = check_index(app.extensions["session_factory"], index_of(app))
    assert check.is_clean and check.indexed == 40


def test_a_failed_background_indexer_leaves_the_records_stale_for_the_next_sync(app, runner, tmp_path):
    path = tmp_path / "a.mrc"
    path.write_bytes(catalogue(12))
    factory = app.extensions["session_factory"]
    from ingest.marc.pipeline import import_marc
    from catalog.db import utcnow

    broken = BackgroundIndexer("sqlite:////nonexistent-folder/none.db", index_of(app)).start()
    import_marc(factory, [path], data_dir=Path(app.config["DATA_DIR"]), now=utcnow(), changed=broken.add)
    report = broken.finish(timeout=60)
    assert report.error and report.indexed == 0
    with factory() as session:
        ids = list(session.scalars(select(Record.id)))
        assert sorted(stale_record_ids(session)) == sorted(ids) and len(ids) == 12
    sync(factory, index_of(app))
    assert search(index_of(app), "thuy san").total == 12
    with factory() as session:
        assert stale_record_ids(session) == []


def test_a_big_upload_runs_the_bulk_set_up_in_its_job(demo, caplog):
    import io

    from tests.conftest import login

    caplog.set_level(logging.INFO, logger="app.search")
    client = demo.test_client()
    login(client, "bienmuc")
    page = client.post("/staff/import", data={"file": (io.BytesIO(catalogue(30)), "lon.mrc")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert page.status_code == 200
    assert "background indexer: 30 indexed" in caplog.text
    assert search(index_of(demo), "thủy sản tập 17").hits[0].title == "Sổ tay nuôi trồng thủy sản tập 17"
    assert client.get("/search?q=thuy+san+tap+17").get_data(as_text=True).count("Sổ tay nuôi trồng thủy sản tập 17") >= 1

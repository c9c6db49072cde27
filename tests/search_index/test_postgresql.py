"""The PostgreSQL search backend beyond the contract suite: it refuses a SQLite database, and in
the app its documents are written in the transaction of the records they show (a commit makes
an edit searchable with no sync; a rollback leaves no document). The PostgreSQL tests exist only
when LIBRARY_DATABASE_URL is PostgreSQL (on SQLite the backend is not a choice)."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import text

from catalog.copies.items import ItemStatus, add_item
from catalog.jobs.operations import stale_record_count
from catalog.libraries import LibraryKind, save_library
from catalog.records.models import RecordDraft, apply_draft, create_record, delete_record, get_record
from search_index.backend import create_backend
from tests.ingest.marc_fixtures import book, iso

NOW = dt.datetime(2026, 4, 1, 8, 0)
ON_POSTGRESQL = os.environ.get("LIBRARY_DATABASE_URL", "").startswith("postgresql")


def test_the_postgresql_backend_refuses_a_sqlite_database(tmp_path, app_overrides):
    from app import ConfigurationError, create_app
    from catalog.db import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path / 'plain.db'}"
    engine = make_engine(url)
    with pytest.raises(ValueError, match="needs a PostgreSQL database"):
        create_backend("postgresql", session_factory=make_session_factory(engine), database_url=url,
                       data_dir=tmp_path)
    engine.dispose()
    with pytest.raises(ConfigurationError, match="LIBRARY_SEARCH_BACKEND=whoosh"):
        create_app({**app_overrides, "DATABASE_URL": url, "SEARCH_BACKEND": "postgresql"})


if ON_POSTGRESQL:
    @pytest.fixture
    def app_overrides(app_overrides):
        # MARC_BULK_FROM_BYTES=1: imports take the bulk path (the backend's inline indexer)
        return {**app_overrides, "SEARCH_BACKEND": "postgresql", "MARC_BULK_FROM_BYTES": 1}

    def documents(factory) -> int:
        with factory() as session:
            return session.execute(text("SELECT count(*) FROM search_document")).scalar_one()

    def test_an_edit_through_the_services_is_searchable_when_its_transaction_commits(app):
        from app.search import search_backend

        backend, factory = search_backend(app), app.extensions["session_factory"]
        assert backend.name == "postgresql"
        with factory.begin() as session:
            library = save_library(session, code="TV-XA", name="Thư viện xã", kind=LibraryKind.CULTURAL_CENTRE)
            record = create_record(session, RecordDraft(title="Sổ tay nuôi ong", authors=["Lê, Văn Tư"]), now=NOW)
            add_item(session, record, barcode="B0001", library=library, status=ItemStatus.ON_LOAN, now=NOW)
            record_id = record.id
        found = backend.search("nuoi ong")
        assert [h.id for h in found.hits] == [record_id] and found.hits[0].holdings[0]["available"] == 0
        assert {v.value for v in found.facets["availability"]} == {"unavailable"}
        with factory.begin() as session:
            apply_draft(session, get_record(session, record_id), RecordDraft(title="Kỹ thuật nuôi tằm"),
                        now=NOW + dt.timedelta(hours=1))
        assert backend.search("nuoi ong").total == 0 and [h.id for h in backend.search("tằm").hits] == [record_id]
        with factory() as session:
            assert stale_record_count(session) == 0
        assert backend.check().is_clean
        with factory.begin() as session:
            delete_record(session, get_record(session, record_id), now=NOW + dt.timedelta(hours=2))
        assert backend.search("tam").total == 0 and documents(factory) == 0 and backend.check().is_clean

    def test_a_rolled_back_transaction_leaves_no_document(app):
        from app.search import search_backend

        backend, factory = search_backend(app), app.extensions["session_factory"]
        with factory() as session:
            create_record(session, RecordDraft(title="Cẩm nang phòng cháy"), now=NOW)
            session.rollback()
        with factory.begin() as session:
            kept = create_record(session, RecordDraft(title="Cẩm nang sơ cứu"), now=NOW).id
        with factory() as session:
            apply_draft(session, get_record(session, kept), RecordDraft(title="Sách bị bỏ"), now=NOW)
            session.flush()
            session.rollback()
        assert documents(factory) == 1
        assert backend.search("phong chay").total == 0 and backend.search("bi bo").total == 0
        assert [h.id for h in backend.search("so cuu").hits] == [kept] and backend.check().is_clean

    def test_a_bulk_import_and_reindex_leave_every_record_searchable(app, runner, tmp_path):
        from app.search import search_backend

        path = tmp_path / "lo.mrc"
        books = [book(f"VN{n:05d}", f"Cây lúa nước tập {n}", "Trần Thị Hoà", 2001) for n in range(1, 31)]
        path.write_bytes(iso(*books))
        assert runner.invoke(args=["import-marc", str(path)]).exit_code == 0
        assert runner.invoke(args=["check-index"]).exit_code == 0
        assert search_backend(app).search("cay lua nuoc").total == 30
        with app.extensions["session_factory"].begin() as session:
            session.execute(text("DELETE FROM search_document WHERE record_id IN "
                                 "(SELECT record_id FROM search_document LIMIT 3)"))
        assert runner.invoke(args=["check-index"]).exit_code != 0
        assert runner.invoke(args=["reindex"]).exit_code == 0
        assert runner.invoke(args=["check-index"]).exit_code == 0
        assert search_backend(app).search("cay lua nuoc").total == 30

    def test_past_its_cap_the_total_is_an_estimate_that_says_so(app, runner, tmp_path):
        from app.search import search_backend

        path = tmp_path / "lo.mrc"
        path.write_bytes(iso(*[book(f"VN{n:05d}", f"Nuôi cá nước ngọt tập {n}", "Trần Thị Hoà", 2001)
                               for n in range(1, 41)]))
        assert runner.invoke(args=["import-marc", str(path)]).exit_code == 0
        backend, client = search_backend(app), app.test_client()
        exact = client.get("/api/search?q=nuoi+ca").get_json()
        assert exact["total"] == 40 and exact["total_approximate"] is False
        backend.count_limit = 12  # a catalogue where 40 matches is a broad query
        body = client.get("/api/search?q=nuoi+ca&per_page=5").get_json()
        assert body["total_approximate"] is True and body["total"] >= 13 and len(body["hits"]) == 5
        assert body["facets_approximate"] is True
        assert sum(v["count"] for v in body["facets"]["type"]) == body["total"]  # scaled to the estimate
        page = client.get("/search?q=nuoi+ca").get_data(as_text=True)
        assert f"Khoảng {body['total']} kết quả cho “nuoi ca”" in page and "số đếm chỉ là gần đúng" in page
        assert backend.search("nuoi ca tap 7").total == 1  # a narrow query is still counted exactly

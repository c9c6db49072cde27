"""Several web servers on one PostgreSQL with LIBRARY_SEARCH_BACKEND=postgresql: two served
instances (gunicorn, each its own data directory) share the database, and an edit through one's
staff form is found through the other's /api/search at once. Searches read through
LIBRARY_DATABASE_REPLICA_URL when it is set; writes stay on LIBRARY_DATABASE_URL. And
`switch-search-backend postgresql` builds the new backend while searches go on.

These tests exist only when LIBRARY_DATABASE_URL is PostgreSQL (marker `postgres`); on SQLite the
postgresql backend is not a choice, and only the refusal with Whoosh is collected."""
from __future__ import annotations

import importlib
import json
import os
import threading
import urllib.parse

import pytest

ON_POSTGRESQL = os.environ.get("LIBRARY_DATABASE_URL", "").startswith("postgresql")


def test_a_replica_url_is_refused_with_the_whoosh_backend(app_overrides):
    from app import ConfigurationError, create_app

    with pytest.raises(ConfigurationError, match="LIBRARY_DATABASE_REPLICA_URL needs LIBRARY_SEARCH_BACKEND=postgresql"):
        create_app({**app_overrides, "DATABASE_REPLICA_URL": app_overrides["DATABASE_URL"]})


if ON_POSTGRESQL:
    from sqlalchemy import text

    from catalog.db import make_engine, make_session_factory
    from catalog.models import metadata
    from catalog.records.models import DRAFT_FIELDS, RecordDraft, create_record
    from search_index.backend import create_backend
    from tests.conftest import create_database, drop_database
    from tests.soak.client import Client, Journal
    from tests.soak.server import ServedInstance

    pytestmark = pytest.mark.postgres

    @pytest.fixture
    def replica_url(db_url):
        """A second database on the same server, with the schema and no records: what is found
        through it can only have been read there."""
        url = create_database(db_url)
        engine = make_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        yield url
        drop_database(url)

    def test_searches_read_through_the_replica_and_writes_stay_on_the_primary(app_overrides, replica_url):
        from app import create_app

        named = f"{replica_url}?application_name=hoclieu_replica_test"
        app = create_app({**app_overrides, "SEARCH_BACKEND": "postgresql", "DATABASE_REPLICA_URL": named})
        try:
            with app.extensions["session_factory"].begin() as session:
                create_record(session, RecordDraft(title="Sổ tay nuôi ong mật"))
            client = app.test_client()
            # The record and its document are on the primary; the replica has neither.
            assert client.get("/api/search?q=nuoi+ong").get_json()["total"] == 0
            with app.extensions["engine"].connect() as primary:
                assert primary.execute(text("SELECT count(*) FROM search_document")).scalar_one() == 1
                readers = primary.execute(text(
                    "SELECT datname FROM pg_stat_activity WHERE application_name = 'hoclieu_replica_test'")).scalars().all()
            assert set(readers) == {urllib.parse.urlsplit(replica_url.replace("+psycopg", "")).path.lstrip("/")}
            # Written on the replica's side (as replication would bring it), it is found through the app.
            replica = make_engine(replica_url)
            factory = make_session_factory(replica)
            create_backend("postgresql", session_factory=factory, database_url=replica_url,
                           data_dir=app_overrides["DATA_DIR"]).index_in_transactions(factory)
            with factory.begin() as session:
                create_record(session, RecordDraft(title="Nuôi ong trên bản sao"))
            replica.dispose()
            found = client.get("/api/search?q=nuoi+ong").get_json()
            assert [hit["title"] for hit in found["hits"]] == ["Nuôi ong trên bản sao"]
        finally:
            app.extensions["job_pool"].shutdown(wait=True)
            app.extensions["replica_engine"].dispose()
            app.extensions["engine"].dispose()

    @pytest.fixture(scope="module")
    def two_servers(tmp_path_factory):
        """Two gunicorn instances, their own folders and data directories, one PostgreSQL database."""
        folder = tmp_path_factory.mktemp("several")
        env = {"LIBRARY_SEARCH_BACKEND": "postgresql"}
        first = ServedInstance(folder / "one", os.environ["LIBRARY_DATABASE_URL"], extra_env=env, workers=1)
        second = ServedInstance(folder / "two", extra_env={**env, "LIBRARY_DATABASE_URL": first.database_url},
                                workers=1)
        try:
            first.prepare(records=20)
            (folder / "two").mkdir()
            first.start()
            second.start()
            yield first, second
        finally:
            second.stop()
            first.close()

    def test_an_edit_through_one_server_is_found_through_the_other_at_once(two_servers):
        first, second = two_servers
        assert first.env["LIBRARY_DATA_DIR"] != second.env["LIBRARY_DATA_DIR"]
        journal = Journal()
        staff, reader = Client(first.base, "cataloguer", journal), Client(second.base, "reader", journal)
        assert staff.sign_in("bienmuc")
        path = "/staff/records/3/edit"
        fields = staff.form(path, path)
        fields["title"] = "Kỹ thuật nuôi ong mật ở Tây Nguyên"
        answer = staff.post(path, fields)
        assert answer.status == 302, answer.text
        found = reader.get("/api/search?q=nuoi+ong+mat+tay+nguyen").json()
        assert [hit["id"] for hit in found["hits"]] == [3]
        assert found["hits"][0]["title"] == "Kỹ thuật nuôi ong mật ở Tây Nguyên"
        assert not (os.path.exists(os.path.join(second.env["LIBRARY_DATA_DIR"], "index")))


def test_switching_to_the_backend_in_use_is_refused(runner):
    result = runner.invoke(args=["switch-search-backend", "whoosh"])
    assert result.exit_code != 0 and "already searches with the whoosh backend" in result.output


if ON_POSTGRESQL:
    def test_switch_to_postgresql_while_searches_run_and_an_edit_is_made_meanwhile(app, demo, monkeypatch):
        """whoosh -> postgresql: searches through the served (Whoosh) app never fail during the build,
        and an edit committed during the build (at its first progress step) is found by the
        postgresql backend afterwards."""
        switching = importlib.import_module("app.cli.switching")
        from catalog.records.models import apply_draft, get_record

        client, factory = app.test_client(), app.extensions["session_factory"]
        stop, failures, answered = threading.Event(), [], []

        def search() -> None:
            while not stop.is_set():
                response = client.get("/api/search?q=viet+nam")
                ok = response.status_code == 200 and response.get_json()["total"] > 0
                (answered if ok else failures).append(response.status_code)

        def edit_once() -> None:
            with factory.begin() as session:
                record = get_record(session, 5)
                draft = RecordDraft(**{**{n: getattr(record, n) for n in DRAFT_FIELDS},
                                       "title": "Nuôi ong mật giữa lúc chuyển"})
                apply_draft(session, record, draft)

        built = []
        original = switching.create_backend

        def target_with_an_edit_during_its_build(*args, **kwargs):
            backend = original(*args, **kwargs)
            rebuild = backend.rebuild

            def rebuild_and_edit(progress=None):
                def step(done, total):
                    if not built:
                        edit_once()
                    built.append(done)
                    progress(done, total)
                return rebuild(progress=step)
            backend.rebuild = rebuild_and_edit
            return backend

        monkeypatch.setattr(switching, "create_backend", target_with_an_edit_during_its_build)
        searcher = threading.Thread(target=search)
        searcher.start()
        try:
            result = app.test_cli_runner().invoke(args=["switch-search-backend", "postgresql", "--json"])
        finally:
            stop.set()
            searcher.join()
        assert result.exit_code == 0, result.output
        report = json.loads(result.output.strip().splitlines()[-1])
        assert report["indexed"] == 60 and report["caught_up"] >= 1 and report["clean"], report
        assert built and answered and not failures, failures[:5]
        moved = original("postgresql", session_factory=factory, database_url=app.config["DATABASE_URL"],
                         data_dir=app.config["DATA_DIR"])
        assert [hit.id for hit in moved.search("nuoi ong mat giua luc chuyen").hits] == [5]
        assert moved.search("viet nam").total == client.get("/api/search?q=viet+nam").get_json()["total"]

"""Several web servers on one PostgreSQL with LIBRARY_SEARCH_BACKEND=postgresql: two served
instances (gunicorn, each its own data directory) share the database, and an edit through one's
staff form is found through the other's /api/search at once. Searches read through
LIBRARY_DATABASE_REPLICA_URL when it is set; writes stay on LIBRARY_DATABASE_URL. And
`switch-search-backend` moves a served instance (gunicorn, two workers) from Whoosh to
PostgreSQL while it searches and is edited, with no restart; in one process, a failed switch
leaves the old backend answering, a crashed one is finished by running it again, and a switch back
to Whoosh takes the edits made meanwhile.

These tests exist only when LIBRARY_DATABASE_URL is PostgreSQL (marker `postgres`); on SQLite the
postgresql backend is not a choice, and only the refusal with Whoosh is collected."""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
import urllib.parse

import pytest

ON_POSTGRESQL = os.environ.get("LIBRARY_DATABASE_URL", "").startswith("postgresql")


def test_a_replica_url_is_refused_with_the_whoosh_backend(app_overrides):
    from app import ConfigurationError, create_app

    with pytest.raises(ConfigurationError, match="LIBRARY_DATABASE_REPLICA_URL needs LIBRARY_SEARCH_BACKEND=postgresql"):
        create_app({**app_overrides, "DATABASE_REPLICA_URL": app_overrides["DATABASE_URL"]})


if ON_POSTGRESQL:
    from sqlalchemy import text

    from catalog.db import make_engine, make_session_factory, utcnow
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
    result = runner.invoke(args=["switch-search-backend", "whoosh", "--json"])
    assert result.exit_code != 0 and "already searches with the whoosh backend" in result.output


if not ON_POSTGRESQL:
    def test_switching_to_postgresql_on_sqlite_is_refused(runner, app):
        from catalog.searchops.settings import read_choice

        result = runner.invoke(args=["switch-search-backend", "postgresql", "--json"])
        assert result.exit_code != 0
        assert "The postgresql search backend needs a PostgreSQL database" in result.output
        with app.extensions["session_factory"]() as session:
            assert read_choice(session, "whoosh").is_recorded is False  # nothing was begun


if ON_POSTGRESQL:
    from catalog.records.models import apply_draft, get_record
    from catalog.searchops.settings import read_choice, record_choice
    from search_index.errors import IndexBusy
    from tests.conftest import login
    from tests.soak.server import FLASK, ROOT

    def _retitle(factory, record_id: int, title: str) -> None:
        with factory.begin() as session:
            record = get_record(session, record_id)
            apply_draft(session, record, RecordDraft(**{**{n: getattr(record, n) for n in DRAFT_FIELDS},
                                                        "title": title}))

    @pytest.fixture
    def quick_app(app_overrides):
        from app import create_app

        app = create_app({**app_overrides, "SEARCH_BACKEND_CHECK_SECONDS": 0.2})
        assert app.test_cli_runner().invoke(args=["demo-data", "--demo", "--records", "30"]).exit_code == 0
        yield app
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()

    def test_a_failed_switch_leaves_the_old_backend_a_crashed_one_is_finished_and_back_takes_the_edits(quick_app):
        from app import hooks
        from app.search import search_backend

        app, client = quick_app, quick_app.test_client()
        factory, backends = app.extensions["session_factory"], app.extensions["search_backends"]
        runner = app.test_cli_runner()
        target, rebuild = backends.available["postgresql"], backends.available["postgresql"].rebuild

        def failing_rebuild(progress=None):
            progress(1, 30)
            raise IndexBusy("The search index is busy (test).")
        target.rebuild = failing_rebuild
        failed = runner.invoke(args=["switch-search-backend", "postgresql"])
        target.rebuild = rebuild
        assert failed.exit_code != 0 and "busy (test)" in failed.output, failed.output
        with factory() as session:
            assert read_choice(session, "whoosh").writers == ("whoosh",)
        assert search_backend(app).name == "whoosh"

        # A crash (kill -9) in the build leaves both written, Whoosh answering: an edit through the
        # site then reaches both, and running the command again finishes the switch.
        with factory.begin() as session:
            record_choice(session, backend="whoosh", also_writing="postgresql", switch_started_at=utcnow(),
                          now=utcnow())
        time.sleep(0.3)
        assert login(client, "admin").status_code == 200
        index = client.get("/healthz?detail=1").get_json()["detail"]["index"]  # the request looks at the record
        assert index["backend"] == "whoosh" and index["switch"]["also_writing"] == "postgresql", index
        assert backends.choice.writers == ("whoosh", "postgresql")
        with app.app_context():  # as a CLI command or a job edits: commit, then the after-commit hooks
            _retitle(factory, 4, "Nuôi ong mật khi đang chuyển")
            hooks.after_commit(app)
        assert [h.id for h in backends.available["whoosh"].search("nuoi ong mat khi dang chuyen").hits] == [4]
        assert [h.id for h in target.search("nuoi ong mat khi dang chuyen").hits] == [4]
        done = runner.invoke(args=["switch-search-backend", "postgresql", "--json"])
        assert done.exit_code == 0, done.output
        report = json.loads(done.output.strip().splitlines()[-1])
        assert report["backend"] == "postgresql" and report["previous"] == "whoosh" and report["clean"], report
        assert search_backend(app).name == "postgresql"
        assert [hit["id"] for hit in client.get("/api/search?q=nuoi+ong+mat+khi+dang+chuyen").get_json()["hits"]] == [4]

        # Back to Whoosh: an edit made while PostgreSQL answered (not written to Whoosh) is found there.
        _retitle(factory, 5, "Trồng chè shan tuyết trên núi cao")
        back = runner.invoke(args=["switch-search-backend", "whoosh", "--json"])
        assert back.exit_code == 0, back.output
        assert json.loads(back.output.strip().splitlines()[-1])["clean"]
        assert search_backend(app).name == "whoosh" and backends.choice.writers == ("whoosh",)
        assert [hit["id"] for hit in client.get("/api/search?q=che+shan+tuyet").get_json()["hits"]] == [5]

    def test_a_job_long_after_the_last_look_writes_where_the_record_now_says(quick_app):
        """A worker that last looked while PostgreSQL answered, then edits after a switch to
        Whoosh ended elsewhere: its edit's flush looks again, so Whoosh gets the record (had
        PostgreSQL written it in the transaction, its stale flag would be gone for Whoosh's sync)."""
        from app import hooks

        app, backends = quick_app, quick_app.extensions["search_backends"]
        factory = app.extensions["session_factory"]
        for backend in ("postgresql", "whoosh"):
            with factory.begin() as session:
                record_choice(session, backend=backend, also_writing=None, switch_started_at=None, now=utcnow())
            if backend == "postgresql":
                backends.refresh(force=True)
                assert backends.choice.writers == ("postgresql",)
        time.sleep(0.3)
        with app.app_context():
            _retitle(factory, 6, "Làm vườn rừng ở Bắc Kạn")
            hooks.after_commit(app)
        assert backends.choice.writers == ("whoosh",)
        assert [hit.id for hit in backends.available["whoosh"].search("lam vuon rung bac kan").hits] == [6]

    def _worker_answers(base: str, cookie: str, query: str, wanted: int = 2) -> dict[int, tuple[dict, dict]]:
        """{server process id: (its /healthz detail, its /api/search answer)}, each pair asked on one
        kept-alive connection (so of one worker), until `wanted` processes answered."""
        host, port = urllib.parse.urlsplit(base).netloc.split(":")
        seen: dict[int, tuple[dict, dict]] = {}
        for _ in range(60):
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            try:
                answers = []
                for path in ("/healthz?detail=1", f"/api/search?q={query}"):
                    connection.request("GET", path, headers={"Cookie": cookie})
                    response = connection.getresponse()
                    answers.append(json.loads(response.read()))
                    if response.will_close:
                        break  # not kept alive: the next answer could come from another worker
            finally:
                connection.close()
            if len(answers) < 2:
                continue
            seen[answers[0]["detail"]["process"]] = (answers[0]["detail"], answers[1])
            if len(seen) >= wanted:
                return seen
        raise AssertionError(f"only {len(seen)} server processes answered")

    def test_a_served_instance_moves_from_whoosh_to_postgresql_while_searched_and_edited(tmp_path):
        """One gunicorn instance (two workers) searching with Whoosh; switch-search-backend
        postgresql runs while a reader searches without pause and a cataloguer keeps saving a
        record: no search fails, and afterwards every worker answers from PostgreSQL, finding the
        last edit, with no restart."""
        instance = ServedInstance(tmp_path / "one", os.environ["LIBRARY_DATABASE_URL"], workers=2, extra_env={
            "LIBRARY_SEARCH_BACKEND": "whoosh", "LIBRARY_SEARCH_BACKEND_CHECK_SECONDS": "1"})
        try:
            instance.prepare(records=40)
            instance.start()
            journal = Journal()
            admin, staff = Client(instance.base, "admin", journal), Client(instance.base, "cataloguer", journal)
            reader = Client(instance.base, "reader", journal)
            assert admin.sign_in("admin") and staff.sign_in("bienmuc")
            cookie = "; ".join(f"{c.name}={c.value}" for c in admin.cookies)
            before = _worker_answers(instance.base, cookie, "viet+nam")
            assert {detail["index"]["backend"] for detail, _found in before.values()} == {"whoosh"}
            stop, statuses, saved = threading.Event(), [], []

            def search() -> None:
                while not stop.is_set():
                    answer = reader.get("/api/search?q=viet+nam")
                    statuses.append((answer.status, answer.json()["total"] if answer.status == 200 else None))

            def edit() -> None:
                path = "/staff/records/3/edit"
                while not stop.is_set():
                    fields = staff.form(path, path)
                    fields["title"] = f"Kỹ thuật nuôi ong mật lần {len(saved) + 1}"
                    if staff.post(path, fields).status == 302:
                        saved.append(fields["title"])
                    time.sleep(0.2)

            threads = [threading.Thread(target=search), threading.Thread(target=edit)]
            for thread in threads:
                thread.start()
            try:
                switch = subprocess.run([*FLASK, "switch-search-backend", "postgresql", "--json"], cwd=ROOT,
                                        env=instance.env, capture_output=True, text=True, timeout=300)
            finally:
                stop.set()
                for thread in threads:
                    thread.join()
            assert switch.returncode == 0, switch.stdout + switch.stderr
            report = json.loads(switch.stdout.strip().splitlines()[-1])
            assert report["backend"] == "postgresql" and report["indexed"] == 40 and report["clean"], report
            assert len(statuses) > 10 and saved, (len(statuses), saved)
            assert [s for s in statuses if s[0] != 200 or not s[1]] == [], journal.summary()
            last = saved[-1]
            after = _worker_answers(instance.base, cookie, f"ky+thuat+nuoi+ong+mat+lan+{len(saved)}")
            for detail, found in after.values():
                assert detail["index"]["backend"] == "postgresql" and detail["index"]["switch"] is None, detail
                assert [(hit["id"], hit["title"]) for hit in found["hits"]] == [(3, last)], found
        finally:
            instance.close()

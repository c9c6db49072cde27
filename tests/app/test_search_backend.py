"""The web app reaches search only through the backend LIBRARY_SEARCH_BACKEND names: start-up
refuses an unknown one, check-index and /healthz?detail=1 say when the index needs a rebuild for
its schema version, and what the index gives is escaped wherever it is shown."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from catalog.digital.models import add_page, create_object
from catalog.records.models import RecordDraft, create_record
from tests.conftest import login
from tests.search_index.test_schema_version import write_index_of_version

ROOT = Path(__file__).resolve().parents[2]
# What app/ may import of search_index: the interface and its errors, and CQL (SRU's query
# language, parsed and written in ours whatever the backend); nothing of an engine.
ALLOWED = {"search_index.backend", "search_index.errors", "search_index.cql", "search_index.cql_query"}


def test_app_imports_no_search_engine_and_only_the_interface():
    wrong = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                if name.split(".")[0] == "whoosh" or (name.startswith("search_index") and name not in ALLOWED):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_no_template_prints_index_output_unescaped():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app" / "templates").rglob("*.html")
                 if "snippet|safe" in p.read_text(encoding="utf-8").replace(" ", "")]
    assert offenders == []


def closed(app) -> None:
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()


@pytest.mark.parametrize("name", ["elastic", "solr", "whoosh2"])
def test_an_unknown_backend_refuses_start_up_and_names_the_choices(app_overrides, monkeypatch, name):
    from app import ConfigurationError, create_app

    monkeypatch.setenv("LIBRARY_SEARCH_BACKEND", name)
    with pytest.raises(ConfigurationError) as raised:
        create_app(app_overrides)
    message = str(raised.value)
    assert "LIBRARY_SEARCH_BACKEND" in message and "whoosh" in message and repr(name) in message


def test_whoosh_is_the_default_and_can_be_named(app_overrides, monkeypatch):
    from app import create_app
    from app.search import search_backend

    default = create_app(app_overrides)
    assert search_backend(default).name == "whoosh"
    closed(default)
    monkeypatch.setenv("LIBRARY_SEARCH_BACKEND", "Whoosh")
    named = create_app(app_overrides)
    assert search_backend(named).name == "whoosh"
    closed(named)


def test_check_index_and_healthz_say_an_index_of_another_schema_version_needs_reindex(demo, client):
    from app.search import search_backend

    runner = demo.test_cli_runner()
    assert runner.invoke(args=["check-index"]).exit_code == 0
    index_dir = search_backend(demo).index_dir
    write_index_of_version(index_dir, "0")
    runner.invoke(args=["sync-index"])
    result = runner.invoke(args=["check-index", "--json"])
    assert result.exit_code == 1
    assert "schema version 0" in result.output and "reindex" in result.output
    body = json.loads(result.output.strip().splitlines()[-1])
    assert (body["schema_version"], body["needs_rebuild"], body["clean"]) == ("0", True, False)
    login(client, "admin")
    detail = client.get("/healthz?detail=1").get_json()["detail"]["index"]
    assert (detail["backend"], detail["schema_version"], detail["needs_rebuild"]) == ("whoosh", "0", True)
    assert detail["expected_schema_version"] != "0"
    assert runner.invoke(args=["reindex"]).exit_code == 0
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0 and "The index matches the database." in result.output
    assert client.get("/healthz?detail=1").get_json()["detail"]["index"]["needs_rebuild"] is False


EVIL = '<script>alert("x")</script> & <b>sách</b>'


def test_index_text_is_escaped_on_the_results_page_and_in_json(app, client):
    with app.extensions["session_factory"].begin() as session:
        create_record(session, RecordDraft(title="Sổ tay nuôi ong", summary=f"Nuôi ong mật {EVIL}"))
    from app.hooks import after_commit
    after_commit(app)
    page = client.get("/search?q=ong").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>sách" not in page
    assert "&lt;script&gt;" in page and "<mark>ong</mark>" in page
    hit = client.get("/api/search?q=ong").get_json()["hits"][0]
    assert "<mark>ong</mark>" in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    assert "<script>" not in hit["snippet"] and "&amp;" in hit["snippet"]


def test_search_inside_snippets_are_escaped_in_json_and_in_the_reader(app, client):
    with app.extensions["session_factory"].begin() as session:
        record = create_record(session, RecordDraft(title="Bản tin xã"))
        obj = create_object(session, record, label="Bản quét", licence="cc-by", source_kind="images", source_name="s")
        add_page(session, obj, image_path="1.png", width=10, height=10, text=f"Nuôi ong {EVIL}", text_source="ocr")
        record_id, object_id = record.id, obj.id
    body = client.get(f"/api/records/{record_id}/search-inside", query_string={"q": "ong"}).get_json()
    snippet = body["hits"][0]["snippet"]
    assert snippet.startswith("Nuôi <mark>ong</mark> &lt;script&gt;") and "<script>" not in snippet
    html = client.get(f"/read/{object_id}/1", query_string={"q": "ong"}).get_data(as_text=True)
    assert "<script>alert" not in html and "Nuôi <mark>ong</mark> &lt;script&gt;" in html

"""/healthz: not ok (503) when search would find nothing or fail, and never any internals."""
from __future__ import annotations

import shutil

from whoosh import index as whoosh_index

from catalog.records.models import RecordDraft, create_record
from search_index.schema import build_schema
from search_index.writer import INDEX_NAME


def add_record(app, title: str = "Lịch sử xã Cát Hải") -> None:
    with app.extensions["session_factory"].begin() as session:
        create_record(session, RecordDraft(title=title))
    from app.hooks import after_commit
    after_commit(app)


def test_an_empty_index_while_the_catalogue_has_records_is_not_healthy(app, client, data_dir):
    add_record(app)
    assert client.get("/healthz").status_code == 200
    whoosh_index.create_in(str(data_dir / "index"), build_schema(), indexname=INDEX_NAME)  # emptied
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "checks": {
        "database": "ok", "index": "error: the search index is empty while the catalogue has records", "data": "ok",
        "index_backlog": "ok"}}


def test_an_empty_index_of_an_empty_catalogue_is_healthy(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/search?q=sach").get_json()["total"] == 0


def test_an_index_that_cannot_be_opened_is_not_healthy_and_no_internals_show(app, client, data_dir):
    add_record(app)
    index = data_dir / "index"
    shutil.rmtree(index)
    index.write_text("not an index")  # the folder is gone and cannot be made again
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["index"] == "error: the search index cannot be opened"
    body = response.get_data(as_text=True)
    assert str(data_dir) not in body and "Error" not in body and "Errno" not in body

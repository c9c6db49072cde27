"""What a served page reads from the database: a page image reads its object and that one page (not
the book's text), a record page its copies and digital objects once each."""
from __future__ import annotations

import contextlib
import io
import json

import pytest
from PIL import Image
from sqlalchemy import event, select

from catalog.digital.models import Page
from catalog.records.models import Record, delete_record
from tests.ingest.scan_samples import plain_image


@pytest.fixture
def book(app, runner, tmp_path):
    """An open-licensed object of four pages, each with a long text and its word boxes."""
    folder = tmp_path / "book"
    folder.mkdir()
    for number in range(1, 5):
        plain_image(number).save(folder / f"p{number}.png")
    result = runner.invoke(args=["ingest-scans", str(folder), "--no-ocr", "--licence", "cc-by", "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.output.strip().splitlines()[-1])
    with app.extensions["session_factory"].begin() as session:
        for page in session.scalars(select(Page).where(Page.object_id == made["object_id"])):
            page.text = "chữ trên trang " * 500
            page.words = [{"text": "chữ", "box": [1, 2, 3, 4]}] * 500
    return made


@contextlib.contextmanager
def statements(app):
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_page_image_reads_that_page_alone(app, client, book):
    url = f"/iiif/{book['object_id']}/3/full/120,/0/default.png"
    with client.get(url) as response:  # made once; the answer below comes from the cache
        assert response.status_code == 200
    with statements(app) as seen, client.get(url) as response:
        assert response.status_code == 200
        assert Image.open(io.BytesIO(response.data)).width == 120
    assert len(seen) <= 2, seen  # the object (its record's deletion checked in the same query), the page
    assert not [s for s in seen if "page.text," in s or "page.words" in s], seen
    with statements(app) as seen:
        assert client.get(f"/iiif/{book['object_id']}/3/info.json").status_code == 200
    assert len(seen) <= 2, seen


def test_a_deleted_records_images_are_not_served(app, client, book):
    image = f"/iiif/{book['object_id']}/1/full/120,/0/default.png"
    with client.get(image) as response:
        assert response.status_code == 200
    with app.extensions["session_factory"].begin() as session:
        delete_record(session, session.get(Record, book["record_id"]))
    for url in (image, f"/iiif/{book['object_id']}/1/info.json", f"/iiif/{book['object_id']}/manifest",
                f"/iiif/{book['object_id']}/9/info.json"):
        assert client.get(url).status_code == 404, url


def test_a_record_page_reads_copies_and_objects_once(app, client, book):
    with statements(app) as seen:
        response = client.get(f"/records/{book['record_id']}")
    assert response.status_code == 200
    assert f"/iiif/{book['object_id']}/1/full/120,/0/default.jpg" in response.get_data(as_text=True)
    assert len([s for s in seen if s.startswith("SELECT item.")]) == 1, seen
    assert len([s for s in seen if s.startswith("SELECT digital_object.")]) == 1, seen

"""Books saved for offline reading, over HTTP: the list of what to save is given only for a book
whose licence allows download (403 otherwise, for staff too), names screen-size derivatives that
the IIIF route serves (never the master), and the reader's service worker and saved books page."""
from __future__ import annotations

import pytest

from tests.app.test_reader import ingest
from tests.conftest import login
from tests.ingest.scan_samples import plain_image, text_pdf


@pytest.fixture
def books(runner, tmp_path):
    pdf = text_pdf(tmp_path / "sach.pdf", [["Lời nói đầu"], ["Đường về làng"], ["Phụ lục"]])
    image = tmp_path / "noi-bo.png"
    plain_image(1).save(image)
    return ingest(runner, pdf, "--licence", "cc-by"), ingest(runner, image, "--licence", "in-library")


def test_an_open_book_lists_its_pages_texts_and_screen_size_images(client, books):
    book = books[0]["object_id"]
    listing = client.get(f"/read/{book}/offline.json?width=360").get_json()
    assert listing["format"] == "hoclieu-offline-book" and len(listing["pages"]) == 3
    first = listing["pages"][0]
    assert first["reader"] == f"/read/{book}/1" and first["text"] == f"/read/{book}/1/text"
    width = int(first["image"].split("/full/")[1].split(",")[0])
    info = client.get(f"/iiif/{book}/1/info.json").get_json()
    assert width in [s["width"] for s in info["sizes"]] and width < info["width"]  # a derivative, not the master
    with client.get(first["image"]) as image:
        assert image.status_code == 200 and image.mimetype == "image/webp"
    wide = client.get(f"/read/{book}/offline.json?width=1400&format=jpg").get_json()["pages"][0]["image"]
    assert wide.endswith(".jpg") and int(wide.split("/full/")[1].split(",")[0]) > width
    for url in listing["assets"]:
        with client.get(url) as asset:
            assert asset.status_code == 200
    assert b"data-offline-save" in client.get(f"/read/{book}/1").data


def test_a_book_that_may_not_be_downloaded_cannot_be_saved(client, demo, books):
    closed = books[1]["object_id"]
    assert client.get(f"/read/{closed}/offline.json").status_code == 403
    login(client, "thuthu")  # staff read it, but its licence allows no download
    assert client.get(f"/read/{closed}/1").status_code == 200
    assert b"data-offline-save" not in client.get(f"/read/{closed}/1").data
    refused = client.get(f"/read/{closed}/offline.json", headers={"Accept": "application/json"})
    assert refused.status_code == 403 and "không được tải về" in refused.get_json()["error"]
    assert client.get("/read/999999/offline.json").status_code == 404


def test_the_reader_service_worker_and_the_saved_books_page(client, books):
    worker = client.get("/read/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "application/javascript"
    body = worker.get_data(as_text=True)
    assert "/*ASSETS*/" not in body and '"/read/saved"' in body and "/static/reader." in body
    saved = client.get("/read/saved")
    assert saved.status_code == 200 and 'id="saved-books"' in saved.get_data(as_text=True)
    assert "<script>" not in saved.get_data(as_text=True)

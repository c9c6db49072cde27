"""Issue 13: material that may not be read off site gives, by every route, which pages match and a
whole-page thumbnail, nothing more (catalog.digital.models.viewer_access is the one rule)."""
from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from tests.conftest import login
from tests.ingest.scan_samples import plain_image, text_pdf


def ingest(runner, path, *extra) -> dict:
    result = runner.invoke(args=["ingest-scans", str(path), "--no-ocr", "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


@pytest.fixture
def closed_text(runner, tmp_path):
    """An in-library PDF whose second page holds a word found nowhere else."""
    pdf = text_pdf(tmp_path / "noi-bo.pdf", [["Trang đầu"], ["Bí mật làng Xuândiệp", "chuyện kể"]])
    return ingest(runner, pdf, "--licence", "in-library")


@pytest.fixture
def closed_image(runner, tmp_path):
    image = tmp_path / "noi-bo.png"
    plain_image(1, size=(600, 800)).save(image)
    return ingest(runner, image, "--licence", "in-library")


def test_tile_reassembly_of_in_library_page_fails(client, closed_image, demo):
    """24 small tiles once rebuilt the staff image; now no region of the page is given off site."""
    base = f"/iiif/{closed_image['object_id']}/1"
    served = []
    for y in range(0, 800, 200):
        for x in range(0, 600, 150):
            with client.get(f"{base}/{x},{y},150,200/max/0/default.png") as tile:
                if tile.status_code == 200:
                    served.append(tile.status_code)
                else:
                    assert tile.status_code == 403
    assert served == [], "no tile of an in-library page off site"
    for url in ("pct:0,0,50,50/max/0/default.png", "square/300,/0/default.png", "0,0,600,300/300,/0/default.png",
                "full/max/0/default.png", "full/600,/0/default.jpg", "full/pct:60/0/default.jpg"):
        with client.get(f"{base}/{url}") as response:
            assert response.status_code == 403, url
    with client.get(f"{base}/full/!300,300/0/default.png") as thumb:
        assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.data)).size == (225, 300)
    with client.get(f"{base}/pct:0,0,100,100/200,/0/default.png") as thumb:
        assert thumb.status_code == 200, "the whole page however it is written"
    login(client, "thuthu")
    with client.get(f"{base}/0,0,150,150/max/0/default.png") as tile:
        assert tile.status_code == 200, "staff read tiles"


def test_page_text_of_in_library_material_stays_at_the_library(client, closed_text):
    record_id, object_id = closed_text["record_id"], closed_text["object_id"]
    body = client.get("/api/search", query_string={"q": "Xuândiệp"}).get_json()
    hit = next(h for h in body["hits"] if h["id"] == record_id)
    assert hit["pages"] == [2], "which pages match is shown"
    assert "Bí mật" not in hit["snippet"] and "chuyện" not in hit["snippet"] and "Xuândiệp" not in hit["snippet"]
    html = client.get("/search", query_string={"q": "Xuândiệp"}).get_data(as_text=True)
    assert "Bí mật" not in html
    inside = client.get(f"/api/records/{record_id}/search-inside", query_string={"q": "xuandiep"}).get_json()
    assert [h["page"] for h in inside["hits"]] == [2] and inside["available"] is True
    assert inside["hits"][0]["restricted"] is True and inside["hits"][0]["snippet"] == ""
    assert inside["hits"][0]["boxes"] == [] and "url" not in inside["hits"][0]
    assert "thư viện" in inside["hits"][0]["message"] or "library" in inside["hits"][0]["message"]
    assert client.get(f"/read/{object_id}/2/text").status_code == 403
    assert client.get(f"/iiif/{object_id}/manifest").status_code == 403
    assert client.get(f"/iiif/{object_id}/2/info.json").status_code == 403
    assert client.get(f"/read/{object_id}/download").status_code == 403
    assert client.get(f"/read/{object_id}/2/download").status_code == 403
    assert "noi-bo" not in client.get("/opds/new").get_data(as_text=True)


def test_on_site_visitors_get_the_text(app_overrides, closed_text):
    from app import create_app

    app = create_app({**app_overrides, "ON_SITE_NETWORKS": "127.0.0.0/8"})
    try:
        with app.test_client() as client:
            inside = client.get(f"/api/records/{closed_text['record_id']}/search-inside",
                                query_string={"q": "xuandiep"}).get_json()
            assert "Bí mật" in inside["hits"][0]["snippet"] and inside["hits"][0]["restricted"] is False
            body = client.get("/api/search", query_string={"q": "Xuândiệp"}).get_json()
            hit = next(h for h in body["hits"] if h["id"] == closed_text["record_id"])
            assert hit["pages"] == [2]
            with client.get(f"/iiif/{closed_text['object_id']}/1/0,0,100,100/max/0/default.png") as tile:
                assert tile.status_code == 200
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()

"""IIIF Image API 3.0 (level 1 + gray, png, webp) and the Presentation 3.0 manifest."""
from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from ingest.scans.errors import IiifError
from ingest.scans.iiif import parse_region, parse_request, parse_size
from tests.ingest.scan_samples import plain_image


@pytest.fixture
def book(runner, tmp_path):
    """An open-licensed object of two 300×400 pages."""
    folder = tmp_path / "book"
    folder.mkdir()
    for number in (1, 2):
        plain_image(number).save(folder / f"p{number}.png")
    result = runner.invoke(args=["ingest-scans", str(folder), "--no-ocr", "--licence", "cc-by", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def fetch_image(client, url):
    with client.get(url) as response:
        assert response.status_code == 200, response.get_data(as_text=True)
        return response, Image.open(io.BytesIO(response.data))


@pytest.mark.parametrize("region, expected", [
    ("full", (0, 0, 300, 400)), ("square", (0, 50, 300, 300)), ("10,20,100,50", (10, 20, 100, 50)),
    ("250,350,100,100", (250, 350, 50, 50)), ("pct:10,25,50,50", (30, 100, 150, 200)),
])
def test_region_math(region, expected):
    assert parse_region(region, 300, 400) == expected


@pytest.mark.parametrize("size, expected", [
    ("max", (150, 200)), ("75,", (75, 100)), (",100", (75, 100)), ("60,60", (60, 60)), ("!100,100", (75, 100)),
    ("pct:50", (75, 100)), ("!500,500", (150, 200)),
])
def test_size_math(size, expected):
    assert parse_size(size, 150, 200) == expected


@pytest.mark.parametrize("parts, field", [
    (("0,0,0,10", "max", "0", "default.jpg"), "region"), (("400,0,10,10", "max", "0", "default.jpg"), "region"),
    (("nonsense", "max", "0", "default.jpg"), "region"), (("full", "600,", "0", "default.jpg"), "size"),
    (("full", "^max", "0", "default.jpg"), "size"), (("full", "!10,", "0", "default.jpg"), "size"),
    (("full", "max", "45", "default.jpg"), "rotation"), (("full", "max", "0", "bitonal.jpg"), "quality"),
    (("full", "max", "0", "default.gif"), "format"),
])
def test_bad_parameters_name_the_parameter(parts, field):
    with pytest.raises(IiifError) as caught:
        parse_request(*parts, 300, 400)
    assert caught.value.field == field and caught.value.status == 400


def test_image_requests_crop_scale_rotate_and_convert(client, book):
    base = f"/iiif/{book['object_id']}/1"
    _response, image = fetch_image(client, f"{base}/full/max/0/default.jpg")
    assert image.size == (300, 400) and image.format == "JPEG"
    _response, image = fetch_image(client, f"{base}/0,0,300,100/150,/90/default.png")
    assert image.size == (50, 150) and image.format == "PNG"
    _response, image = fetch_image(client, f"{base}/square/100,100/180/gray.webp")
    assert image.size == (100, 100) and image.format == "WEBP"
    red, green, blue = image.convert("RGB").getpixel((50, 5))
    assert abs(red - green) < 10 and abs(green - blue) < 10, "grey"
    _response, image = fetch_image(client, f"{base}/20,20,260,40/pct:50/0/color.png")
    assert image.size == (130, 20) and image.convert("RGB").getpixel((60, 10))[0] > 150, "the red band"


def test_caching_headers_and_cached_derivatives(client, book, data_dir):
    url = f"/iiif/{book['object_id']}/1/full/120,/0/default.jpg"
    with client.get(url) as first:
        first.get_data()
    assert first.status_code == 200 and first.headers["ETag"] and "max-age=86400" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"] and first.headers["Access-Control-Allow-Origin"] == "*"
    cached = list((data_dir / "derivatives").rglob("*120,160*"))
    assert len(cached) == 1
    with client.get(url, headers={"If-None-Match": first.headers["ETag"]}) as again:
        assert again.status_code == 304


def test_bad_request_is_400_with_a_message(client, book):
    response = client.get(f"/iiif/{book['object_id']}/1/full/max/45/default.jpg")
    assert response.status_code == 400 and "“45”" in response.get_data(as_text=True)
    assert client.get(f"/iiif/{book['object_id']}/9/full/max/0/default.jpg").status_code == 404
    assert client.get("/iiif/999/1/info.json").status_code == 404


def test_info_json(client, book):
    info = client.get(f"/iiif/{book['object_id']}/2/info.json")
    body = json.loads(info.data)
    assert body["@context"] == "http://iiif.io/api/image/3/context.json" and body["type"] == "ImageService3"
    assert body["profile"] == "level1" and (body["width"], body["height"]) == (300, 400)
    assert body["id"].endswith(f"/iiif/{book['object_id']}/2") and "gray" in body["extraQualities"]
    assert client.get(f"/iiif/{book['object_id']}/2").status_code == 303


def test_manifest_shape_for_viewers(client, book):
    response = client.get(f"/iiif/{book['object_id']}/manifest")
    manifest = json.loads(response.data)
    assert "presentation/3/context.json" in response.headers["Content-Type"]
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert manifest["type"] == "Manifest" and manifest["id"].endswith(f"/iiif/{book['object_id']}/manifest")
    assert set(manifest["label"]) == {"vi", "en"} and manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert len(manifest["items"]) == 2
    canvas = manifest["items"][1]
    assert canvas["type"] == "Canvas" and (canvas["width"], canvas["height"]) == (300, 400)
    annotation_page = canvas["items"][0]
    annotation = annotation_page["items"][0]
    assert annotation_page["type"] == "AnnotationPage" and annotation["type"] == "Annotation"
    assert annotation["motivation"] == "painting" and annotation["target"] == canvas["id"]
    body = annotation["body"]
    assert body["type"] == "Image" and body["format"] == "image/jpeg"
    service = body["service"][0]
    assert service["type"] == "ImageService3" and service["profile"] == "level1"
    assert client.get(service["id"].split("localhost", 1)[1] + "/info.json").status_code == 200


@pytest.fixture
def big_page(runner, tmp_path):
    """An open-licensed grey page of 6000×5000 (30 megapixels, above the 25-megapixel maxArea)."""
    path = tmp_path / "ban-do.png"
    Image.linear_gradient("L").resize((6000, 5000)).save(path, compress_level=1)
    result = runner.invoke(args=["ingest-scans", str(path), "--no-ocr", "--licence", "cc0", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_page_above_max_area_is_served_within_it(client, big_page):
    """Issue 12.17: full/max of a page above the cap answered 400 and info.json did not say why."""
    base = f"/iiif/{big_page['object_id']}/1"
    info = json.loads(client.get(f"{base}/info.json").data)
    assert info["maxArea"] == 25_000_000 and (info["width"], info["height"]) == (6000, 5000)
    assert all(s["width"] * s["height"] <= info["maxArea"] for s in info["sizes"])
    assert info["rights"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    _response, image = fetch_image(client, f"{base}/full/max/0/default.jpg")
    assert image.width * image.height <= 25_000_000 and image.width > 5400
    assert abs(image.width / image.height - 6000 / 5000) < 0.01
    _response, best = fetch_image(client, f"{base}/full/!9000,9000/0/default.jpg")
    assert best.size == image.size, "!w,h gives the largest allowed, no upscaling past the region"
    _response, small = fetch_image(client, f"{base}/full/!600,600/0/default.jpg")
    assert small.size == (600, 500)
    assert client.get(f"{base}/full/6000,/0/default.jpg").status_code == 400
    manifest = json.loads(client.get(f"/iiif/{big_page['object_id']}/manifest").data)
    canvas = manifest["items"][0]
    assert (canvas["width"], canvas["height"]) == (6000, 5000)
    body = canvas["items"][0]["items"][0]["body"]
    _response, painted = fetch_image(client, body["id"].split("localhost", 1)[1])
    assert painted.size == (body["width"], body["height"])
    _response, tile = fetch_image(client, f"{base}/2048,1024,1024,1024/512,/0/default.png")
    assert tile.size == (512, 512)
    record = client.get(f"/api/records/{big_page['record_id']}").get_json()
    assert record["digital_objects"][0]["iiif_manifest"].endswith(f"/iiif/{big_page['object_id']}/manifest")


def test_tiles_are_read_from_the_pyramid_not_the_master(client, big_page, data_dir):
    master = next((data_dir / "scans" / str(big_page["object_id"])).glob("0001.png"))
    tiles = master.with_suffix(".tiles")
    assert json.loads((tiles / "levels.json").read_text())["levels"] == [1, 2, 4, 8]
    expected = Image.open(master).crop((3000, 2000, 3300, 2300))
    master.rename(master.with_suffix(".gone"))  # a tile must not need the master
    _response, tile = fetch_image(client, f"/iiif/{big_page['object_id']}/1/3000,2000,300,300/max/0/default.png")
    assert tile.mode == expected.mode and tile.tobytes() == expected.tobytes()


def test_pages_ingested_before_pyramids_get_one_on_first_request(client, book, data_dir):
    import shutil

    for folder in (data_dir / "scans" / str(book["object_id"])).glob("*.tiles"):
        shutil.rmtree(folder)
    _response, image = fetch_image(client, f"/iiif/{book['object_id']}/1/0,0,100,100/max/0/default.png")
    assert image.size == (100, 100)
    assert (data_dir / "scans" / str(book["object_id"]) / "0001.tiles" / "levels.json").exists()


def test_manifest_strings_are_plain_text_and_links_web_only(app, client, book):
    from catalog.records.models import Record

    with app.extensions["session_factory"].begin() as session:
        record = session.get(Record, book["record_id"])
        record.title = 'Sách <script>alert("x")</script> hay'
        record.authors = ['<img src=x onerror=alert(1)>Nguyễn Du']
        record.summary = "Tóm tắt <b>đậm</b> &lt;script&gt;"
        record.links = [{"url": "javascript:alert(1)", "text": "xấu"}, {"url": "https://example.org/a", "text": "tốt"}]
    from catalog.digital.models import DigitalObject

    with app.extensions["session_factory"].begin() as session:
        session.get(DigitalObject, book["object_id"]).label = ""
    text = client.get(f"/iiif/{book['object_id']}/manifest").get_data(as_text=True)
    manifest = json.loads(text)
    strings = json.dumps(manifest, ensure_ascii=False)
    assert "<script" not in strings and "<img" not in strings and "<b>" not in strings
    assert manifest["label"]["vi"] == ['Sách alert("x") hay']
    assert manifest["metadata"][0]["value"]["none"] == ["Nguyễn Du"]
    assert "javascript:" not in strings and "https://example.org/a" in strings

"""Issue 16, slow links: the images a phone's reader asks for first are rendered at ingest (CLI
and the staff upload job), so the first reader of a never-opened book is served from the cache:
no request of theirs adds a file to the derivative cache."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from PIL import Image

from tests.conftest import login
from tests.ingest.scan_samples import plain_image


def cached(data_dir: Path) -> set[str]:
    root = data_dir / "derivatives"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def phone_images(client, object_id: int, number: int) -> list[str]:
    """What the reader's page offers a 360 px phone: its WebP and JPEG <source> for the smallest
    screens, and the next page's light image it prefetches."""
    page = client.get(f"/read/{object_id}/{number}").get_data(as_text=True)
    sources = re.findall(r'<source media="\(max-width: (\d+)px\)" type="image/(webp|jpeg)" srcset="([^"]+)">', page)
    urls = [url for limit, _type, url in sources if int(limit) <= 600]
    following = re.search(r"data-next-images='([^']+)'", page)
    if following:
        urls += [url for media, url in json.loads(following.group(1)) if media and "420" in media]
    return urls


def fetch_all(client, urls: list[str]) -> None:
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url
            Image.open(io.BytesIO(response.data)).verify()


def test_ingest_renders_the_phone_images_of_every_page(runner, client, data_dir, tmp_path):
    folder = tmp_path / "sach"
    folder.mkdir()
    for number in (1, 2, 3):
        plain_image(number, size=(1700, 2200)).save(folder / f"{number:02d}.png")
    result = runner.invoke(args=["ingest-scans", str(folder), "--no-ocr", "--licence", "cc-by", "--json"])
    assert result.exit_code == 0, result.output
    object_id = json.loads(result.output.strip().splitlines()[-1])["object_id"]
    before = cached(data_dir)
    assert len([name for name in before if name.startswith(f"{object_id}/")]) >= 3 * 2, before
    urls = phone_images(client, object_id, 1) + phone_images(client, object_id, 3)
    assert len(urls) >= 4 and any(url.endswith(".webp") for url in urls) and any(url.endswith(".jpg") for url in urls)
    fetch_all(client, urls)
    assert cached(data_dir) == before, "every first image was served from the cache"
    # A size not made at ingest is still rendered on request (and cached then).
    with client.get(f"/iiif/{object_id}/1/full/200,/0/default.png") as response:
        assert response.status_code == 200
    assert len(cached(data_dir)) == len(before) + 1


def test_the_upload_job_renders_them_before_ocr(demo, data_dir):
    client = demo.test_client()
    login(client, "thuthu")
    image = io.BytesIO()
    plain_image(1, size=(1200, 1600)).save(image, "PNG")
    image.seek(0)
    response = client.post("/staff/scans", data={"files": [(image, "trang.png")], "licence": "cc-by", "no_ocr": "y"},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    job = client.get(response.headers["Location"] + ".json").get_json()
    assert job["status"] == "done", job
    object_id = job["result"]["object_id"]
    before = cached(data_dir)
    assert any(name.startswith(f"{object_id}/") and name.endswith(".webp") for name in before), before
    fetch_all(demo.test_client(), phone_images(demo.test_client(), object_id, 1))
    assert cached(data_dir) == before

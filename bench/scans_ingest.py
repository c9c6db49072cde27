"""Scans benchmark: pages per minute ingested with and without OCR, time to the first page image
in the reader (HTML, then the screen-sized image, cold and cached), IIIF requests per second
served from the derivative cache.

Pages are drawn with Pillow (A4 at 150 dpi, 1240×1754, ten lines of Vietnamese text each) so the
run needs no outside data. Usage: .venv/bin/python bench/scans_ingest.py [--pages 20] [--ocr-pages 4]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

LINES = ["Thư viện huyện Cát Hải", "Lịch sử xã Cát Bà qua các thời kỳ", "Đường về làng chài ven biển",
         "Học tập suốt đời cho mọi người", "Tài liệu học liệu mở của địa phương"]
FONT = next((p for p in (Path("app/static/fonts/DejaVuSans.ttf"),
                         Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")) if p.exists()), None)


def make_pages(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    font = ImageFont.truetype(str(FONT), 36) if FONT else ImageFont.load_default()
    for number in range(1, count + 1):
        image = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(image)
        for line in range(10):
            draw.text((100, 150 + line * 80), f"{LINES[(number + line) % len(LINES)]} {number}", fill=0, font=font)
        image.save(folder / f"page{number}.png")


def ingest(runner, folder: Path, *options: str) -> tuple[dict, float]:
    start = time.perf_counter()
    result = runner.invoke(args=["ingest-scans", str(folder), "--json", "--licence", "cc-by", *options])
    elapsed = time.perf_counter() - start
    return json.loads(result.output.strip().splitlines()[-1]), elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--ocr-pages", type=int, default=4)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    from app import create_app
    from app.schema import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/bench.db",
                          "DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "bench-secret-key-long-enough"})
        upgrade(app.extensions["engine"])
        runner, client = app.test_cli_runner(), app.test_client()
        make_pages(tmp_path / "plain", args.pages)
        make_pages(tmp_path / "ocr", args.ocr_pages)
        plain, plain_s = ingest(runner, tmp_path / "plain", "--no-ocr")
        ocr, ocr_s = ingest(runner, tmp_path / "ocr")
        object_id = plain["object_id"]
        start = time.perf_counter()
        html = client.get(f"/read/{object_id}/1").get_data(as_text=True)
        html_s = time.perf_counter() - start
        first = html.split('class="page-image" src="')[1].split('"')[0]
        start = time.perf_counter()
        with client.get(first) as response:
            size = len(response.data)
        cold_s = time.perf_counter() - start
        start = time.perf_counter()
        with client.get(first) as response:
            response.get_data()
        warm_s = time.perf_counter() - start
        urls = [f"/iiif/{object_id}/{n}/full/{w},/0/default.jpg" for n in range(1, args.pages + 1)
                for w in (360, 720)] + [f"/iiif/{object_id}/{n}/0,0,512,512/256,/0/default.jpg"
                                        for n in range(1, args.pages + 1)]
        for url in urls:  # fill the cache
            with client.get(url) as response:
                response.get_data()
        start = time.perf_counter()
        for index in range(args.requests):
            with client.get(urls[index % len(urls)]) as response:
                response.get_data()
        rps = args.requests / (time.perf_counter() - start)
        app.extensions["job_pool"].shutdown(wait=True)
        print(f"ingest without OCR: {plain['pages']} pages in {plain_s:.2f} s = {60 * plain['pages'] / plain_s:.0f} pages/min")
        print(f"ingest with OCR (vie+eng): {ocr['pages']} pages in {ocr_s:.2f} s = "
              f"{60 * ocr['pages'] / ocr_s:.1f} pages/min (OCR {ocr['ocr']['status']})")
        print(f"reader first page: HTML {1000 * html_s:.0f} ms; first image ({size // 1024} KB, {first.split('/')[5]}) "
              f"cold {1000 * cold_s:.0f} ms, cached {1000 * warm_s:.1f} ms")
        print(f"IIIF from the derivative cache: {rps:.0f} requests/s ({args.requests} requests, {len(urls)} URLs)")


if __name__ == "__main__":
    main()

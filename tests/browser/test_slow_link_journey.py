"""Issue 16, slow links: a resident on a 360 px phone over an emulated slow 3G link (400 ms round
trip, 50 KB/s each way) opens a real scanned book. The first page is readable within 2 s (a light
image chosen for the screen), then sharpened; the next page is prefetched and shows at once;
static files are immutable under hashed names, HTML is gzipped, and the favicon is there. The book
is one nobody has opened: its first images come from what ingest rendered, not from a render on
request."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import shared_data

# Real scans from ../shared/data: the real-data pass runs this journey (the core suite stays
# runnable without ../shared).
pytestmark = pytest.mark.realdata

LATENCY_MS = 400
THROUGHPUT = 50 * 1024  # bytes per second
FIRST_PAGE_GOAL_MS = 2000
NEXT_PAGE_GOAL_MS = 1000
SCANS = ("scan_images/ocrmypdf__OCRmyPDF/linn.png", "scan_images/ocrmypdf__OCRmyPDF/typewriter.png",
         "scan_images/nguyenq__VietOCR3/vietsample2.png")
IMAGE_READY = """() => { const img = document.querySelector('img.page-image');
  return img !== null && img.complete && img.naturalWidth > 0; }"""
IMAGE_TIMING = """() => { const img = document.querySelector('img.page-image');
  const entry = performance.getEntriesByName(img.currentSrc)[0];
  return {end: entry ? entry.responseEnd : null, natural: img.naturalWidth, shown: img.clientWidth,
          src: img.currentSrc, bytes: entry ? entry.encodedBodySize : null,
          transfer: entry ? entry.transferSize : null}; }"""


def scanned_book(demo, tmp_path) -> int:
    """Three real scans (2550 and 4000 px wide) as one book, without OCR; its object id."""
    folder = tmp_path / "scans"
    folder.mkdir()
    for number, scan in enumerate(SCANS, start=1):
        shutil.copy(shared_data(scan), folder / f"{number:02d}{shared_data(scan).suffix}")
    result = demo.test_cli_runner().invoke(args=["ingest-scans", str(folder), "--no-ocr", "--licence", "cc-by",
                                                 "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])["object_id"]


def warm_server(demo, object_id: int) -> None:
    """Serve the reader's HTML once (the last page, no image asked for), as a server that has been
    up a while has: the test measures the link and an unopened book, not templates compiled and a
    database pool filled by this very request."""
    with demo.test_client().get(f"/read/{object_id}/{len(SCANS)}") as response:
        assert response.status_code == 200


def made_at_ingest(demo) -> set[str]:
    """The derivative cache of a book nobody has opened: only what ingest rendered."""
    root = Path(demo.config["DATA_DIR"]) / "derivatives"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def cache_name(src: str) -> tuple[str, str, str]:
    """The derivative cache file an image URL of the reader is served from (its size and format)."""
    match = re.search(r"/iiif/(\d+)/(\d+)/full/(\d+),/0/default\.(\w+)$", src)
    assert match, src
    object_id, number, width, fmt = match.groups()
    return f"{object_id}/{number}-", f"_{width},", f"_0_default.{fmt}"


def slow_link(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": LATENCY_MS,
                                                  "downloadThroughput": THROUGHPUT, "uploadThroughput": THROUGHPUT})


def test_a_scanned_book_on_a_slow_link(demo, live_server, page, tmp_path):
    object_id = scanned_book(demo, tmp_path)  # never opened: no reader has asked for any of its images
    before = made_at_ingest(demo)
    warm_server(demo, object_id)
    assert made_at_ingest(demo) == before
    slow_link(page)
    responses = {}
    page.on("response", lambda r: responses.setdefault(r.url.replace(live_server, ""), r))
    first = page.goto(f"{live_server}/read/{object_id}/1", wait_until="commit")
    page.wait_for_function(IMAGE_READY, timeout=20_000)
    light = page.evaluate(IMAGE_TIMING)
    print(f"first page image: {light}")
    assert light["end"] is not None and light["end"] <= FIRST_PAGE_GOAL_MS, light
    assert light["natural"] >= 0.8 * light["shown"], light  # light, but readable at the screen's width
    prefix, size, suffix = cache_name(light["src"])
    assert any(n.startswith(prefix) and size in n and n.endswith(suffix) for n in before), (light, sorted(before))
    assert first.headers.get("content-encoding") == "gzip"

    # Sharpened for the device pixels, then the next page and its image fetched ahead.
    page.wait_for_function("""() => { const img = document.querySelector('img.page-image');
        return img.naturalWidth >= img.clientWidth * devicePixelRatio && !img.closest('picture').querySelector('source'); }""",
                           timeout=20_000)
    page.wait_for_function(f"""() => performance.getEntriesByType('resource').some(e =>
        e.name.endsWith('/read/{object_id}/2') && e.responseEnd > 0)""", timeout=20_000)
    page.wait_for_timeout(3000)  # the next page's light image (about 40 KB) finishes on the slow link

    static = [url for url in responses if url.startswith("/static/")]
    assert {u.rsplit("/", 1)[1].split(".")[0] for u in static} >= {"style", "reader"}
    for url in static:
        assert "immutable" in responses[url].headers.get("cache-control", ""), url
        assert "max-age=31536000" in responses[url].headers.get("cache-control", ""), url
    icon = page.request.get(f"{live_server}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")

    page.click("a[rel=next]")
    page.wait_for_url(f"{live_server}/read/{object_id}/2")
    page.wait_for_function(IMAGE_READY, timeout=20_000)
    turned = page.evaluate(IMAGE_TIMING)
    print(f"next page image: {turned}")
    assert turned["end"] is not None and turned["end"] <= NEXT_PAGE_GOAL_MS, turned
    # No static file crossed the link again: each came from the cache without a revalidation.
    reused = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/static/')).map(e => [e.name, e.transferSize])""")
    assert reused and all(size == 0 for _name, size in reused), reused

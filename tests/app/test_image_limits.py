"""Issue 13.4: image serving is bounded: tiles come from a pyramid (memory of a served process stays
small under parallel tile requests), the derivative cache keeps under its limit, and derivations
per address are rate limited (429)."""
from __future__ import annotations

import concurrent.futures
import io
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ROOT, login
from tests.ingest.scan_samples import plain_image


def ingest(runner, path, *extra) -> dict:
    result = runner.invoke(args=["ingest-scans", str(path), "--no-ocr", "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


@pytest.fixture
def app_overrides(app_overrides):
    # One rate window for decades, so that no window boundary falls in the middle of a test.
    return {**app_overrides, "DERIVATIVE_CACHE_MAX_BYTES": 40_000, "IMAGE_RATE_LIMIT": "6/1000000000"}


@pytest.fixture
def book(runner, tmp_path):
    path = tmp_path / "sach.png"
    plain_image(1, size=(900, 1200)).save(path)
    return ingest(runner, path, "--licence", "cc-by")


def _cache_bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in (data_dir / "derivatives").rglob("*") if p.is_file())


def test_eviction_keeps_the_cache_under_its_limit(client, demo, book, data_dir):
    login(client, "thuthu")  # staff: not rate limited; this test is about the cache
    for width in range(300, 900, 30):
        with client.get(f"/iiif/{book['object_id']}/1/full/{width},/0/default.png") as response:
            assert response.status_code == 200
            Image.open(io.BytesIO(response.data)).verify()
        assert _cache_bytes(data_dir) <= 40_000, width
    assert len(list((data_dir / "derivatives").rglob("*.png"))) >= 1, "recent answers stay cached"


def test_derivations_per_address_are_limited(client, demo, book):
    base = f"/iiif/{book['object_id']}/1"
    statuses = []
    for width in (100, 110, 120, 130, 140, 150, 160):
        with client.get(f"{base}/full/{width},/0/default.jpg") as response:
            statuses.append(response.status_code)
    assert statuses == [200] * 6 + [429]
    refused = client.get(f"{base}/full/170,/0/default.jpg", headers={"Accept": "application/json"})
    assert refused.status_code == 429 and "giây" in refused.get_json()["error"]
    with client.get(f"{base}/full/100,/0/default.jpg") as cached:
        assert cached.status_code == 200, "a cached answer costs nothing"
    login(client, "thuthu")
    with client.get(f"{base}/full/180,/0/default.jpg") as staff:
        assert staff.status_code == 200, "staff are not limited"


SERVER = """
import json, sys
from werkzeug.serving import make_server
from app import create_app
app = create_app(json.loads(sys.argv[1]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        return response.status


def test_parallel_tiles_of_a_huge_page_keep_the_server_small(app_overrides, runner, tmp_path):
    """16 distinct tiles, 8 at a time, of a 48-megapixel colour page (144 MB decoded): each once
    decoded the whole master; from the pyramid the served process grows by a few tiles only."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to read the served process's memory")
    page = tmp_path / "to-lon.jpg"
    gradient = Image.linear_gradient("L").resize((8000, 6000))
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient)).save(page, quality=85)
    book = ingest(runner, page, "--licence", "cc-by")
    overrides = {**app_overrides, "IMAGE_RATE_LIMIT": "", "DERIVATIVE_CACHE_MAX_BYTES": 100_000_000}
    server = subprocess.Popen([sys.executable, "-c", SERVER, json.dumps(overrides)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}/iiif/{book['object_id']}/1"
        assert _get(f"{base}/full/200,/0/default.jpg") == 200  # warm up: imports, first request
        before = _peak_rss_mb(server.pid)
        tiles = [f"{base}/{x},{y},512,512/512,/0/default.jpg" for x in range(2048, 6144, 1024)
                 for y in range(1024, 5120, 1024)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            assert list(pool.map(_get, tiles)) == [200] * 16
        grown = _peak_rss_mb(server.pid) - before
        print(f"served process grew by {grown:.0f} MB")
        assert grown < 100, f"the served process grew by {grown:.0f} MB for 16 tiles"
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


def test_images_are_served_from_an_unwritable_cache(client, book, data_dir):
    """A data folder that cannot be written still serves page images (nothing is kept)."""
    import shutil

    shutil.rmtree(data_dir / "derivatives", ignore_errors=True)
    (data_dir / "derivatives").write_text("not a folder")  # root ignores chmod; a file in the way cannot be
    with client.get(f"/iiif/{book['object_id']}/1/full/300,/0/default.jpg") as response:
        assert response.status_code == 200 and Image.open(io.BytesIO(response.data)).width == 300


def test_shared_rate_limit_storage_counts_across_processes(tmp_path):
    """LIBRARY_RATE_LIMIT_STORAGE=sqlite:///PATH: every worker process sees the same counts."""
    from app.web.ratelimit import RateLimited, RateLimiter

    storage = f"sqlite:///{tmp_path / 'ratelimit.db'}"
    script = ("import sys; from app.web.ratelimit import RateLimiter; "
              "[RateLimiter(5, 10**9, sys.argv[1]).hit('10.0.0.9') for _ in range(3)]")
    subprocess.run([sys.executable, "-c", script, storage], cwd=ROOT, check=True)
    here = RateLimiter(5, 10**9, storage)  # one window for decades: no boundary mid-test
    here.hit("10.0.0.9")
    here.hit("10.0.0.9")
    with pytest.raises(RateLimited) as refused:
        here.hit("10.0.0.9")
    assert refused.value.status == 429
    here.hit("10.0.0.10")  # another address has its own count

"""Real scans from OCRmyPDF, tesseract and VietOCR test suites (../shared/data): every file ingests,
malformed PDFs get clear messages, OCR accuracy keeps its floor, Vietnamese pages are found by
words typed with and without diacritics. OCR runs on a bounded set of small pages (fast)."""
from __future__ import annotations

import csv
import json
import re

import pytest

from tests.conftest import SHARED_DATA, require_tool, shared_data

pytestmark = pytest.mark.realdata

# Character error rates measured on 2026-11-24 with tesseract 5.3.0 (vie+eng); a floor, not a goal.
CER_FLOOR = {"phototest.tif": 0.01, "eurotext.tif": 0.03}  # measured: 0.000 and 0.017


def run(runner, *args) -> tuple[int, dict, str]:
    result = runner.invoke(args=["ingest-scans", *map(str, args), "--json"])
    return result.exit_code, json.loads(result.output.strip().splitlines()[-1]), result.output


def manifest_rows(folder: str) -> list[dict]:
    """The manifest's rows of a folder. Read while tests are collected, also by the core suite
    (which deselects these): without ../shared/data, one row whose test then fails, naming it."""
    if not SHARED_DATA.joinpath("MANIFEST.tsv").exists():
        return [{"path": "MANIFEST.tsv", "count": "0"}]
    with shared_data("MANIFEST.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return [{"path": row[1], "count": row[6]} for row in rows if row and row[0] == folder]


@pytest.mark.parametrize("row", manifest_rows("scan_pdfs"), ids=lambda row: row["path"].split("/")[-1])
def test_every_scan_pdf_ingests_all_its_pages(runner, row):
    code, summary, output = run(runner, shared_data(row["path"]), "--no-ocr")
    assert code == 0, output
    assert summary["pages"] == int(row["count"]), output


def test_every_scan_image_folder_ingests(runner):
    for folder in sorted(p for p in shared_data("scan_images").iterdir() if p.is_dir()):
        code, summary, output = run(runner, folder, "--no-ocr")
        assert code == 0, output
        images = [p for p in folder.iterdir() if p.suffix.lower() in (".tif", ".png", ".jpg")]
        assert summary["pages"] >= len(images), output
        skipped = {p["file"].split("/")[-1] for p in summary["problems"]}
        assert all(name.endswith((".txt", ".uzn")) for name in skipped), skipped


@pytest.mark.parametrize("name, code, message", [
    ("invalid.pdf", 1, "invalid.pdf: not a valid PDF"),
    ("hugemono.pdf", 1, "too large to render"),
    ("no_contents.pdf", 1, "no_contents.pdf: the page is blank"),
    ("enormous.pdf", 0, "enormous.pdf: a large page, rendered at"),
])
def test_malformed_pdfs_get_clear_messages(runner, data_dir, name, code, message):
    exit_code, summary, output = run(runner, shared_data("scan_malformed/ocrmypdf__OCRmyPDF", name), "--no-ocr")
    assert exit_code == code and message in output
    outside = [p for p in data_dir.parent.iterdir() if p.name not in ("data", "library.db", "library.db-wal",
                                                                     "library.db-shm")]
    assert outside == []


def _cer(expected: str, found: str) -> float:
    a, b = " ".join(expected.split()), " ".join(found.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(1, len(a))


@pytest.mark.parametrize("image, truth", [("phototest.tif", "phototest.txt"), ("eurotext.tif", "eurotext.txt")])
def test_ocr_character_error_rate_keeps_its_floor(runner, app, image, truth):
    require_tool("tesseract")
    folder = "scan_images/tesseract-ocr__test"
    code, summary, output = run(runner, shared_data(folder, image))
    assert code == 0 and summary["ocr"]["pages_read"] == 1, output
    from catalog.digital.models import DigitalObject

    with app.extensions["session_factory"]() as session:
        text = session.get(DigitalObject, summary["object_id"]).pages[0].text
    cer = _cer(shared_data(folder, truth).read_text(encoding="utf-8"), text)
    print(f"CER {image}: {cer:.4f}")
    assert cer <= CER_FLOOR[image], f"{image}: CER {cer:.3f} is worse than the floor {CER_FLOOR[image]}"


def _found(client, q: str, record_id: int) -> list[int]:
    hits = client.get("/api/search", query_string={"q": q}).get_json()["hits"]
    return next((hit.get("pages") or [0] for hit in hits if hit["id"] == record_id), [])


def test_vietnamese_pages_are_found_with_and_without_diacritics(runner, client):
    require_tool("tesseract")
    _code, viet, output = run(runner, shared_data("scan_images/tesseract-ocr__test/viet.tif"))
    assert viet["ocr"]["pages_read"] == 1, output
    _code, sample, output = run(runner, shared_data("scan_images/nguyenq__VietOCR3/vietsample1.tif"), "--licence", "cc-by")
    assert sample["ocr"]["pages_read"] >= 1, output
    for q in ("Sơn Tây", "son tay", "Ba Vì", "ba vi"):
        assert _found(client, q, sample["record_id"]), q
    for q in ("tiếng", "tieng"):
        assert _found(client, q, viet["record_id"]), q
    inside = client.get(f"/api/records/{sample['record_id']}/search-inside?q=son+tay").get_json()
    assert inside["hits"] and inside["hits"][0]["boxes"]


def test_text_pdf_uses_its_text_layer_not_ocr(runner, client):
    code, summary, output = run(runner, shared_data("text_pdfs/nguyenq__VietOCR3/vietsample1.pdf"), "--licence", "cc-by")
    assert code == 0 and summary["text_pages"] == 2 and summary["ocr"]["pages_read"] == 0, output
    for q in ("lụa Hà Đông", "lua ha dong"):
        assert 1 in _found(client, q, summary["record_id"]), q
    inside = client.get(f"/api/records/{summary['record_id']}/search-inside?q=lua").get_json()
    assert inside["hits"][0]["page"] == 1 and re.search("lụa", inside["hits"][0]["snippet"], re.I)


def test_page_above_the_iiif_cap_is_served_within_max_area(runner, client):
    """multipage.pdf page 2 renders at 6300×6300 (39.7 megapixels, above maxArea 25): its info.json
    says maxArea, full/max answers within it, and the manifest paints an image that loads."""
    code, summary, output = run(runner, shared_data("scan_pdfs/ocrmypdf__OCRmyPDF/multipage.pdf"), "--no-ocr",
                                "--licence", "cc0")
    assert code == 0, output
    base = f"/iiif/{summary['object_id']}/2"
    info = client.get(f"{base}/info.json").get_json(force=True)
    assert info["width"] * info["height"] > info["maxArea"] == 25_000_000
    with client.get(f"{base}/full/max/0/default.jpg") as response:
        assert response.status_code == 200
    manifest = client.get(f"/iiif/{summary['object_id']}/manifest").get_json(force=True)
    body = manifest["items"][1]["items"][0]["items"][0]["body"]
    assert body["width"] * body["height"] <= 25_000_000
    with client.get(body["id"].split("localhost", 1)[1]) as painted:
        assert painted.status_code == 200

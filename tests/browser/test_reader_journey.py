"""A reader on a 360 px phone: open a book, turn the page with the keyboard, search inside, see
the hit boxes on the page image, read the plain text."""
from __future__ import annotations

import json
import re

from tests.ingest.scan_samples import text_pdf


def test_reading_a_book_on_a_phone(live_server, demo, page, tmp_path):
    pdf = text_pdf(tmp_path / "sach.pdf", [["Lời nói đầu của cuốn sách"], ["Lịch sử xã Cát Bà", "Đường về làng"],
                                           ["Phụ lục"]])
    result = demo.test_cli_runner().invoke(args=["ingest-scans", str(pdf), "--licence", "cc-by", "--json"])
    book = json.loads(result.output.strip().splitlines()[-1])
    page.goto(f"{live_server}/digital")
    page.get_by_role("link", name=re.compile("sach")).first.click()
    page.wait_for_url(re.compile(rf"/read/{book['object_id']}/1$"))
    image = page.locator("img.page-image")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert image.evaluate("img => img.currentSrc").count("/full/") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(rf"/read/{book['object_id']}/2$"))
    page.fill("input[name=q]", "duong ve")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q=duong"))
    assert page.locator(".hits li").count() == 1
    boxes = page.locator(".stage .hl")
    assert boxes.count() == 2 and boxes.first.is_visible()
    box, stage = boxes.first.bounding_box(), page.locator(".stage").bounding_box()
    assert stage["x"] <= box["x"] < stage["x"] + stage["width"] and box["width"] > 5
    page.screenshot(path=str(tmp_path / "reader.png"))
    page.get_by_role("button", name=re.compile("Phóng to|Zoom in")).click()
    assert page.locator(".viewport.zoomed").count() == 1
    page.locator("a", has_text=re.compile("Văn bản thuần|Plain text")).click()
    page.wait_for_url(re.compile(r"/2/text$"))
    assert "Đường về làng" in page.locator("article.page-text").inner_text()

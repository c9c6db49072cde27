"""A resident on a 360 px phone saves an open book for offline reading (progress, pages done of
the total), loses the link, reloads the reader and reads its pages and their text, finds it in
the saved books with its size, and removes it; a full phone gets a plain message. A book whose
licence allows no download has no save button and its list answers 403."""
from __future__ import annotations

import json
import re

from tests.ingest.scan_samples import plain_image, text_pdf

QUOTA = """() => { window.__put = Cache.prototype.put;
  Cache.prototype.put = () => Promise.reject(new DOMException("full", "QuotaExceededError")); }"""

BOOKS = "caches.keys().then((names) => names.filter((n) => n.startsWith('hoclieu-book:')))"


def ingest(app, path, licence: str) -> int:
    result = app.test_cli_runner().invoke(args=["ingest-scans", str(path), "--no-ocr", "--licence", licence, "--json"])
    return json.loads(result.output.strip().splitlines()[-1])["object_id"]


def test_a_book_saved_on_a_phone_is_read_offline_and_removed(demo, live_server, page, tmp_path):
    book = ingest(demo, text_pdf(tmp_path / "sach.pdf", [["Lời nói đầu của cuốn sách"], ["Lịch sử xã Cát Bà"],
                                                          ["Phụ lục"]]), "cc-by")
    image = tmp_path / "noi-bo.png"
    plain_image(1).save(image)
    closed = ingest(demo, image, "in-library")
    demo.config["ON_SITE_NETWORKS"] = "127.0.0.0/8"  # read on site: the page shows, still nothing to save
    page.goto(f"{live_server}/read/{closed}/1")
    assert page.locator("img.page-image").count() == 1 and page.locator("[data-offline-save]").count() == 0
    assert page.request.get(f"{live_server}/read/{closed}/offline.json").status == 403
    demo.config["ON_SITE_NETWORKS"] = ""

    page.goto(f"{live_server}/read/{book}/1")
    save = page.locator("[data-offline-save]")
    page.evaluate(QUOTA)  # a phone with no room left
    save.click()
    page.wait_for_function("() => document.querySelector('[data-offline-status]').textContent.includes('không còn đủ chỗ')")
    assert page.evaluate(BOOKS) == []  # nothing half-saved is left behind
    page.evaluate("() => { Cache.prototype.put = window.__put; }")
    page.evaluate("""() => { const out = document.querySelector('[data-offline-status]'); window.__seen = [];
      new MutationObserver(() => window.__seen.push(out.textContent)).observe(out, {childList: true, subtree: true,
      characterData: true}); }""")
    save.click()
    page.wait_for_function("() => document.querySelector('[data-offline-status]').textContent.includes('Đã lưu')")
    seen = page.evaluate("window.__seen")
    assert "Đang lưu để đọc ngoại tuyến: 0/3 trang…" in seen and "Đang lưu để đọc ngoại tuyến: 3/3 trang…" in seen
    saved = page.inner_text("[data-offline-status]")
    assert re.search(r"3 trang, \d+ KB", saved), saved
    assert page.is_visible("[data-offline-remove]") and page.is_hidden("[data-offline-save]")
    page.goto(f"{live_server}/read/saved")  # once online, so that the worker keeps the saved books page
    page.wait_for_selector("#saved-books li")

    page.context.set_offline(True)
    assert page.evaluate("() => fetch('/healthz').then(() => 'up', () => 'down')") == "down"
    page.goto(f"{live_server}/read/{book}/1")
    page.reload()
    assert page.locator("img.page-image").evaluate("img => img.complete && img.naturalWidth > 0")
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(rf"/read/{book}/2$"))
    assert page.locator("img.page-image").evaluate("img => img.complete && img.naturalWidth > 0")
    page.locator("a", has_text=re.compile("Văn bản thuần")).click()
    page.wait_for_url(re.compile(r"/2/text$"))
    assert "Lịch sử xã Cát Bà" in page.locator("article.page-text").inner_text()
    page.goto(f"{live_server}/read/saved")
    page.wait_for_selector("#saved-books li")
    listed = page.inner_text("#saved-books")
    assert "sach" in listed and re.search(r"3 trang · \d+ KB", listed), listed
    assert re.search(r"Đã lưu 1 cuốn sách .*tổng cộng \d+ KB", page.inner_text("#saved-total"))
    page.click("#saved-books button")
    page.wait_for_selector("#saved-empty:not([hidden])")
    assert page.evaluate(BOOKS) == []
    assert page.evaluate(f"() => fetch('/read/{book}/1').then(() => 'read', () => 'gone')") == "gone"

"""Issue 16, the reader's tools: go to a page by number (with and without JavaScript), full
screen, two pages side by side on a wide screen, the reading position remembered per book, and
zoom buttons that stay hidden when JavaScript cannot make them work."""
from __future__ import annotations

import json
import re

from tests.ingest.scan_samples import text_pdf


def book(demo, tmp_path) -> int:
    pdf = text_pdf(tmp_path / "sach.pdf", [["Trang một"], ["Trang hai"], ["Trang ba"], ["Trang bốn"], ["Trang năm"]])
    result = demo.test_cli_runner().invoke(args=["ingest-scans", str(pdf), "--licence", "cc-by", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])["object_id"]


def test_go_to_page_full_screen_two_pages_and_the_position_kept(demo, live_server, desktop_page, tmp_path):
    page, object_id = desktop_page, book(demo, tmp_path)
    page.goto(f"{live_server}/read/{object_id}/1")
    assert page.locator(".resume").is_hidden()  # nothing read yet
    page.fill("input[name=page]", "4")
    page.get_by_role("button", name="Đến", exact=True).click()
    page.wait_for_url(re.compile(rf"/read/{object_id}/4$"), wait_until="commit")
    assert "Trang 4 / 5" in page.locator(".turn .where").inner_text()

    # 1280 px wide: page 4 and page 5 side by side, both loaded, each half the width.
    page.wait_for_function("() => { const i = document.querySelector('.viewport.spread img.next-page-image');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    left, right = page.locator(".viewport .stage").nth(0).bounding_box(), page.locator(".viewport .stage").nth(1).bounding_box()
    assert abs(left["y"] - right["y"]) < 2 and right["x"] >= left["x"] + left["width"] - 1
    assert left["width"] < 700 and right["width"] < 700
    page.get_by_role("button", name="Hai trang").click()
    assert page.locator(".viewport.spread").count() == 0 and page.locator("img.next-page-image").is_hidden()

    page.get_by_role("button", name="Toàn màn hình").click()
    page.wait_for_function("() => document.fullscreenElement && document.fullscreenElement.matches('.viewport')")
    page.keyboard.press("Escape")
    page.evaluate("() => document.fullscreenElement && document.exitFullscreen()")

    # Coming back to the book: its first page offers to continue at page 4.
    page.goto(f"{live_server}/read/{object_id}/1")
    resume = page.locator(".resume a")
    assert resume.is_visible() and "Đọc tiếp từ trang 4" in resume.inner_text()
    assert resume.get_attribute("href") == f"/read/{object_id}?page=4"
    resume.click()
    page.wait_for_url(re.compile(rf"/read/{object_id}/4$"), wait_until="commit")


def test_without_javascript_no_dead_buttons_and_go_to_page_still_works(demo, live_server, browser, tmp_path):
    object_id = book(demo, tmp_path)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/read/{object_id}/2")
    assert page.locator(".zoombar").count() == 1 and page.locator(".zoombar").is_hidden()
    assert page.locator(".resume").is_hidden()
    assert page.locator("img.page-image").evaluate("img => img.complete && img.naturalWidth > 0")
    page.fill("input[name=page]", "99")  # past the end: the last page
    page.get_by_role("button", name="Đến", exact=True).click()
    page.wait_for_url(re.compile(rf"/read/{object_id}/5$"), wait_until="commit")
    context.close()


def test_found_inside_links_open_the_page_with_the_words_boxed(demo, live_server, page, tmp_path):
    object_id = book(demo, tmp_path)
    page.goto(f"{live_server}/search?q=trang+b%E1%BB%91n")
    hint = page.locator("p.pages")
    assert hint.count() == 1 and "Tìm thấy bên trong, ở các trang: 4" in hint.inner_text()
    hint.get_by_role("link", name="4").click()
    page.wait_for_url(re.compile(rf"/read/{object_id}/4\?q="), wait_until="commit")
    assert page.locator(".hits li.current").count() == 1
    boxes = page.locator(".stage .hl")
    assert boxes.count() == 2 and boxes.first.is_visible()
    page.go_back()
    page.get_by_role("link", name="Đọc trực tuyến").first.click()
    page.wait_for_url(re.compile(rf"/read/{object_id}/4\?q="), wait_until="commit")

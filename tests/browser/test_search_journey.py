"""A resident on a 360 px phone searches without diacritics, refines, and opens a record."""
from __future__ import annotations

import re


def test_search_without_diacritics_on_a_phone_and_open_a_record(live_server, page):
    page.goto(live_server + "/")
    page.get_by_role("searchbox").fill("truyen co tich")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert re.match(r"\d+ kết quả cho “truyen co tich”", heading), heading
    first = page.locator("ol.hits li h2 a").first
    title = first.inner_text()
    assert title.startswith("Truyện cổ tích")
    assert page.locator("ol.hits mark").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/search-phone.png", full_page=False)

    subjects = page.locator("details", has_text="Chủ đề")  # facets are plain links: no JS needed
    if subjects.get_attribute("open") is None:
        subjects.locator("summary").click()
    subjects.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert "Bộ lọc" in page.content()

    page.locator("ol.hits li h2 a").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Truyện cổ tích")
    assert page.get_by_role("heading", name="Bản sách").is_visible()
    assert page.locator("table.copies td").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/record-phone.png", full_page=True)

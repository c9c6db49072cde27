"""A cataloguer imports a MARC file on a phone, reads the report and downloads a rejected record."""
from __future__ import annotations

from tests.ingest.marc_fixtures import book, df, iso


def test_cataloguer_imports_a_file_and_reads_the_report(live_server, page, tmp_path):
    path = tmp_path / "thu-vien-quoc-gia.mrc"
    path.write_bytes(iso(book("VN1", "Truyện Kiều", "Nguyễn Du", 1820,
                              extra=[df("952", "  ", "p", "KIEU-1", "a", "TTVH")])) + iso(book("VN2", "Hỏng"))[:-40])
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "bienmuc")
    page.fill("input[name=password]", "hoclieu-demo")
    page.locator("form button[type=submit]").last.click()
    page.goto(f"{live_server}/staff/import")
    page.set_input_files("input[type=file]", str(path))
    page.locator("main form button[type=submit]").click()
    page.locator("a[href*='/staff/import/job/']").click()
    assert page.locator("h2#rejected").inner_text().endswith("(1)")
    assert "thu-vien-quoc-gia.mrc" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "marc-report.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with page.expect_download() as download:
        page.locator("a[href$='.bin']").first.click()
    assert download.value.suggested_filename == "thu-vien-quoc-gia-record-2.bin"

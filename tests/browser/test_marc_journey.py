"""A cataloguer imports a MARC file on a phone, reads the report and downloads a rejected record."""
from __future__ import annotations

import re

from tests.app.worker_helpers import Workers
from tests.browser.test_staff_journeys import sign_in
from tests.conftest import serving
from tests.ingest.marc_fixtures import book, df, iso, noisy_file


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


def _ids(demo, title: str) -> tuple[int, int]:
    from sqlalchemy import select

    from catalog.records.models import Record

    with demo.extensions["session_factory"]() as session:
        first, second = session.scalars(select(Record.id).where(Record.title == title).order_by(Record.id)).all()
    return first, second


def test_cataloguer_works_the_duplicates_queue(demo, live_server, page, tmp_path):
    """Queue -> compare -> confirm -> merged; then "not duplicates", still gone after a reload."""
    from tests.browser.test_staff_journeys import sign_in

    path = tmp_path / "trung.mrc"
    path.write_bytes(iso(
        book("D1", "Sách trùng nhau", "Lê Văn Tám", 2001, extra=[df("952", "  ", "p", "TRUNG-1", "a", "TTVH")]),
        book("D2", "Sách trùng nhau", "Lê, Văn Tám", 2001, source="KHAC",
             extra=[df("952", "  ", "p", "TRUNG-2", "a", "TTVH")]),
        book("K1", "Hai cuốn khác nhau", "Phạm Văn Đồng", 2005),
        book("K2", "Hai cuốn khác nhau", "Phạm Văn Đồng", 2005, source="KHAC")))
    assert demo.test_cli_runner().invoke(args=["import-marc", str(path)]).exit_code == 0
    keep, other = _ids(demo, "Sách trùng nhau")
    left, right = _ids(demo, "Hai cuốn khác nhau")
    sign_in(page, live_server, "bienmuc")
    page.goto(f"{live_server}/staff/duplicates")
    assert page.locator("li.pair").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator(f'li[data-pair="{keep}-{other}"] a.compare').click()
    assert page.locator("h1").inner_text() == f"Biểu ghi {keep} và {other} đặt cạnh nhau"
    differs = page.locator("tr.differs").evaluate_all("rows => rows.map(r => r.id)")
    assert differs == ["row-authors", "row-control_number"]  # "Lê, Văn Tám"; two sources
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name=f"Giữ biểu ghi {keep}, gộp biểu ghi {other} vào…").click()
    assert "Bản sách: 1: TRUNG-2 (Thư viện Trung tâm" in page.locator("#moves").inner_text()
    assert page.locator("#kept").inner_text().startswith(f"Biểu ghi {keep}")
    page.get_by_role("button", name=f"Gộp biểu ghi {other} vào biểu ghi {keep}").click()
    assert f"Biểu ghi {other} đã được gộp vào biểu ghi {keep}." in page.locator(".flash").inner_text()
    assert page.locator(f'li[data-pair="{keep}-{other}"]').count() == 0
    page.goto(f"{live_server}/records/{other}")
    assert page.url.endswith(f"/records/{keep}")

    page.goto(f"{live_server}/staff/duplicates")
    page.locator(f'li[data-pair="{left}-{right}"] a.compare').click()
    page.get_by_label("Vì sao hai biểu ghi khác nhau (không bắt buộc)").fill("Hai lần in khác nhau")
    page.get_by_role("button", name="Không trùng: hai sách khác nhau").click()
    assert "đã được đánh dấu là không trùng" in page.locator(".flash").inner_text()
    assert page.locator(f'li[data-pair="{left}-{right}"]').count() == 0
    page.reload()
    assert page.locator("li.pair").count() == 0 and "0 cặp cần xem xét" in page.locator("#count").inner_text()
    page.goto(f"{live_server}/staff/duplicates?weak=1")
    assert page.locator(f'li[data-pair="{left}-{right}"]').count() == 0
    page.goto(f"{live_server}/staff/duplicates/not-duplicates")
    assert "Hai lần in khác nhau" in page.locator("main").inner_text()


def test_the_job_page_follows_the_import_to_its_grouped_report(browser, app_overrides, db_url, data_dir, tmp_path):
    """Uploads wait for a worker, on two phones (one without JavaScript); once a worker runs the
    jobs, each job page lands on its report by itself: warnings grouped by kind, counted, each kind
    opening onto its records, whose numbers open the staff record page."""
    from app import create_app

    app = create_app({**app_overrides, "JOBS_SYNCHRONOUS": False})
    assert app.test_cli_runner().invoke(args=["demo-data", "--demo", "--records", "60"]).exit_code == 0
    path = tmp_path / "nhieu-canh-bao.mrc"
    path.write_bytes(noisy_file())
    pool = Workers(db_url, data_dir, tmp_path)
    contexts = []
    try:
        with serving(app) as server:
            base = f"http://127.0.0.1:{server.server_port}"
            pages = {}
            for scripted in (True, False):
                context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=scripted)
                contexts.append(context)
                page = context.new_page()
                page.set_default_timeout(10_000)
                sign_in(page, base, "bienmuc")
                page.goto(f"{base}/staff/import")
                page.set_input_files("input[type=file]", str(path))
                page.locator("main form button[type=submit]").click()
                page.wait_for_url(re.compile(r"/staff/jobs/\d+$"))
                assert page.locator("main strong.status-queued").count() == 1, "no worker yet: the job waits"
                pages[scripted] = page
            pool.start()
            for scripted, page in pages.items():
                page.wait_for_url(re.compile(r"/staff/import/runs/\d+$"), timeout=90_000)
                rows = page.locator("table.kinds tbody tr")
                assert rows.count() == 3, scripted
                assert rows.first.inner_text().split("\t") == ["Dữ liệu bản sách không có mã vạch (không tạo bản sách)",
                                                               "130"]
                kind = page.locator("details#kind-no-barcode")
                assert not kind.locator("ol").is_visible(), "kinds start closed"
                kind.locator("summary").click()
                assert kind.locator("ol > li").count() == 20 and kind.get_by_text("và 110 mục nữa").is_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page = pages[True]
            page.screenshot(path=str(tmp_path / "marc-report-grouped.png"), full_page=True)
            page.locator("details#kind-no-barcode ol > li").first.get_by_role("link", name="1", exact=True).click()
            page.wait_for_url(re.compile(r"/staff/records/\d+/edit$"))
            assert page.get_by_label("Nhan đề chính").input_value() == "Sách không mã vạch 0"
    finally:
        for context in contexts:
            context.close()
        pool.stop_all()
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()

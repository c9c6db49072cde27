"""Reports journey on a phone: a librarian records the day's visits and an event; the district
office opens the plan page, sees the chart, and downloads the CSV and the PDF."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect


def sign_in(page, username: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("hoclieu-demo")
    page.get_by_role("button", name="Đăng nhập").click()


def test_librarian_records_then_district_reads_the_plan(live_server, page, tmp_path):
    page.goto(live_server + "/login")
    sign_in(page, "thuthu")
    page.get_by_role("navigation", name="Trình đơn chính").get_by_role("link", name="Báo cáo").click()
    page.get_by_role("link", name="Ghi lượt bạn đọc").click()
    page.get_by_label("Thiếu nhi").fill("14")
    page.get_by_label("Người lớn").fill("23")
    page.get_by_role("button", name="Lưu lượt bạn đọc").click()
    expect(page.get_by_text("đã ghi 37 lượt bạn đọc.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Ghi hoạt động").click()
    page.get_by_label("Loại").select_option("club")
    page.get_by_label("Tên").fill("Câu lạc bộ đọc sách thiếu nhi")
    page.get_by_label("Số người tham gia").fill("18")
    page.get_by_role("button", name="Lưu hoạt động").click()
    expect(page.get_by_text("Đã ghi hoạt động “Câu lạc bộ đọc sách thiếu nhi”: 18 người tham gia.")).to_be_visible()
    page.get_by_role("link", name="Số liệu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo thư viện")
    expect(page.get_by_role("row", name="Thiếu nhi 14")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/figures.png", full_page=True)
    page.get_by_role("button", name="Đăng xuất (thuthu)").click()

    page.goto(live_server + "/staff/reports/plan")
    sign_in(page, "phongvh")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chỉ tiêu kế hoạch")
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= 360
    assert page.locator("svg.chart rect").count() >= 1
    expect(page.get_by_role("cell", name="không có cơ sở").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(tmp_path / "plan.png"), full_page=True)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Tải CSV (bảng tính)").click()
    body = Path(csv_download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and "Lượt đến trực tiếp".encode() in body
    assert csv_download.value.suggested_filename.endswith(".csv")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Tải báo cáo năm (PDF)").click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")
    expect(page.get_by_text("Chỉ tiêu kế hoạch").first).to_be_visible()

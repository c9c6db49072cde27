"""The home page in both languages, and /healthz."""
from __future__ import annotations


def test_home_page_shows_libraries_and_counts_in_vietnamese(demo):
    page = demo.test_client().get("/").get_data(as_text=True)
    assert "Thư viện Trường Tiểu học Cát Bà" in page
    assert "Điểm Bưu điện - Văn hóa xã Hiền Hào" in page
    assert "Trang chủ" in page and "đầu sách" in page
    assert '<html lang="vi">' in page


def test_language_switch_remembers_english(demo):
    client = demo.test_client()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Home" in page and "titles" in page
    again = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in again


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["database"] == "ok"


def test_unknown_page_is_a_404_page_in_vietnamese(client):
    response = client.get("/khong-co")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_district_office_sees_the_reports_in_the_menu(demo):
    from tests.conftest import login

    client = demo.test_client()
    page = login(client, "phongvh").get_data(as_text=True)
    assert 'href="/staff/reports/plan"' in page and "Chỉ tiêu kế hoạch" in page
    assert client.get("/staff/reports/plan").status_code == 200
    reader = demo.test_client()
    assert "Chỉ tiêu kế hoạch" not in login(reader, "bandoc").get_data(as_text=True)

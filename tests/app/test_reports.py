"""The reports pages, exports and desk forms through HTTP; the `report` command; online counting."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pypdfium2
import pytest
from sqlalchemy import select

from catalog.reports.activity import VisitTally
from catalog.reports.usage import usage_total
from catalog.accounts.users import Role, create_user
from tests.catalog.report_year import build_known_years
from tests.conftest import login


@pytest.fixture
def app_overrides(app_overrides):
    """The known year's figures must not move with this test's own page views (counted today)."""
    return {**app_overrides, "USAGE_COUNTING": False}


@pytest.fixture
def known(app, session):
    return build_known_years(session)


def test_staff_read_the_years_figures_with_definitions(client, known):
    login(client, "root", "12345678")
    page = client.get("/staff/reports/?year=2026").get_data(as_text=True)
    assert "Báo cáo thư viện 2026 — tất cả thư viện" in page
    for text in ("Ý nghĩa các số liệu", "Lượt đến trực tiếp", "Thiếu nhi", "Phiên truy cập trực tuyến",
                 "Lượt mượn tại trường từ sách luân chuyển", "Ngày Sách và Văn hóa đọc Việt Nam (21/4)", "<svg"):
        assert text in page
    # Library use 210, growth 5,0% over 200; 175 visits in person; 185 people at 4 activities.
    assert "<strong>210</strong>" in page and "tăng 5,0%" in page
    assert "<strong>175</strong>" in page and "185 người" in page
    scoped = client.get("/staff/reports/?year=2026&library=TT").get_data(as_text=True)
    assert "Báo cáo thư viện 2026 — Trung tâm Văn hóa" in scoped and "<strong>150</strong>" in scoped
    assert "Trường Tiểu học Cát Bà" not in scoped.split("<h2>Theo thư viện</h2>")[1]
    assert "Phiên truy cập trực tuyến</th>" not in scoped


def test_a_librarian_reads_only_their_own_tree(client, known):
    login(client, "hai", "12345678")
    page = client.get("/staff/reports/?year=2026").get_data(as_text=True)
    assert "Trung tâm Văn hóa" in page and "<strong>150</strong>" in page
    response = client.get("/staff/reports/?year=2026&library=TH")
    assert response.status_code == 403
    assert "Bạn chỉ được xem báo cáo của thư viện mình" in response.get_data(as_text=True)
    assert client.get("/staff/reports/?year=20x6").status_code == 400


def test_readers_and_strangers_are_kept_out(client, known, session):
    assert client.get("/staff/reports/plan").status_code == 302
    create_user(session, "docgia", role=Role.READER, password="12345678")
    session.commit()
    login(client, "docgia", "12345678")
    assert client.get("/staff/reports/").status_code == 403
    assert client.get("/staff/reports/export.csv").status_code == 403


def test_the_plan_page_says_no_basis_and_met_or_not(client, known, session):
    create_user(session, "phong", role=Role.DISTRICT, password="12345678")
    session.commit()
    login(client, "phong", "12345678")
    page = client.get("/staff/reports/plan?year=2026").get_data(as_text=True)
    use, activity = page.split("<h2>Thư viện và điểm đọc có hoạt động</h2>")
    activity, ages = activity.split("<h2>Hoạt động cho từng nhóm tuổi tại trung tâm văn hóa</h2>")

    def rows(part):
        return {line.split("<td>")[1][:4]: line for line in part.split("<tr>") if line.startswith("<td>20")}

    assert "80%" in rows(ages)["2025"] and "không đạt" in rows(ages)["2026"]

    assert "không có cơ sở" in rows(use)["2025"] and "<td class=\"num\">200</td>" in rows(use)["2025"]
    assert "5,0%" in rows(use)["2026"] and "12%–15%" in rows(use)["2026"] and "không đạt" in rows(use)["2026"]
    assert "1 / 3" in rows(activity)["2025"] and "70%" in rows(activity)["2025"]
    assert "2 / 3" in rows(activity)["2026"] and "67%" in rows(activity)["2026"] and "100%" in rows(activity)["2026"]
    assert page.count("<svg") == 3 and "Tỷ lệ thư viện và điểm đọc có hoạt động" in page
    # The district office reads but does not record.
    assert client.get("/staff/reports/visits").status_code == 403


def test_csv_export_is_utf8_with_bom_for_spreadsheets(client, known):
    login(client, "root", "12345678")
    response = client.get("/staff/reports/export.csv?year=2026")
    assert response.mimetype == "text/csv"
    assert 'filename="bao-cao-thu-vien-2026.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    value = {(r["section"], r["figure"], r["library_code"], r["month"]): r["value"] for r in rows}
    assert value[("visits", "in_person", "", "")] == "175"
    assert value[("use", "growth", "", "")] == "0.05"
    assert value[("month", "visits", "", "4")] == "60"
    assert value[("library", "copies", "TT", "")] == "4"
    assert any(r["library_name"] == "Phòng đọc thôn Gia Lộc" for r in rows)


def test_the_annual_report_pdf_is_in_vietnamese_with_tables_and_charts(client, known):
    login(client, "root", "12345678")
    response = client.get("/staff/reports/annual.pdf?year=2026&library=TT&lang=en")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    pdf = pypdfium2.PdfDocument(response.data)
    text = " ".join(" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf)))
    pdf.close()
    for expected in ("Báo cáo thư viện 2026", "Trung tâm Văn hóa", "Lượt đến trực tiếp 150",
                     "Thư viện và điểm đọc có hoạt động", "Phòng đọc thôn Gia Lộc", "2026 150 0,0% 12%–15% không đạt",
                     "Câu lạc bộ 2 35", "Ấn phẩm định kỳ 1 2", "Thiếu nhi 40"):
        assert expected in text


def test_a_librarian_records_and_corrects_a_day(client, known, session):
    login(client, "hai", "12345678")
    tt = known["tt"]
    form = {"library": tt.id, "day": "2026-11-02", "group_children": "12", "group_adults": "20", "note": ""}
    response = client.post("/staff/reports/visits", data=form, follow_redirects=True)
    assert "ngày 2026-11-02: đã ghi 32 lượt bạn đọc." in response.get_data(as_text=True)
    login(client, "root", "12345678")
    form.update(total="35", group_children="", group_adults="", note="Đếm lại theo sổ")
    page = client.post("/staff/reports/visits", data=form, follow_redirects=True).get_data(as_text=True)
    assert "32 → 35, do root sửa lúc" in page and "Đếm lại theo sổ" in page
    session.expire_all()
    tally = session.scalar(select(VisitTally).where(VisitTally.day == dt.date(2026, 11, 2)))
    assert (tally.total, tally.recorded_by.username, tally.revisions[0].changed_by.username) == (35, "hai", "root")


@pytest.mark.parametrize("form, status, message", [
    ({"total": "-4"}, 400, "Số phải trong khoảng từ 0 đến 100000."),
    ({"day": ""}, 400, "Hãy nhập ngày (năm-tháng-ngày)."),
    ({"total": ""}, 400, "Hãy nhập số lượt bạn đọc"),
    ({"day": "2999-01-01"}, 400, "Ngày 2999-01-01 chưa đến"),
    ({"total": "9", "group_youth": "4"}, 400, "Cộng các nhóm tuổi được 4, không bằng tổng số 9."),
])
def test_bad_visit_forms_get_a_clear_message(client, known, form, status, message):
    login(client, "hai", "12345678")
    data = {"library": known["tt"].id, "day": "2026-11-02", "total": "5", **form}
    response = client.post("/staff/reports/visits", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_a_librarian_cannot_record_for_another_library(client, known):
    login(client, "hai", "12345678")
    response = client.post("/staff/reports/visits", data={"library": known["th"].id, "day": "2026-11-02", "total": 3})
    assert response.status_code == 400  # not among the form's choices
    assert "Lựa chọn không hợp lệ." in response.get_data(as_text=True)


def test_a_librarian_records_an_event(client, known):
    login(client, "mai", "12345678")
    form = {"library": known["th"].id, "day": "2026-10-06", "kind": "lifelong_learning_week",
            "title": "Tuần lễ học tập suốt đời: đọc cùng con", "attendance": "45", "audience": "children"}
    page = client.post("/staff/reports/events", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Đã ghi hoạt động “Tuần lễ học tập suốt đời: đọc cùng con”: 45 người tham gia." in page
    assert "Tuần lễ hưởng ứng học tập suốt đời (tháng 10)" in page
    report = client.get("/staff/reports/?year=2026").get_data(as_text=True)
    cards = re.sub(r"\s+", " ", report.split('<ul class="cards">')[1].split("</ul>")[0])
    assert "<li>Hoạt động và sự kiện<strong>2</strong>75 người</li>" in cards  # the school had one activity; with this one, 75 people
    bad = client.post("/staff/reports/events", data={**form, "title": "", "attendance": "x"})
    assert bad.status_code == 400
    assert "Trường này bắt buộc." in bad.get_data(as_text=True)


def test_forms_need_the_csrf_token(app_overrides, known):
    from app import create_app

    app = create_app({**app_overrides, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    token = client.get("/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"username": "hai", "password": "12345678", "csrf_token": token})
    response = client.post("/staff/reports/visits", data={"library": known["tt"].id, "day": "2026-11-02", "total": 3})
    assert response.status_code == 400
    page = client.get("/staff/reports/visits").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()


def test_online_use_is_counted_once_per_browser_session_without_personal_data(app_overrides, session):
    from app import create_app
    from app.display.dates import library_today as today

    app = create_app({**app_overrides, "USAGE_COUNTING": True, "USAGE_ENDPOINTS": {"main.home": "search"}})
    first, second = app.test_client(), app.test_client()
    for client in (first, first, second):
        assert client.get("/").status_code == 200
    assert first.get("/healthz").status_code == 200  # the database and the index answer; not counted
    assert first.get("/no-such-page").status_code == 404
    with app.app_context():
        day = today()
    assert usage_total(session, "session", day, day) == 2
    assert usage_total(session, "search", day, day) == 3
    cookie = first.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 120  # a flag, nothing more
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()


def test_report_command_prints_json(runner, known):
    result = runner.invoke(args=["report", "--year", "2026"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["visits"]["in_person"] == 175 and figures["library_use"] == 210
    assert figures["growth"] == pytest.approx(0.05) and figures["loans"]["loans"] == 3
    assert figures["plan"]["growth_target_low"] == 0.12 and figures["plan"]["growth_met"] is False
    assert figures["plan"]["activity_points_with_activity"] == 2
    assert figures["plan"]["age_groups_served"] == [] and figures["plan"]["age_group_target"] == 1.0
    scoped = json.loads(runner.invoke(args=["report", "--year", "2026", "--library", "tt", "--format", "json"])
                        .output.strip().splitlines()[-1])
    assert scoped["library_code"] == "TT" and scoped["visits"]["online_sessions"] is None
    assert [row["code"] for row in scoped["libraries"]] == ["TT", "PD", "BD"]
    earlier = json.loads(runner.invoke(args=["report", "--year", "2025"]).output.strip().splitlines()[-1])
    assert earlier["growth"] is None and earlier["plan"]["growth_met"] is None


def test_report_command_prints_csv(runner, known):
    result = runner.invoke(args=["report", "--year", "2026", "--library", "TH", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    value = {(r["section"], r["figure"]): r["value"] for r in rows if r["section"] != "library" and not r["month"]}
    assert value[("visits", "in_person")] == "25" and value[("loans", "loans")] == "1"
    assert value[("rotation", "school_loans_from_rotation")] == "1" and value[("visits", "online_sessions")] == ""
    assert rows[0]["library_name"] == "Trường Tiểu học Cát Bà"


def test_report_command_refuses_bad_input(runner, known):
    result = runner.invoke(args=["report", "--year", "2026", "--library", "NOPE"])
    assert result.exit_code != 0 and "NOPE" in result.output
    assert runner.invoke(args=["report", "--year", "abc"]).exit_code != 0
    assert runner.invoke(args=["report", "--year", "2026", "--format", "xml"]).exit_code != 0


def test_an_empty_network_renders_with_no_basis(client, session):
    create_user(session, "root", role=Role.ADMIN, password="12345678")
    session.commit()
    login(client, "root", "12345678")
    assert client.get("/staff/reports/?year=2026").status_code == 200
    plan = client.get("/staff/reports/plan?year=2026").get_data(as_text=True)
    assert "không có cơ sở" in plan and "không đạt" not in plan
    assert client.get("/staff/reports/export.csv?year=2026").status_code == 200
    assert client.get("/staff/reports/annual.pdf?year=2026").data.startswith(b"%PDF")

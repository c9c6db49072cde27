"""Staff at work (issue 16): a form refused by a rule is shown again with the message next to the
field and what was typed kept, never as a bare error page."""
from __future__ import annotations

import datetime as dt
import io
import re

from catalog.libraries import get_library_by_code
from tests.conftest import login


def form_of(html: str, action: str) -> str:
    """The HTML of the page's form that posts to `action` ('' if the page has none)."""
    for found in re.finditer(r'(<form[^>]*method="post"[^>]*>).*?</form>', html, re.S):
        if "action=" not in found.group(1) or f'action="{action}"' in found.group(1):
            return found.group(0)
    return ""


def test_a_file_that_is_not_marc_is_refused_on_the_upload_form(demo, client):
    login(client, "bienmuc")
    response = client.post("/staff/import", data={"file": (io.BytesIO(b"Title,Author\n"), "list.csv"),
                                                   "library": "TH-CATBA", "strict": "y"},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    form = form_of(html, "/staff/import")
    assert response.status_code == 400
    assert "Tệp list.csv không phải MARC (không là ISO 2709, cũng không là MARCXML)." in form
    assert re.search(r'<option selected value="TH-CATBA">|<option value="TH-CATBA" selected>', form), form
    assert re.search(r'<input checked id="strict"|id="strict"[^>]*checked', form), form


def test_a_visit_count_for_a_future_day_is_refused_on_the_form(demo, client, session):
    login(client, "thuthu")
    centre = get_library_by_code(session, "TTVH")
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    response = client.post("/staff/reports/visits", data={"library": centre.id, "day": future, "total": "17",
                                                          "note": "Lớp 5A đến thư viện"})
    html = response.get_data(as_text=True)
    form = form_of(html, "/staff/reports/visits")
    assert response.status_code == 400
    assert f"Ngày {future} chưa đến: chỉ ghi số liệu của ngày đã qua." in form
    assert (f'value="{future}"' in form, 'value="17"' in form, 'value="Lớp 5A đến thư viện"' in form) == (True, True, True)


def test_an_activity_on_a_future_day_is_refused_on_the_form(demo, client, session):
    login(client, "thuthu")
    centre = get_library_by_code(session, "TTVH")
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    response = client.post("/staff/reports/events", data={
        "library": centre.id, "day": future, "kind": "reading_culture_day", "title": "Câu lạc bộ đọc sách hè", "attendance": "25"})
    html = response.get_data(as_text=True)
    form = form_of(html, "/staff/reports/events")
    assert response.status_code == 400
    assert f"Ngày {future} chưa đến: chỉ ghi số liệu của ngày đã qua." in form
    assert ('value="Câu lạc bộ đọc sách hè"' in form, 'value="25"' in form) == (True, True)


def test_scans_for_an_unknown_record_number_are_refused_on_the_form(demo, client):
    login(client, "bienmuc")
    response = client.post("/staff/scans", data={"files": [(io.BytesIO(b"x"), "p1.png")], "record_id": "99999",
                                                 "label": "Địa chí Cát Hải", "licence": "cc-by", "no_ocr": "y"},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    form = form_of(html, "/staff/scans")
    assert response.status_code == 400
    assert "Không có biểu ghi số 99999." in form
    assert ('value="Địa chí Cát Hải"' in form, 'value="99999"' in form) == (True, True)


def test_a_refused_new_rotation_batch_keeps_what_was_typed(demo, client, session):
    login(client, "thuthu")
    centre, school = get_library_by_code(session, "TTVH"), get_library_by_code(session, "TH-CATBA")
    response = client.post("/staff/rotation", data={
        "origin": centre.id, "stop": [school.id, "", "", ""], "days": ["hai mươi", "30", "30", "30"],
        "notes": "Tủ sách luân chuyển học kỳ II", "code": "LC-HK2", "repeats": "1"})
    html = response.get_data(as_text=True)
    form = form_of(html, "/staff/rotation")
    assert response.status_code == 400
    assert "Hãy nhập số ngày ở mỗi điểm dừng." in html
    assert (f'<option value="{school.id}" selected>' in form, 'value="hai mươi"' in form,
            ">Tủ sách luân chuyển học kỳ II</textarea>" in form, 'value="LC-HK2"' in form,
            'value="1" style="width:auto" checked' in form) == (True, True, True, True, True)

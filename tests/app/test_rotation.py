"""Rotation pages over HTTP: a batch prepared by scanning, dispatched with a printable handover
record (HTML and PDF in Vietnamese), received at the school, refused steps explained, histories."""
from __future__ import annotations

import datetime as dt
import re

import pypdfium2
from sqlalchemy import select

from catalog.rotation import batches
from catalog.db import utcnow
from catalog.copies.items import Item
from catalog.libraries import get_library_by_code
from catalog.rotation.models import RotationBatch
from catalog.accounts.users import find_user
from tests.app.test_circulation import flashes, render_panel
from tests.conftest import login


def centre_copies(app, count: int) -> list[str]:
    return [f"TTVH{n:05d}1" for n in range(1, count + 1)]


def new_batch(client, *stops: int) -> int:
    data = {"origin": "1", "stop": [str(s) for s in stops] + [""], "days": ["30"] * (len(stops) + 1),
            "notes": "Tủ sách hè"}
    response = client.post("/staff/rotation", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/staff/rotation/(\d+)", response.headers["Location"]).group(1))


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_prepare_dispatch_and_print_the_handover_record(demo, client):
    login(client, "thuthu")
    batch_id = new_batch(client, 2, 3)
    codes = centre_copies(demo, 5)
    for code in codes:
        assert client.post(f"/staff/rotation/{batch_id}/add", data={"barcode": code}).status_code == 302
    page = client.post(f"/staff/rotation/{batch_id}/add", data={"barcode": codes[0]}, follow_redirects=True)
    assert "đã có trong đợt này (quét hai lần?)" in flashes(page)[-1]
    page = client.post(f"/staff/rotation/{batch_id}/add", data={"barcode": "NOPE"}, follow_redirects=True)
    assert "Không có bản sách nào mang mã vạch NOPE" in flashes(page)[-1]
    page = client.post(f"/staff/rotation/{batch_id}/step/dispatch", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Đã xuất đợt sách" in flashes(page)[-1] and "đang trên đường" in text
    link = re.search(r'href="(/staff/rotation/\d+/handover/(\d+))"', text).group(1)
    sheet = client.get(link).get_data(as_text=True)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in sheet and "Biên bản giao nhận: xuất đợt sách luân chuyển" in sheet
    assert all(code in sheet for code in codes) and "Tổng cộng: 5 bản." in sheet
    assert "Đại diện bên giao" in sheet and "Đại diện bên nhận" in sheet
    assert "Thư viện Trường Tiểu học Cát Bà" in sheet
    pdf = client.get(link + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "BIÊN BẢN GIAO NHẬN" in text and codes[0] in text and "Tổng cộng: 5 bản." in text
    assert "Thư viện Trường Tiểu học Cát Bà" in text and "(ký, ghi rõ họ tên)" in text


def test_bad_steps_are_refused_with_what_to_do(demo, client):
    client.set_cookie("lang", "en")
    login(client, "thuthu")
    batch_id = new_batch(client, 2)
    client.post(f"/staff/rotation/{batch_id}/add", data={"barcode": centre_copies(demo, 1)[0]})
    page = client.post(f"/staff/rotation/{batch_id}/receive", data={"barcode": centre_copies(demo, 1)[0]},
                       follow_redirects=True)
    assert "has not been dispatched yet (it is still being prepared): dispatch it first." in flashes(page)[-1]
    client.post(f"/staff/rotation/{batch_id}/step/dispatch")
    client.post("/logout")
    login(client, "thuvien.tieuhoc")
    page = client.post(f"/staff/rotation/{batch_id}/receive", data={"barcode": "TTVH999991"}, follow_redirects=True)
    assert "recorded as an unexpected copy" in flashes(page)[-1]
    page = client.post(f"/staff/rotation/{batch_id}/step/finish-receipt", follow_redirects=True)
    assert "No copy of batch" in flashes(page)[-1] and "scan the copies that arrived first" in flashes(page)[-1]
    client.post(f"/staff/rotation/{batch_id}/receive", data={"barcode": centre_copies(demo, 1)[0]})
    page = client.post(f"/staff/rotation/{batch_id}/step/finish-receipt", follow_redirects=True)
    assert "the batch is at the school" in flashes(page)[-1]
    # the school may not close a batch: that is the centre's step
    page = client.post(f"/staff/rotation/{batch_id}/step/close")
    assert page.status_code == 403 and "where batch" in page.get_data(as_text=True)
    with demo.extensions["session_factory"]() as session:
        assert session.get(RotationBatch, batch_id).status.value == "at_school"
    client.post(f"/staff/rotation/{batch_id}/step/send-back")
    client.post("/logout")
    login(client, "thuthu")
    page = client.post(f"/staff/rotation/{batch_id}/step/close", follow_redirects=True)
    assert "1 copies of batch" in flashes(page)[-1] and "declare them lost or damaged with a note" in flashes(page)[-1]
    page = client.post(f"/staff/rotation/{batch_id}/declare",
                       data={"barcode": centre_copies(demo, 1)[0], "kind": "lost", "note": ""}, follow_redirects=True)
    assert "Write a note" in flashes(page)[-1]


def test_histories_and_dashboard(demo, client):
    client.set_cookie("lang", "en")
    with demo.extensions["session_factory"].begin() as session:
        centre, school = get_library_by_code(session, "TTVH"), get_library_by_code(session, "TH-CATBA")
        now = utcnow() - dt.timedelta(days=60)
        batch = batches.create_batch(session, origin=centre, stops=[(school, 20)], now=now,
                                     prepared_by=find_user(session, "thuthu"))
        for code in centre_copies(demo, 3):
            batches.add_copy(session, batch, code, now=now)
        batches.dispatch(session, batch, now=now)
        for code in centre_copies(demo, 3):
            batches.receive_copy(session, batch, code, library=school, now=now)
        batches.finish_receipt(session, batch, library=school, now=now)
        code = batch.code
        school_id = school.id
    login(client, "thuthu")
    listing = client.get("/staff/rotation").get_data(as_text=True)
    assert "1 batches are overdue" in listing and code in listing
    assert f"{code}" in render_panel(demo, "thuthu", "staff/_rotation.html")
    assert "1 batches are overdue" in render_panel(demo, "thuthu", "staff/_rotation.html")
    copy = client.get(f"/staff/rotation/copy?barcode={centre_copies(demo, 1)[0]}").get_data(as_text=True)
    assert code in copy and "received" in copy
    school_page = client.get(f"/staff/rotation/library/{school_id}").get_data(as_text=True)
    assert code in school_page and ">3<" in school_page
    unknown = client.get("/staff/rotation/copy?barcode=NOPE")
    assert unknown.status_code == 404 and "NOPE" in unknown.get_data(as_text=True)


def test_pages_need_a_librarian(demo, client):
    login(client, "bandoc")
    assert client.get("/staff/rotation").status_code == 403
    with demo.extensions["session_factory"]() as session:
        assert session.scalar(select(Item).where(Item.barcode == "TTVH000011")) is not None


def test_damage_noted_at_the_school_is_shown_when_the_copy_comes_back(demo, client):
    client.set_cookie("lang", "en")
    login(client, "thuthu")
    batch_id = new_batch(client, 2)
    code = centre_copies(demo, 1)[0]
    client.post(f"/staff/rotation/{batch_id}/add", data={"barcode": code})
    client.post(f"/staff/rotation/{batch_id}/step/dispatch")
    client.post("/logout")
    login(client, "thuvien.tieuhoc")
    client.post(f"/staff/rotation/{batch_id}/receive", data={"barcode": code, "damaged": "1", "note": "bìa rách"})
    client.post(f"/staff/rotation/{batch_id}/step/finish-receipt")
    client.post(f"/staff/rotation/{batch_id}/step/send-back")
    client.post("/logout")
    login(client, "thuthu")
    page = client.post(f"/staff/rotation/{batch_id}/return", data={"barcode": code}, follow_redirects=True)
    assert flashes(page)[-1] == (f"Checked in {code}. It was noted damaged on its way (bìa rách): it stays marked "
                                 "damaged until it is repaired (check it in at the desk) or withdrawn.")
    copy = client.get(f"/staff/rotation/copy?barcode={code}").get_data(as_text=True)
    assert "Thông tin và Thể thao huyện Cát Hải, damaged</p>" in copy and "returned · damaged: bìa rách" in copy
    with demo.extensions["session_factory"]() as session:
        assert session.scalar(select(Item.status).where(Item.barcode == code)).value == "damaged"

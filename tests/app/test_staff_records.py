"""Cataloguing: the form and the MARC view keep Record.marc and the shown fields in step; mistakes
are explained next to the field and never reach the database; withdraw leaves a tombstone."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from catalog.audit import history
from catalog.records.models import Record
from tests.conftest import login

FORM = {
    "title": "Nuôi cá lồng trên biển", "subtitle": "kinh nghiệm ở Cát Bà", "responsibility": "Nguyễn Văn An",
    "authors": "Nguyễn Văn An\nTrần Thị Bình", "subjects": "Thủy sản\nNuôi trồng thủy sản",
    "publisher": "Nxb. Nông nghiệp", "place": "H.", "year": "2021", "languages": "vie",
    "record_type": "book", "isbns": "9786040000002", "scheme": "ddc", "classification": "639.8",
    "call_number": "639.8 NGU", "edition": "Tái bản lần 1", "physical_description": "180 tr. ; 21 cm",
    "series": "Tủ sách nhà nông", "summary": "Chọn lồng, chọn giống, phòng bệnh.", "notes": "Có hình minh họa",
}


def subfields(marc: dict, tag: str) -> list[dict]:
    return [sub for entry in marc["fields"] for t, v in entry.items() if t == tag for sub in v["subfields"]]


def has_title(marc: dict, title: str) -> bool:
    return any(sub.get("a", "").startswith(title) for sub in subfields(marc, "245"))


def search_ids(client, query: str) -> list[int]:
    return [hit["id"] for hit in client.get("/api/search", query_string={"q": query, "per_page": 50}).json["hits"]]


def records(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Record))


def test_cataloguer_creates_a_record_with_the_form(demo, client, session):
    login(client, "bienmuc")
    response = client.post("/staff/records/new", data=FORM)
    assert response.status_code == 302
    record = session.scalars(select(Record).order_by(Record.id.desc())).first()
    assert record.title == "Nuôi cá lồng trên biển" and record.authors == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert record.year == 2021 and record.isbns == ["9786040000002"]
    assert record.id in search_ids(client, "nuoi ca long tren bien")  # the index follows
    assert record.classifications[0]["number"] == "639.8"
    assert has_title(record.marc, "Nuôi cá lồng trên biển")
    assert any("9786040000002" in v for s in subfields(record.marc, "020") for v in s.values())
    assert [e.action for e in history(session, "record", record.id)] == ["create"]


def test_form_edit_keeps_marc_fields_the_form_does_not_cover(demo, client, session):
    login(client, "bienmuc")
    client.post("/staff/records/new/marc", data={"marc": (
        "LDR 00000nam a2200000 i 4500\n001 LOCAL-1\n245 10 $aTên cũ$cAi đó\n"
        "590 ## $aGhi chú địa phương\n999 ## $aGiữ lại")})
    record = session.scalars(select(Record).order_by(Record.id.desc())).first()
    assert record.title == "Tên cũ"
    form = dict(FORM, title="Tên mới")
    assert client.post(f"/staff/records/{record.id}/edit", data=form).status_code == 302
    session.expire_all()
    record = session.get(Record, record.id)
    assert record.title == "Tên mới" and has_title(record.marc, "Tên mới")
    assert {"a": "Giữ lại"} in subfields(record.marc, "999")
    # notes are a form field: the form's notes replace the 590 (the shown fields and MARC agree)
    notes = [v for e in record.marc["fields"] for t, f in e.items() if t.startswith("5") and isinstance(f, dict)
             for sub in f["subfields"] for v in sub.values()]
    assert "Có hình minh họa" in " ".join(notes) and "Ghi chú địa phương" not in " ".join(notes)
    assert record.notes == ["Có hình minh họa"]
    assert history(session, "record", record.id)[0].changes()
    # and the MARC view shows what the form wrote
    page = html.unescape(client.get(f"/staff/records/{record.id}/marc").get_data(as_text=True))
    assert "$aTên mới" in page and "999 ## $aGiữ lại" in page


def test_marc_view_edit_updates_the_shown_fields(demo, client, session):
    record = session.scalars(select(Record).order_by(Record.id)).first()
    login(client, "bienmuc")
    text = html.unescape(client.get(f"/staff/records/{record.id}/marc").get_data(as_text=True))
    marc = text.split('spellcheck="false"', 1)[1].split(">", 1)[1].split("</textarea>")[0]
    assert "245" in marc
    lines = [line for line in marc.splitlines() if not line.startswith("650")]
    lines.append("650 #7 $aCá biển$2local")
    assert client.post(f"/staff/records/{record.id}/marc", data={"marc": "\n".join(lines)}).status_code == 302
    session.expire_all()
    again = session.get(Record, record.id)
    assert again.subjects == ["Cá biển"]
    assert record.id in search_ids(client, "Cá biển")
    assert {"a": "Cá biển"} in subfields(again.marc, "650")


@pytest.mark.parametrize("marc, message", [
    ("24A 10 $aTên", "24A"),
    ("100 1# $aAi đó", "245"),
    ("245 1X $aTên", "X"),
    ("245 10 $aTên\n020 ## $a9786040000008", "9786040000008"),
    ("245 10 $aTên $Bsai", "$B"),
    ("245 10 Tên không có trường con", "245"),
    ("245 10 $aTên\n700 1# $$aRỗng", "Dòng 2 (trường 700): $$ là dấu đô la"),
    ("245 10 $$", "Dòng 1 (trường 245): $$ là dấu đô la"),
    ("245 10 $aTên\n650 #7 $a", "$a"),
])
def test_marc_view_mistakes_are_explained_and_never_saved(demo, client, session, marc, message):
    before = records(session)
    login(client, "bienmuc")
    response = client.post("/staff/records/new/marc", data={"marc": marc})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    errors = page.split('id="marc-errors"', 1)[1].split("</span></span>")[0]
    assert message in errors
    assert all(line in page for line in marc.splitlines())  # what was typed is still there
    assert records(session) == before


def test_form_mistakes_show_next_to_the_field_and_keep_what_was_typed(demo, client, session):
    before = records(session)
    login(client, "bienmuc")
    response = client.post("/staff/records/new", data=dict(FORM, isbns="9786040000008", year="20x1", title=""))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert 'id="isbns-error"' in page and 'id="year-error"' in page and 'id="title-error"' in page
    assert "9786040000008" in page.split('id="isbns-error"')[1][:200]
    assert "Nxb. Nông nghiệp" in page
    assert records(session) == before


def test_librarians_and_readers_cannot_catalogue(demo, client, session):
    record = session.scalars(select(Record).order_by(Record.id)).first()
    before = records(session)
    for user in ("thuthu", "bandoc"):
        login(client, user)
        assert client.post("/staff/records/new", data=FORM).status_code == 403
        assert client.post(f"/staff/records/{record.id}/marc", data={"marc": "245 00 $aX"}).status_code == 403
        assert client.post(f"/staff/records/{record.id}/delete", data={"reason": "x"}).status_code == 403
        client.post("/logout")
    assert records(session) == before
    session.expire_all()
    assert session.get(Record, record.id).title != "X" and session.get(Record, record.id).deleted_at is None


def test_withdraw_needs_copies_withdrawn_first_and_leaves_a_tombstone(demo, client, session):
    login(client, "bienmuc")
    client.post("/staff/records/new", data=FORM)
    record = session.scalars(select(Record).order_by(Record.id.desc())).first()
    used = session.scalars(select(Record).where(Record.id != record.id).order_by(Record.id)).first()
    refused = client.post(f"/staff/records/{used.id}/delete", data={"reason": "trùng"}, follow_redirects=True)
    assert refused.status_code == 400 and used.items[0].barcode in refused.get_data(as_text=True)
    response = client.post(f"/staff/records/{record.id}/delete", data={"reason": "Nhập nhầm"})
    assert response.status_code == 302
    session.expire_all()
    gone = session.get(Record, record.id)
    assert gone.deleted_at is not None
    assert record.id not in search_ids(client, "Nuôi cá lồng trên biển")
    assert session.get(Record, used.id).deleted_at is None
    assert client.get(f"/staff/records/{record.id}/edit").status_code == 404
    page = client.get(f"/staff/records/{record.id}/history").get_data(as_text=True)
    assert "xóa: biểu ghi" in page and "Nhập nhầm" in page


def test_marc_view_double_dollar_is_a_dollar_sign(demo, client, session):
    """Issue 12.6: the MARC view's help says $$ writes a dollar sign; "$$" first on a line answered 500."""
    login(client, "bienmuc")
    marc = "245 10 $aGiá 5$$ một cuốn$$$bsổ tay\n700 1# $aTrần $$Văn"
    response = client.post("/staff/records/new/marc", data={"marc": marc})
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))
    record = session.scalars(select(Record).order_by(Record.id.desc())).first()
    assert subfields(record.marc, "245") == [{"a": "Giá 5$ một cuốn$"}, {"b": "sổ tay"}]
    assert subfields(record.marc, "700") == [{"a": "Trần $Văn"}]
    shown = html.unescape(client.get(f"/staff/records/{record.id}/marc").get_data(as_text=True))
    assert "$aGiá 5$$ một cuốn$$$bsổ tay" in shown, "shown again with $$, so saving it again changes nothing"

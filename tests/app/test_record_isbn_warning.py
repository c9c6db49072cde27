"""Staff at work (issue 16): a new record whose ISBN is already catalogued is flagged, with a link
to the record that has it, and can still be saved."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from catalog.records.models import Record, RecordIdentifier
from tests.conftest import login


def csrf(client) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/staff/records/new").get_data(as_text=True)).group(1)


def test_a_new_record_with_a_catalogued_isbn_is_flagged_then_saved_on_confirmation(demo, client, session):
    isbn, owner = session.execute(select(RecordIdentifier.value, RecordIdentifier.record_id)
                                  .where(RecordIdentifier.kind == "isbn").order_by(RecordIdentifier.id)).first()
    title = session.get(Record, owner).title
    hyphenated = f"{isbn[:3]}-{isbn[3:6]}-{isbn[6:]}"  # typed with hyphens, stored without
    login(client, "bienmuc")
    before = session.scalar(select(func.count(Record.id)))
    form = {"csrf_token": csrf(client), "title": "Bản in lại", "isbns": hyphenated, "record_type": "book",
            "scheme": "ddc"}
    first = client.post("/staff/records/new", data=form)
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "ISBN này đã có trong mục lục:" in html
    assert f'<a href="/staff/records/{owner}/copies">biểu ghi {owner} — {title}</a>' in html
    assert 'value="Bản in lại"' in html and session.scalar(select(func.count(Record.id))) == before
    second = client.post("/staff/records/new", data={**form, "isbn_checked": "1"})
    assert second.status_code == 302
    assert session.scalar(select(func.count(Record.id))) == before + 1


def test_a_new_isbn_is_saved_at_once(demo, client, session):
    login(client, "bienmuc")
    response = client.post("/staff/records/new", data={"csrf_token": csrf(client), "title": "Sách mới hẳn",
                                                       "isbns": "978-604-0000-00-2", "record_type": "book",
                                                       "scheme": "ddc"})
    assert response.status_code == 302


def test_the_marc_view_flags_a_catalogued_isbn_too(demo, client, session):
    isbn, owner = session.execute(select(RecordIdentifier.value, RecordIdentifier.record_id)
                                  .where(RecordIdentifier.kind == "isbn").order_by(RecordIdentifier.id)).first()
    login(client, "bienmuc")
    before = session.scalar(select(func.count(Record.id)))
    marc = f"LDR 00000nam a2200000 i 4500\n020 ## $a{isbn}\n245 10 $aBản in lại$cAi đó"
    first = client.post("/staff/records/new/marc", data={"marc": marc})
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "ISBN này đã có trong mục lục:" in html
    assert f'href="/staff/records/{owner}/copies"' in html and "Bản in lại" in html
    assert session.scalar(select(func.count(Record.id))) == before
    second = client.post("/staff/records/new/marc", data={"marc": marc, "isbn_checked": "1"})
    assert second.status_code == 302
    assert session.scalar(select(func.count(Record.id))) == before + 1

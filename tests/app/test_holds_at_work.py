"""Holds at work (issue 16): the desk is told when the title is on its own shelf, a returned copy
is not set straight back for the reader who returned it, and the record page tells a reader who
already has a hold."""
from __future__ import annotations

import re

from sqlalchemy import select

from catalog.circulation import lending
from catalog.circulation.models import Hold, HoldStatus
from catalog.db import utcnow
from catalog.copies.items import Item, ItemStatus
from catalog.libraries import get_library_by_code
from catalog.accounts.users import Role, create_user, find_user
from tests.conftest import login


def flashes(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)]


def record_of(session, barcode: str):
    return session.scalar(select(Item).where(Item.barcode == barcode)).record


def second_reader(session):
    return create_user(session, "hocsinh2", role=Role.READER, password="hoclieu-demo", card_barcode="HS000200",
                       library=get_library_by_code(session, "TTVH"), display_name="Đỗ Thu Trang")


def test_a_hold_at_the_desk_on_a_title_on_its_shelf_is_flagged(demo, client, session):
    login(client, "thuthu")
    record = record_of(session, "TTVH000061")
    shelf = sorted(i.barcode for i in record.items
                   if i.status == ItemStatus.AVAILABLE and i.current_library.code == "TTVH")
    response = client.post("/staff/circulation/hold", data={"library": "1", "card": "BD000001", "title": "TTVH000061"},
                           follow_redirects=True)
    assert flashes(response) == [
        f"Đã đặt trước “{record.title}” cho Lê Minh Đức.",
        f"Có bản sách đang trên giá ở đây ({', '.join(shelf)}): cho mượn ngay, hoặc giữ sách cho lượt đặt trước."]


def test_a_hold_at_the_desk_on_a_title_all_out_is_not_flagged(demo, client, session):
    centre = get_library_by_code(session, "TTVH")
    record = record_of(session, "TTVH000061")
    borrower = second_reader(session)
    for item in record.items:
        if item.status == ItemStatus.AVAILABLE and item.current_library_id == centre.id:
            lending.checkout(session, reader=borrower, barcode=item.barcode, library=centre, now=utcnow())
    session.commit()
    login(client, "thuthu")
    response = client.post("/staff/circulation/hold", data={"library": "1", "card": "BD000001", "title": "TTVH000061"},
                           follow_redirects=True)
    assert flashes(response) == [f"Đã đặt trước “{record.title}” cho Lê Minh Đức."]


def test_a_returned_copy_is_not_set_aside_for_the_reader_who_returned_it(demo, client, session):
    centre = get_library_by_code(session, "TTVH")
    reader, other = find_user(session, "bandoc"), second_reader(session)
    record = record_of(session, "TTVH000101")
    lending.checkout(session, reader=reader, barcode="TTVH000101", library=centre, now=utcnow())
    own = lending.place_hold(session, reader=reader, record=record, library=centre, now=utcnow())
    session.commit()
    alone = lending.checkin(session, barcode="TTVH000101", library=centre, now=utcnow())
    assert (alone.hold, own.status, alone.item.status) == (None, HoldStatus.WAITING, ItemStatus.AVAILABLE)
    # with another reader waiting behind, the copy goes to them
    lending.checkout(session, reader=reader, barcode="TTVH000101", library=centre, now=utcnow())
    theirs = lending.place_hold(session, reader=other, record=record, library=centre, now=utcnow())
    result = lending.checkin(session, barcode="TTVH000101", library=centre, now=utcnow())
    assert (result.hold.id, theirs.status, own.status) == (theirs.id, HoldStatus.READY, HoldStatus.WAITING)


def test_the_record_page_tells_a_reader_who_already_has_a_hold(demo, client, session):
    record = record_of(session, "TTVH000061")
    login(client, "bandoc")
    before = client.get(f"/records/{record.id}").get_data(as_text=True)
    client.post("/holds", data={"record": record.id, "library": 1, "next": "/"})
    after = client.get(f"/records/{record.id}").get_data(as_text=True)
    assert ("Đặt trước" in before and 'id="my-hold"' not in before) is True
    assert ("Bạn đã đặt trước tài liệu này (đang chờ sách, nhận tại Thư viện Trung tâm Văn hóa"
            in after) is True
    assert 'action="/holds"' not in after
    assert session.scalar(select(Hold).where(Hold.record_id == record.id)).status == HoldStatus.WAITING

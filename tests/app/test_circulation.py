"""The circulation desk over HTTP: scanner-style forms, refusals explained on the desk page,
returns anywhere, holds and the reader's own page."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from catalog.circulation import lending
from catalog.circulation.models import Loan
from catalog.db import utcnow
from catalog.copies.items import Item, ItemStatus
from catalog.libraries import get_library_by_code
from catalog.records.models import Record
from catalog.accounts.users import find_user
from tests.conftest import login


def flashes(response) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'class="flash[^"]*"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)]


@pytest.fixture
def desk(demo, client):
    client.set_cookie("lang", "en")
    login(client, "thuthu")
    return client


def centre_copy(app, n: int = 1) -> str:
    return f"TTVH{n:05d}1"


def foreign_copy(app, code: str = "TH-CATBA") -> str:
    with app.extensions["session_factory"]() as session:
        library = get_library_by_code(session, code)
        return session.scalar(select(Item.barcode).where(Item.current_library_id == library.id).order_by(Item.id))


def desk_post(client, action, **data):
    data.setdefault("library", "1")
    return client.post(f"/staff/circulation/{action}", data=data, follow_redirects=True)


def test_lend_renew_and_return_at_the_desk(desk):
    page = desk.get("/staff/circulation?library=1&card=bd000001")
    assert "Lê Minh Đức" in page.get_data(as_text=True)
    assert 'id="checkout-barcode" name="barcode" autocomplete="off" autofocus' in page.get_data(as_text=True)
    response = desk_post(desk, "checkout", card="BD000001", barcode="ttvh000011\n")
    assert response.status_code == 200
    assert flashes(response)[0].startswith("Lent TTVH000011")
    assert "due" in flashes(response)[0]
    assert "TTVH000011" in response.get_data(as_text=True)  # listed under the reader's loans
    assert flashes(desk_post(desk, "renew", barcode="TTVH000011"))[0].startswith("Renewed TTVH000011")
    response = desk_post(desk, "checkin", barcode="TTVH000011")
    assert flashes(response) == [f"Checked in TTVH000011 “{flashes(response)[0].split('“')[1]}"]
    assert "returned" in response.get_data(as_text=True)  # latest events at the desk


def test_each_refusal_says_what_to_do(demo, desk):
    """Unknown barcode, a copy scanned twice, an unknown card, a copy of another library at the wrong
    desk, a blocked reader: each refused on the desk page with what to do, and nothing lent."""
    barcode = centre_copy(demo, 2)
    desk_post(desk, "checkout", card="BD000001", barcode=barcode)
    cases = [
        ("BD000001", "XYZ-404", "No copy has the barcode XYZ-404. Check the label"),
        ("BD000001", barcode, "is already lent to this reader (scanned twice?): nothing to do."),
        ("NOBODY", centre_copy(demo, 3), "No reader has the card NOBODY. Check the card number, or register the reader first."),
        ("BD000001", foreign_copy(demo), "belongs at Thư viện Trường Tiểu học Cát Bà, not at this desk"),
        ("BLOCKED", centre_copy(demo, 3), "card is blocked (lost two books). Nothing can be lent or held until the block is lifted"),
    ]
    with demo.extensions["session_factory"].begin() as session:
        reader = find_user(session, "bandoc")
        session.add(type(reader)(username="blocked", display_name="Bị Khóa", card_barcode="BLOCKED", is_blocked=True,
                                 blocked_reason="lost two books", role=reader.role))
    for card, code, expected in cases:
        response = desk_post(desk, "checkout", card=card, barcode=code, mode="checkout")
        assert response.status_code == 200 and "Circulation desk" in response.get_data(as_text=True)
        assert any(expected in message for message in flashes(response)), (expected, flashes(response))
    with demo.extensions["session_factory"]() as session:
        statuses = {code: session.scalar(select(Item.status).where(Item.barcode == code)) for _c, code, _e in cases[2:]}
        assert set(statuses.values()) == {ItemStatus.AVAILABLE}


def test_refusal_in_vietnamese(demo, client):
    login(client, "thuthu")
    response = desk_post(client, "checkout", card="BD000001", barcode="XYZ-404")
    assert "Không có bản sách nào mang mã vạch XYZ-404" in " ".join(flashes(response))


def test_return_at_a_school_goes_in_transit_home(demo, desk, client):
    desk_post(desk, "checkout", card="BD000001", barcode=centre_copy(demo, 3))
    desk.post("/logout")
    login(client, "thuvien.tieuhoc")
    response = client.post("/staff/circulation/checkin", data={"barcode": centre_copy(demo, 3)}, follow_redirects=True)
    assert "Put it aside to send to Thư viện Trung tâm Văn hóa" in flashes(response)[0]
    assert "Thư viện Trường Tiểu học Cát Bà" in response.get_data(as_text=True)  # the school's own desk


def test_a_school_librarian_cannot_open_the_centre_desk(demo, client):
    client.set_cookie("lang", "en")
    login(client, "thuvien.tieuhoc")
    page = client.get("/staff/circulation").get_data(as_text=True)
    assert "Thư viện Trường Tiểu học Cát Bà" in page and "Desk of" not in page
    response = client.get("/staff/circulation?library=1")
    assert response.status_code == 403 and "only work the desk of your own library" in response.get_data(as_text=True)
    response = client.post("/staff/circulation/checkout", data={"library": "1", "card": "BD000001",
                                                              "barcode": centre_copy(demo, 4)})
    assert response.status_code == 403
    assert "only work the desk of your own library" in response.get_data(as_text=True)
    with demo.extensions["session_factory"]() as session:
        assert session.scalar(select(Item).where(Item.barcode == centre_copy(demo, 4))).status == ItemStatus.AVAILABLE
    client.post("/logout")
    login(client, "bandoc")
    assert client.get("/staff/circulation").status_code == 403


def test_overdue_list(demo, desk):
    with demo.extensions["session_factory"].begin() as session:
        lending.checkout(session, reader=find_user(session, "bandoc"), barcode=centre_copy(demo, 5),
                         library=get_library_by_code(session, "TTVH"), now=utcnow() - dt.timedelta(days=40))
    page = desk.get("/staff/circulation/overdue?library=1").get_data(as_text=True)
    assert "TTVH000051" in page and "Lê Minh Đức" in page and "days late" in page
    assert "No overdue loans." in desk.get(f"/staff/circulation/overdue?library=5").get_data(as_text=True)


def test_holds_from_the_desk_and_set_aside(demo, desk):
    response = desk_post(desk, "hold", card="BD000001", title=centre_copy(demo, 6))
    assert flashes(response)[0].startswith("Hold placed on")
    response = desk_post(desk, "fill", barcode=centre_copy(demo, 6))
    assert flashes(response)[0] == f"Set {centre_copy(demo, 6)} aside for Lê Minh Đức."
    response = desk_post(desk, "hold", card="BD000001", title="99999")
    assert "No copy or record matches 99999" in flashes(response)[0]


def test_reader_places_a_hold_and_sees_loans_holds_and_history(demo, client):
    client.set_cookie("lang", "en")
    login(client, "bandoc")
    with demo.extensions["session_factory"]() as session:
        record_id = session.scalar(select(Record.id).order_by(Record.id))
    response = client.post("/holds", data={"record": record_id, "library": 1, "next": "/"}, follow_redirects=True)
    assert "Your hold on" in flashes(response)[0]
    response = client.post("/holds", data={"record": record_id, "library": 1, "next": "/"}, follow_redirects=True)
    assert "already has a hold" in flashes(response)[0]
    with demo.extensions["session_factory"].begin() as session:
        reader, centre = find_user(session, "bandoc"), get_library_by_code(session, "TTVH")
        lending.checkout(session, reader=reader, barcode=centre_copy(demo, 7), library=centre, now=utcnow())
        lending.checkout(session, reader=reader, barcode=centre_copy(demo, 8), library=centre, now=utcnow())
        lending.checkin(session, barcode=centre_copy(demo, 8), library=centre, now=utcnow())
    panel = render_panel(demo, "bandoc")
    assert "TTVH000071" in panel and "waiting for a copy" in panel and "Keep a history" in panel
    assert "TTVH000081" not in panel  # history is off by default
    client.post("/account/loan-history", data={"keep": "1", "next": "/"})
    assert "Stop keeping my history" in render_panel(demo, "bandoc")


def render_panel(app, username: str, template: str = "account/_loans.html", **context) -> str:
    with app.test_request_context("/account?lang=en"), app.extensions["session_factory"]() as session:
        login_user(find_user(session, username))
        return render_template_string('{% include "' + template + '" %}', **context)


def test_record_include_shows_availability_and_hold_button(demo):
    with demo.extensions["session_factory"]() as session:
        record = session.scalar(select(Record).order_by(Record.id))
        html = render_panel(demo, "bandoc", "record/_circulation.html", record=record)
    assert "Where to borrow it" in html and "Thư viện Trung tâm Văn hóa" in html and "Place a hold" in html


def test_staff_dashboard_include(demo):
    html = render_panel(demo, "thuthu", "staff/_circulation.html")
    assert "Open the circulation desk" in html and "0 overdue" in html


def test_loan_rules_page_sets_due_dates(demo, desk, client):
    page = desk.get("/staff/circulation/rules").get_data(as_text=True)
    assert "No rule yet." in page and "every library" not in page.split("<select")[1].split("</select>")[0]
    response = desk.post("/staff/circulation/rules", data={"rule_library": "1", "item_type": "", "loan_days": "7",
                                                           "renewals_allowed": "0", "max_loans": "1"},
                         follow_redirects=True)
    assert flashes(response) == ["The loan rule is saved."]
    response = desk.post("/staff/circulation/rules", data={"rule_library": "1", "loan_days": "x",
                                                           "renewals_allowed": "0", "max_loans": "1"},
                         follow_redirects=True)
    assert "whole numbers" in flashes(response)[0]
    response = desk.post("/staff/circulation/rules", data={"rule_library": "2", "loan_days": "9",
                                                           "renewals_allowed": "0", "max_loans": "1"})
    assert response.status_code == 403 and "only work the desk of your own library" in response.get_data(as_text=True)
    response = desk_post(desk, "checkout", card="BD000001", barcode=centre_copy(demo, 9))
    with demo.extensions["session_factory"]() as session:
        loan = session.scalar(select(Loan).join(Loan.item).where(Item.barcode == centre_copy(demo, 9)))
    assert loan.due_at - loan.checked_out_at == dt.timedelta(days=7)
    shown = loan.due_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(demo.config["BABEL_DEFAULT_TIMEZONE"]))
    assert flashes(response)[0].endswith(f"due {shown.strftime('%d/%m/%Y')}.")
    assert "the most allowed here (1)" in flashes(desk_post(desk, "checkout", card="BD000001", barcode=centre_copy(demo, 10)))[0]

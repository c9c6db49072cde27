"""Readers: register, search (with or without diacritics), edit, block/unblock, card PDF, the
library scope, tampered role and library fields, and the reader's own page."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from catalog.audit import history
from catalog.accounts.users import Role, User, check_password, find_user
from tests.app.staff_helpers import denied_entries, library_id, pdf_text
from tests.conftest import login


def register(client, session, **changes):
    data = {"display_name": "Đỗ Thị Hương", "card_barcode": "bd000777", "username": "", "phone": "0912 345 678",
            "email": "", "password": "", "role": "reader", "library_id": library_id(session, "TH-CATBA")}
    data.update(changes)
    return client.post("/staff/readers/new", data=data, follow_redirects=True)


def test_school_librarian_registers_searches_edits_and_blocks_a_reader(demo, client, session):
    login(client, "thuvien.tieuhoc")
    response = register(client, session)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "Đỗ Thị Hương" in page and "BD000777" in page
    reader = find_user(session, "bd000777")
    assert reader.role == Role.READER and reader.card_barcode == "BD000777"
    assert reader.library_id == library_id(session, "TH-CATBA")
    shown = re.search(r"\b([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\b", page)  # the generated password, once
    assert shown and check_password(reader.password_hash, shown.group(1))

    found = html.unescape(client.get("/staff/readers?q=do thi huong").get_data(as_text=True))
    assert "Đỗ Thị Hương" in found
    assert "Đỗ Thị Hương" in html.unescape(client.get("/staff/readers?q=BD000777").get_data(as_text=True))

    client.post(f"/staff/readers/{reader.id}", data={
        "display_name": "Đỗ Thị Hương", "card_barcode": "BD000778", "phone": "0912000000", "email": "h@example.vn",
        "library_id": reader.library_id})
    refused = client.post(f"/staff/readers/{reader.id}/block", data={"reason": ""}, follow_redirects=True)
    assert refused.status_code == 400
    client.post(f"/staff/readers/{reader.id}/block", data={"reason": "Làm mất sách chưa đền"})
    session.expire_all()
    reader = session.get(User, reader.id)
    assert reader.card_barcode == "BD000778" and reader.is_blocked and reader.blocked_reason == "Làm mất sách chưa đền"
    client.post(f"/staff/readers/{reader.id}/unblock", data={"reason": "Đã đền"})
    session.expire_all()
    assert not session.get(User, reader.id).is_blocked
    assert [e.action for e in history(session, "user", reader.id)] == ["unblock", "block", "update", "create"]

    card = client.get(f"/staff/readers/{reader.id}/card.pdf")
    assert card.status_code == 200 and card.mimetype == "application/pdf"
    text = pdf_text(card.data)
    assert "BD000778" in text and "Đỗ Thị Hương" in text


def test_duplicate_card_is_refused_next_to_the_field(demo, client, session):
    login(client, "thuthu")
    response = register(client, session, card_barcode="BD000001", library_id=library_id(session, "TTVH"))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "BD000001" in page.split('id="card_barcode-error"')[1][:200]
    assert "Đỗ Thị Hương" in page
    assert session.scalar(select(User).where(User.display_name == "Đỗ Thị Hương")) is None


def test_tampered_role_and_library_are_refused_and_logged(demo, client, session):
    login(client, "thuvien.tieuhoc")
    assert register(client, session, role="admin", username="sneaky").status_code == 403
    assert find_user(session, "sneaky") is None
    assert denied_entries(session)[-1].after["form"]["role"] == "admin"
    assert register(client, session, username="elsewhere", library_id=library_id(session, "TTVH")).status_code == 403
    assert find_user(session, "elsewhere") is None
    assert len(denied_entries(session)) == 2


def test_school_librarian_cannot_see_or_change_another_librarys_reader(demo, client, session):
    login(client, "thuthu")
    register(client, session, library_id=library_id(session, "TTVH"))
    reader = find_user(session, "bd000777")
    client.post("/logout")
    login(client, "thuvien.tieuhoc")
    assert "Đỗ Thị Hương" not in html.unescape(client.get("/staff/readers?q=huong").get_data(as_text=True))
    assert client.get(f"/staff/readers/{reader.id}").status_code == 403
    assert client.post(f"/staff/readers/{reader.id}/block", data={"reason": "x"}).status_code == 403
    assert client.get(f"/staff/readers/{reader.id}/card.pdf").status_code == 403
    session.expire_all()
    assert not session.get(User, reader.id).is_blocked
    # and staff accounts are not readers: a librarian cannot reach them
    admin = find_user(session, "admin")
    assert client.post(f"/staff/readers/{admin.id}/password", data={"password": "taken-over-1"}).status_code == 403


def test_reader_sees_own_page_and_changes_password(demo, client, session):
    login(client, "bandoc")
    page = html.unescape(client.get("/account").get_data(as_text=True))
    assert "Lê Minh Đức" in page and "BD000001" in page
    wrong = client.post("/account/password", data={"current": "nope-nope", "new": "mat-khau-moi", "confirm": "mat-khau-moi"})
    assert wrong.status_code == 400 and 'id="current-error"' in wrong.get_data(as_text=True)
    differ = client.post("/account/password", data={"current": "hoclieu-demo", "new": "mat-khau-moi", "confirm": "khac"})
    assert differ.status_code == 400 and 'id="confirm-error"' in differ.get_data(as_text=True)
    ok = client.post("/account/password", data={"current": "hoclieu-demo", "new": "mat-khau-moi", "confirm": "mat-khau-moi"})
    assert ok.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"username": "bandoc", "password": "hoclieu-demo"}).status_code == 400
    assert client.post("/login", data={"username": "bandoc", "password": "mat-khau-moi"}).status_code == 302
    assert [e.action for e in history(session, "user", find_user(session, "bandoc").id)] == ["password_change"]


def test_admin_resets_a_password_and_creates_staff(demo, client, session):
    login(client, "admin")
    librarian = find_user(session, "thuthu")
    assert client.post(f"/staff/readers/{librarian.id}/password", data={"password": "dat-lai-123"}).status_code == 302
    response = client.post("/staff/accounts/new", data={
        "username": "bienmuc2", "display_name": "Hoàng Văn Nam", "role": "cataloguer",
        "library_id": library_id(session, "TTVH"), "card_barcode": "", "phone": "", "email": "", "password": "mot-hai-ba-bon"})
    assert response.status_code == 302
    assert find_user(session, "bienmuc2").role == Role.CATALOGUER
    client.post("/logout")
    assert client.post("/login", data={"username": "thuthu", "password": "dat-lai-123"}).status_code == 302
    assert "password_reset" in [e.action for e in history(session, "user", librarian.id)]
    # only an admin reaches the accounts pages
    assert client.get("/staff/accounts").status_code == 403

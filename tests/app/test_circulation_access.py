"""Staff beyond their library, over HTTP: a school librarian acting on the centre's readers, loans,
holds and rotation batches, and the district office at the desk, are refused with 403 (the
reason on the page), nothing changes, and each refusal is kept in the audit trail."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from catalog.rotation import batches
from catalog.circulation import lending
from catalog.circulation.models import Hold, Loan
from catalog.db import utcnow
from catalog.libraries import get_library_by_code
from catalog.records.models import Record
from catalog.rotation.models import RotationBatch
from catalog.accounts.users import Role, create_user, find_user
from tests.app.staff_helpers import denied_entries
from tests.conftest import login

CENTRE_COPY, OTHER_COPY = "TTVH000011", "TTVH000021"


@pytest.fixture
def world(demo):
    """A reader registered at the centre with a centre loan, and bandoc (registered nowhere) with one."""
    with demo.extensions["session_factory"].begin() as session:
        centre = get_library_by_code(session, "TTVH")
        member = create_user(session, "hoivien", role=Role.READER, password="long enough", library=centre,
                             card_barcode="BD000777", display_name="Đỗ Thị Hương")
        lending.checkout(session, reader=member, barcode=CENTRE_COPY, library=centre, now=utcnow())
        lending.checkout(session, reader=find_user(session, "bandoc"), barcode=OTHER_COPY, library=centre,
                         now=utcnow())
    return demo


def signed_in(client, username: str):
    client.set_cookie("lang", "en")
    login(client, username)
    return client


def last_denial(app, username: str, path: str):
    with app.extensions["session_factory"]() as session:
        entry = denied_entries(session)[-1]
        assert (entry.actor_name, entry.after["path"]) == (username, path)
        return entry


def open_loans(app, barcode: str) -> list[Loan]:
    with app.extensions["session_factory"]() as session:
        return list(session.scalars(select(Loan).join(Loan.item).where(Loan.returned_at.is_(None))
                                    .filter_by(barcode=barcode)))


def test_a_school_librarian_cannot_open_a_centre_readers_loans(world, client):
    signed_in(client, "thuvien.tieuhoc")
    response = client.get("/staff/circulation?card=BD000777")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Đỗ Thị Hương is a reader of Thư viện Trung tâm Văn hóa" in page and CENTRE_COPY not in page
    assert "is a reader of" in last_denial(world, "thuvien.tieuhoc", "/staff/circulation").note
    # a reader registered nowhere is served, but the school's desk shows none of the centre's loans
    page = client.get("/staff/circulation?card=BD000001").get_data(as_text=True)
    assert "Lê Minh Đức" in page and OTHER_COPY not in page and "0 on loan" in page


def test_a_school_librarian_cannot_renew_a_centre_loan(world, client):
    due = open_loans(world, CENTRE_COPY)[0].due_at
    signed_in(client, "thuvien.tieuhoc")
    response = client.post("/staff/circulation/renew", data={"barcode": CENTRE_COPY})
    assert response.status_code == 403
    assert "only work the desk of your own library" in response.get_data(as_text=True)
    assert open_loans(world, CENTRE_COPY)[0].due_at == due
    assert "only work the desk" in last_denial(world, "thuvien.tieuhoc", "/staff/circulation/renew").note


def test_a_school_librarian_cannot_work_the_centre_desk(world, client):
    signed_in(client, "thuvien.tieuhoc")
    for action, data in (("checkin", {"barcode": CENTRE_COPY}),
                         ("checkout", {"card": "BD000001", "barcode": "TTVH000031"}),
                         ("fill", {"barcode": "TTVH000031"})):
        response = client.post(f"/staff/circulation/{action}", data={"library": "1", **data})
        assert response.status_code == 403, action
        assert last_denial(world, "thuvien.tieuhoc", f"/staff/circulation/{action}").after["form"]["library"] == "1"
    assert len(open_loans(world, CENTRE_COPY)) == 1 and open_loans(world, "TTVH000031") == []
    # returning a centre copy at the school's own desk is still the normal return anywhere
    response = client.post("/staff/circulation/checkin", data={"barcode": CENTRE_COPY}, follow_redirects=True)
    assert response.status_code == 200 and open_loans(world, CENTRE_COPY) == []


def hold_count(app) -> int:
    with app.extensions["session_factory"]() as session:
        return session.scalar(select(func.count()).select_from(Hold))


def test_a_school_librarian_cannot_place_a_hold_for_a_centre_reader(world, client):
    signed_in(client, "thuvien.tieuhoc")
    response = client.post("/staff/circulation/hold", data={"card": "BD000777", "title": "TTVH000031"})
    assert response.status_code == 403 and "is a reader of Thư viện Trung tâm Văn hóa" in response.get_data(as_text=True)
    assert hold_count(world) == 0
    last_denial(world, "thuvien.tieuhoc", "/staff/circulation/hold")


def test_the_district_office_changes_nothing_at_the_desk(world, client):
    signed_in(client, "phongvh")
    with world.extensions["session_factory"]() as session:
        record_id = session.scalar(select(Record.id).order_by(Record.id))
    response = client.post("/holds", data={"record": record_id, "library": 1, "next": "/"})
    assert response.status_code == 403
    assert "The district office account reads reports only" in response.get_data(as_text=True)
    assert hold_count(world) == 0
    last_denial(world, "phongvh", "/holds")
    assert client.get("/staff/circulation?card=BD000001").status_code == 403
    assert client.post("/staff/circulation/renew", data={"barcode": CENTRE_COPY}).status_code == 403
    assert last_denial(world, "phongvh", "/staff/circulation/renew").note.startswith("the role district")


@pytest.fixture
def batch_to_another_school(world):
    """A centre batch dispatched to a school that is not Cát Bà primary."""
    with world.extensions["session_factory"].begin() as session:
        centre, school = get_library_by_code(session, "TTVH"), get_library_by_code(session, "THCS-CATHAI")
        batch = batches.create_batch(session, origin=centre, stops=[(school, 30)], now=utcnow())
        batches.add_copy(session, batch, "TTVH000041", now=utcnow())
        draft = batches.create_batch(session, origin=centre, stops=[(school, 30)], now=utcnow())
        batches.add_copy(session, draft, "TTVH000051", now=utcnow())
        batches.dispatch(session, batch, now=utcnow() - dt.timedelta(hours=1))
        return batch.id, draft.id


def test_a_school_librarian_cannot_receive_or_dispatch_another_librarys_batch(world, client,
                                                                               batch_to_another_school):
    sent, draft = batch_to_another_school
    signed_in(client, "thuvien.tieuhoc")
    response = client.post(f"/staff/rotation/{sent}/receive", data={"barcode": "TTVH000041"})
    assert response.status_code == 403
    assert "Only Thư viện Trường THCS Cát Hải, where batch" in response.get_data(as_text=True)
    last_denial(world, "thuvien.tieuhoc", f"/staff/rotation/{sent}/receive")
    response = client.post(f"/staff/rotation/{draft}/step/dispatch")
    assert response.status_code == 403 and "where batch" in response.get_data(as_text=True)
    last_denial(world, "thuvien.tieuhoc", f"/staff/rotation/{draft}/step/dispatch")
    assert client.get(f"/staff/rotation/{sent}").status_code == 403
    with world.extensions["session_factory"]() as session:
        assert [session.get(RotationBatch, i).status.value for i in (sent, draft)] == ["dispatched", "draft"]

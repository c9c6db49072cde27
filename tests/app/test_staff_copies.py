"""Copies: adding (typed, scanned, generated barcodes), duplicates, status and location, bulk
changes, labels, and the library scope (a school librarian cannot touch the centre's copies)."""
from __future__ import annotations

from sqlalchemy import select

from catalog.audit import history
from catalog.copies.items import Item, ItemStatus
from catalog.records.models import Record
from tests.app.staff_helpers import denied_entries, item_of, library_id, pdf_text
from tests.conftest import login


def first_record(session) -> Record:
    return session.scalars(select(Record).order_by(Record.id)).first()


def test_cataloguer_adds_typed_and_generated_copies_and_prints_labels(demo, client, session):
    record = first_record(session)
    centre = library_id(session, "TTVH")
    login(client, "bienmuc")
    response = client.post(f"/staff/records/{record.id}/copies", data={
        "library_id": centre, "barcodes": "new-001\n NEW-002 \n", "generate": 2, "call_number": "",
    }, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "NEW-001" in page and "NEW-002" in page
    session.expire_all()
    codes = sorted(i.barcode for i in session.scalars(select(Item).where(Item.record_id == record.id)))
    generated = [c for c in codes if c.startswith("TTVH") and len(c) == 10]
    assert "NEW-001" in codes and "NEW-002" in codes and len(generated) >= 2
    added = session.scalar(select(Item).where(Item.barcode == "NEW-001"))
    assert [e.action for e in history(session, "item", added.id)] == ["create"]
    assert history(session, "item", added.id)[0].actor_name == "bienmuc"

    labels = client.get(f"/staff/labels.pdf?record={record.id}")
    assert labels.status_code == 200 and labels.mimetype == "application/pdf"
    assert "attachment" in labels.headers["Content-Disposition"]
    text = pdf_text(labels.data)
    assert "NEW-001" in text and "NEW-002" in text and generated[-1] in text
    assert record.call_number.split()[0] in text


def test_generated_barcodes_follow_the_configured_pattern(demo, client, session):
    demo.config["BARCODE_PATTERN"] = "HL-{library}-{seq:04d}"
    record = first_record(session)
    login(client, "thuthu")
    response = client.post(f"/staff/records/{record.id}/copies",
                           data={"library_id": library_id(session, "PD-GIALOC"), "generate": 2},
                           follow_redirects=True)
    assert "HL-PDGIALOC-0001" in response.get_data(as_text=True)
    assert "HL-PDGIALOC-0002" in response.get_data(as_text=True)


def test_duplicate_barcode_is_refused_naming_the_record_that_holds_it(demo, client, session):
    taken = item_of(session, "TTVH")
    record = first_record(session)
    before = session.scalar(select(Item.id).where(Item.record_id == record.id).order_by(Item.id.desc()))
    login(client, "thuthu")
    response = client.post(f"/staff/records/{record.id}/copies", data={
        "library_id": library_id(session, "TTVH"), "barcodes": f"FRESH-1\n{taken.barcode.lower()}"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert taken.barcode in page and str(taken.record_id) in page and taken.record.title in page
    assert "FRESH-1" in page  # what was typed stays in the form
    session.expire_all()
    assert session.scalar(select(Item).where(Item.barcode == "FRESH-1")) is None
    assert session.scalar(select(Item.id).where(Item.record_id == record.id).order_by(Item.id.desc())) == before


def test_school_librarian_cannot_change_the_centres_copy(demo, client, session):
    copy = item_of(session, "TTVH")
    login(client, "thuvien.tieuhoc")
    response = client.post(f"/staff/copies/{copy.id}", data={
        "status": "lost", "location_id": copy.current_library_id, "call_number": "X", "notes": ""})
    assert response.status_code == 403
    session.expire_all()
    again = session.get(Item, copy.id)
    assert again.status == ItemStatus.AVAILABLE and again.call_number != "X"
    denied = denied_entries(session)
    assert denied and denied[-1].actor_name == "thuvien.tieuhoc" and f"/staff/copies/{copy.id}" in denied[-1].after["path"]


def test_tampered_library_field_is_refused_and_logged(demo, client, session):
    record = first_record(session)
    count = len(record.items)
    login(client, "thuvien.tieuhoc")
    response = client.post(f"/staff/records/{record.id}/copies",
                           data={"library_id": library_id(session, "TTVH"), "barcodes": "SNEAKY-1"})
    assert response.status_code == 403
    session.expire_all()
    assert session.scalar(select(Item).where(Item.barcode == "SNEAKY-1")) is None
    assert len(session.get(Record, record.id).items) == count
    denied = denied_entries(session)
    assert denied[-1].after["form"]["library_id"] == str(library_id(session, "TTVH"))
    # Moving its own copy to another school's shelf is refused as well.
    own = item_of(session, "TH-CATBA")
    response = client.post(f"/staff/copies/{own.id}", data={
        "status": "available", "location_id": library_id(session, "THPT-CATBA"), "call_number": "", "notes": ""})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Item, own.id).current_library_id == own.current_library_id


def test_librarian_changes_status_and_location_with_history(demo, client, session):
    copy = item_of(session, "TTVH")
    point = library_id(session, "BDVH-HIENHAO")
    login(client, "thuthu")
    response = client.post(f"/staff/copies/{copy.id}", data={
        "status": "damaged", "location_id": point, "call_number": "639 NGU", "notes": "Bìa rách"},
        follow_redirects=True)
    assert response.status_code == 200
    session.expire_all()
    again = session.get(Item, copy.id)
    assert again.status == ItemStatus.DAMAGED and again.current_library_id == point
    hit = [h for h in client.get("/api/search", query_string={"q": again.record.title, "per_page": 50}).json["hits"]
           if h["id"] == again.record_id]
    assert hit, "the record is still found after the change"
    page = client.get(f"/staff/copies/{copy.id}/history").get_data(as_text=True)
    assert "<del>có sẵn</del> → hư hỏng" in page and "thuthu" in page and "Bìa rách" in page


def test_status_owned_by_circulation_cannot_be_set_by_hand(demo, client, session):
    copy = item_of(session, "TTVH")
    login(client, "thuthu")
    response = client.post(f"/staff/copies/{copy.id}", data={
        "status": "on_loan", "location_id": copy.current_library_id, "call_number": "", "notes": ""})
    assert response.status_code == 400
    assert "lưu thông hoặc luân chuyển" in response.get_data(as_text=True)  # the Vietnamese message
    session.expire_all()
    assert session.get(Item, copy.id).status == ItemStatus.AVAILABLE


def test_bulk_change_lists_each_refusal(demo, client, session):
    own = [i.barcode for i in session.scalars(
        select(Item).where(Item.home_library_id == library_id(session, "TTVH")).order_by(Item.id).limit(3))]
    school = item_of(session, "THPT-CATBA").barcode
    login(client, "thuthu")
    scanned = "\n".join([own[0], own[1].lower(), school, "NO-SUCH-CODE", own[2], own[0]])
    response = client.post("/staff/copies/bulk", data={"barcodes": scanned, "status": "withdrawn", "location_id": 0})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 " in page and school in page and "NO-SUCH-CODE" in page
    session.expire_all()
    statuses = {i.barcode: i.status for i in session.scalars(select(Item).where(Item.barcode.in_([*own, school])))}
    assert all(statuses[code] == ItemStatus.WITHDRAWN for code in own)
    assert statuses[school] == ItemStatus.AVAILABLE

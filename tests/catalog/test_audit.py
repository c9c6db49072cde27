"""The audit trail: who, when, what before and after, for records, copies and accounts."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from catalog.audit import history, log_change
from catalog.records.cataloguing import save_record, withdraw_record
from catalog.copies.management import add_copies, bulk_update, generate_barcode, update_copy
from catalog.errors import DuplicateBarcode, PermissionDenied, ValidationError
from catalog.copies.items import ItemStatus
from catalog.libraries import LibraryKind, save_library
from catalog.records.models import RecordDraft
from catalog.accounts.users import Role, create_user

NOW = dt.datetime(2026, 4, 21, 9, 30)


@pytest.fixture
def world(session):
    centre = save_library(session, code="TTVH", name="Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
    point = save_library(session, code="PD-1", name="Phòng đọc", kind=LibraryKind.VILLAGE_READING_ROOM, parent=centre)
    school = save_library(session, code="TH-1", name="Trường", kind=LibraryKind.SCHOOL)
    people = {
        "cat": create_user(session, "cat", role=Role.CATALOGUER, password="x" * 8, library=centre),
        "lib": create_user(session, "lib", role=Role.LIBRARIAN, password="x" * 8, library=centre),
        "school": create_user(session, "school", role=Role.LIBRARIAN, password="x" * 8, library=school),
    }
    return {"centre": centre, "point": point, "school": school, **people}


def test_log_change_keeps_who_when_before_after(session, world):
    entry = log_change(session, world["lib"], "item", 7, "update", {"status": ItemStatus.AVAILABLE, "price": Decimal("1.50")},
                       {"status": ItemStatus.LOST, "on": dt.date(2026, 4, 21)}, NOW, note="mất")
    session.flush()
    assert entry.actor_id == world["lib"].id and entry.actor_name == "lib" and entry.at == NOW
    assert entry.before == {"status": "available", "price": "1.50"}
    assert entry.changes() == [("status", "available", "lost"), ("price", "1.50", None), ("on", None, "2026-04-21")]
    assert history(session, "item", 7) == [entry]


def test_services_audit_records_and_copies_and_check_scope(session, world):
    record = save_record(session, world["cat"], RecordDraft(title="Biển đảo"), marc=None, now=NOW)
    items = add_copies(session, world["cat"], record, library_id=world["centre"].id, barcodes=["a-1"], generate=1,
                       now=NOW)
    assert [i.barcode for i in items] == ["A-1", "TTVH000001"]
    assert generate_barcode(session, world["centre"], "{library}{seq:06d}") == "TTVH000002"
    with pytest.raises(DuplicateBarcode) as duplicate:
        add_copies(session, world["lib"], record, library_id=world["point"].id, barcodes=["A-1"], now=NOW)
    assert duplicate.value.params["record_id"] == record.id and duplicate.value.params["title"] == "Biển đảo"
    with pytest.raises(PermissionDenied):
        add_copies(session, world["cat"], record, library_id=world["point"].id, barcodes=["B-1"], now=NOW)
    with pytest.raises(PermissionDenied):
        update_copy(session, world["school"], items[0], status="lost", now=NOW)
    with pytest.raises(PermissionDenied):
        save_record(session, world["lib"], RecordDraft(title="Khác"), marc=None, record=record, now=NOW)
    update_copy(session, world["lib"], items[0], status="damaged", location_id=world["point"].id, now=NOW)
    assert history(session, "item", items[0].id)[0].changes() == [
        ("current_library_id", world["centre"].id, world["point"].id), ("status", "available", "damaged")]
    result = bulk_update(session, world["school"], ["A-1", "NONE"], status="withdrawn", now=NOW)
    assert result.changed == [] and [code for code, _e in result.refused] == ["A-1", "NONE"]
    with pytest.raises(ValidationError):
        withdraw_record(session, world["cat"], record, reason="x", now=NOW)
    bulk_update(session, world["lib"], ["A-1", "TTVH000001"], status="withdrawn", now=NOW)
    withdraw_record(session, world["cat"], record, reason="trùng", now=NOW)
    assert [e.action for e in history(session, "record", record.id)] == ["delete", "create"]

"""Copy-cataloguing targets and saving a copy, through the services: roles checked here, bad
settings refused with the field named, the copy's source in the audit trail."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from catalog.audit import history
from catalog.copycat.services import (
    TargetDraft, checked_target, delete_target, get_target, list_targets, record_test, save_copy, save_target,
)
from catalog.errors import DuplicateCode, NotFound, PermissionDenied, ValidationError
from catalog.records.models import Record, RecordDraft
from catalog.accounts.users import Role, create_user

NOW = dt.datetime(2026, 12, 2, 8, 0)


@pytest.fixture
def people(session):
    admin = create_user(session, "root", role=Role.ADMIN, password="12345678")
    cataloguer = create_user(session, "ha", role=Role.CATALOGUER, password="12345678")
    librarian = create_user(session, "hai", role=Role.DISTRICT, password="12345678")  # no cataloguer
    session.flush()
    return admin, cataloguer, librarian


def draft(**kw) -> TargetDraft:
    return TargetDraft(**{"name": "TVQG", "protocol": "z3950", "host": "z3950.example.vn", "port": 210, **kw})


@pytest.mark.parametrize("changes, field", [
    ({"name": "  "}, "name"), ({"protocol": "ftp"}, "protocol"), ({"host": "a b"}, "host"),
    ({"host": "http://x"}, "host"), ({"port": 0}, "port"), ({"port": 70000}, "port"),
    ({"database": "a b"}, "database"), ({"record_syntax": "dc"}, "record_syntax"),
    ({"charset": "koi8"}, "charset"), ({"sru_version": "1.1"}, "sru_version"), ({"timeout": 0}, "timeout"),
    ({"timeout": 31}, "timeout"), ({"org_code": "(VN)"}, "org_code"),
])
def test_bad_settings_are_refused_with_the_field(changes, field):
    with pytest.raises(ValidationError) as refused:
        checked_target(draft(**changes))
    assert refused.value.field == field


def test_sru_sends_marc21_as_marcxml_and_names_are_trimmed():
    checked = checked_target(draft(protocol="sru", record_syntax="marc21", name=" hoclieu ", database="/sru/"))
    assert (checked.record_syntax, checked.name, checked.database) == ("marcxml", "hoclieu", "sru")


def test_admins_manage_targets_and_every_change_is_audited(session, people):
    admin, cataloguer, librarian = people
    target = save_target(session, admin, draft(), now=NOW)
    for someone in (cataloguer, librarian):
        with pytest.raises(PermissionDenied):
            save_target(session, someone, draft(name="khác"), now=NOW)
        with pytest.raises(PermissionDenied):
            record_test(session, someone, target, is_ok=True, message="", now=NOW)
    with pytest.raises(DuplicateCode):
        save_target(session, admin, draft(host="other.example.vn"), now=NOW)
    save_target(session, admin, draft(is_enabled=False, timeout=9), target=target, now=NOW)
    assert list_targets(session, enabled_only=True) == [] and list_targets(session) == [target]
    assert [e.action for e in history(session, "copycat_target", target.id)] == ["update", "create"]
    delete_target(session, admin, target, now=NOW)
    with pytest.raises(NotFound):
        get_target(session, target.id)


def test_a_copy_is_saved_by_cataloguers_with_its_source_or_onto_its_match(session, people):
    admin, cataloguer, librarian = people
    copy = RecordDraft(title="Truyện Kiều", authors=["Nguyễn Du"], control_number="VN1", control_source="VNTVQG",
                       system_numbers=["(VNTVQG)VN1"])
    with pytest.raises(PermissionDenied):
        save_copy(session, librarian, copy, marc={}, source="TVQG", now=NOW)
    record = save_copy(session, cataloguer, copy, marc={"leader": "", "fields": []}, source="TVQG", now=NOW)
    assert record.system_numbers == ["(VNTVQG)VN1"]
    again = save_copy(session, cataloguer, RecordDraft(title="Truyện Kiều (bản mới)", authors=["Nguyễn Du"]),
                      marc={"leader": "", "fields": []}, source="TVQG", merge_into=record, now=NOW)
    assert again.id == record.id and session.scalars(select(Record)).all() == [record]
    assert [(e.action, e.note) for e in history(session, "record", record.id)] == [
        ("update", "copy cataloguing from TVQG"), ("create", "copy cataloguing from TVQG")]

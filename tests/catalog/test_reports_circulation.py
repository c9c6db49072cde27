"""Loan and rotation figures from activity recorded through the circulation and rotation services
(catalog/circulation/lending.py, catalog/rotation/batches.py), so the report reads what the desk really writes."""
from __future__ import annotations

import datetime as dt

import pytest

# The circulation and rotation services land from their own branch; until then this test waits.
pytest.importorskip("catalog.circulation.lending")
pytest.importorskip("catalog.rotation.batches")

from catalog.rotation.batches import (  # noqa: E402
    add_copy, create_batch, declare, dispatch, finish_receipt, finish_return, receive_copy, return_copy, send_back,
)
from catalog.copies.items import add_item  # noqa: E402
from catalog.circulation.lending import checkin, checkout, renew  # noqa: E402
from catalog.libraries import LibraryKind, save_library  # noqa: E402
from catalog.records.models import RecordDraft, create_record  # noqa: E402
from catalog.reports.annual import annual_report  # noqa: E402
from catalog.accounts.users import Role, User  # noqa: E402


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, 0)


def test_a_rotation_and_its_loans_recorded_by_the_services(session):
    centre = save_library(session, code="TT", name="Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
    school = save_library(session, code="TH", name="Trường Tiểu học", kind=LibraryKind.SCHOOL)
    reader = User(username="hs1", role=Role.READER, library=school, card_barcode="HS0001", display_name="Học sinh")
    session.add(reader)
    record = create_record(session, RecordDraft(title="Truyện cổ tích Việt Nam"))
    for code in ("X1", "X2", "X3"):
        add_item(session, record, barcode=code, library=centre, acquired_on=dt.date(2025, 5, 1))
    add_item(session, record, barcode="X4", library=school, acquired_on=dt.date(2025, 5, 1))
    session.flush()

    batch = create_batch(session, origin=centre, stops=[(school, 60)], now=at(3, 1))
    for code in ("X1", "X2", "X3"):
        add_copy(session, batch, code, now=at(3, 1))
    dispatch(session, batch, now=at(3, 2))
    for code in ("X1", "X2"):
        receive_copy(session, batch, code, library=school, now=at(3, 4))
    finish_receipt(session, batch, library=school, now=at(3, 4))           # X3 missing
    checkout(session, reader=reader, barcode="X1", library=school, now=at(3, 10))  # a rotated copy
    renew(session, barcode="X1", library=school, now=at(3, 20))
    checkin(session, barcode="X1", library=school, now=at(3, 25))
    checkout(session, reader=reader, barcode="X4", library=school, now=at(4, 1))   # the school's own copy
    declare(session, batch, "X3", "lost", note="Không tìm thấy khi nhận", now=at(5, 1))
    send_back(session, batch, now=at(6, 1))
    for code in ("X1", "X2"):
        return_copy(session, batch, code, library=centre, now=at(6, 3))
    finish_return(session, batch, library=centre, now=at(6, 3))
    session.commit()

    report = annual_report(session, 2026)
    assert (report.loans.loans, report.loans.renewals, report.loans.returns, report.loans.borrowers) == (2, 1, 1, 1)
    r = report.rotation
    assert (r.batches, r.copies_sent, r.copies_received, r.copies_returned, r.copies_lost) == (1, 3, 2, 2, 1)
    assert r.school_loans_from_rotation == 1 and report.readers.active == 1
    assert [(m.loans, m.renewals) for m in report.months[2:4]] == [(1, 1), (1, 0)]
    origin = annual_report(session, 2026, "TT")
    assert origin.loans.loans == 0 and origin.rotation.school_loans_from_rotation == 0
    assert (origin.rotation.copies_sent, origin.rotation.copies_returned, origin.rotation.copies_lost) == (3, 2, 1)


def test_the_year_and_its_months_are_the_librarys_not_utcs(session):
    """00:30 on 1 January 2027 in Hanoi is 17:30 on 31 December 2026 in UTC (how it is stored):
    a loan and a registration then belong to January 2027 there, and to December 2026 in UTC."""
    school = save_library(session, code="TH", name="Trường Tiểu học", kind=LibraryKind.SCHOOL)
    new_year_night = dt.datetime(2026, 12, 31, 17, 30)
    reader = User(username="hs2", role=Role.READER, library=school, card_barcode="HS0002", display_name="Học sinh",
                  created_at=new_year_night)
    session.add(reader)
    record = create_record(session, RecordDraft(title="Dế Mèn phiêu lưu ký"))
    add_item(session, record, barcode="Y1", library=school, acquired_on=dt.date(2025, 5, 1))
    session.flush()
    checkout(session, reader=reader, barcode="Y1", library=school, now=new_year_night)
    session.commit()

    for tz, year, month in (("Asia/Ho_Chi_Minh", 2027, 1), ("UTC", 2026, 12)):
        report = annual_report(session, year, tz=tz)
        assert (report.loans.loans, report.readers.new) == (1, 1), tz
        assert [m.loans for m in report.months] == [1 if m == month else 0 for m in range(1, 13)], tz
        other = annual_report(session, 2026 if year == 2027 else 2027, tz=tz)
        assert (other.loans.loans, other.readers.new) == (0, 0), tz

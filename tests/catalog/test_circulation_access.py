"""The circulation and rotation services themselves check who acts (not only the pages): a school
librarian cannot open, lend, renew, check in or hold for the centre, nor act on a batch that is
not their library's; the district office changes nothing."""
from __future__ import annotations

import pytest

from catalog.rotation import batches
from catalog.circulation import lending, loan_lists
from catalog.errors import PermissionDenied
from catalog.accounts.users import Role, create_user
from tests.catalog.test_circulation_support import NOW, build_world


@pytest.fixture
def w(session):
    world = build_world(session, copies=6)
    world.reader.library = world.centre  # a reader registered at the centre
    session.commit()
    return world


@pytest.fixture
def school_librarian(session, w):
    return create_user(session, "school", role=Role.LIBRARIAN, password="long enough", library=w.school)


@pytest.fixture
def district(session, w):
    return create_user(session, "district", role=Role.DISTRICT, password="long enough")


def test_a_school_librarian_cannot_act_for_the_centre(session, w, school_librarian):
    lending.checkout(session, reader=w.reader, barcode="C0000", library=w.centre, now=NOW, staff=w.librarian)
    refusals = {
        "open the reader": lambda: loan_lists.desk_reader(session, "BD1", staff=school_librarian),
        "lend at the centre": lambda: lending.checkout(session, reader=w.pupil, barcode="C0001", library=w.centre,
                                                       now=NOW, staff=school_librarian),
        "lend to a centre reader": lambda: lending.checkout(session, reader=w.reader, barcode="S0001",
                                                            library=w.school, now=NOW, staff=school_librarian),
        "renew a centre loan": lambda: lending.renew(session, barcode="C0000", library=w.school, now=NOW,
                                                     staff=school_librarian),
        "check in at the centre": lambda: lending.checkin(session, barcode="C0000", library=w.centre, now=NOW,
                                                          staff=school_librarian),
        "hold for a centre reader": lambda: lending.place_hold(session, reader=w.reader, record=w.item("C0002").record,
                                                               library=w.school, now=NOW, staff=school_librarian),
        "set aside at the centre": lambda: lending.fill_hold(session, barcode="C0002", library=w.centre, now=NOW,
                                                             staff=school_librarian),
        "a rule for every library": lambda: lending.set_loan_rule(session, library=None, item_type=None, loan_days=1,
                                                                  renewals_allowed=0, max_loans=1,
                                                                  staff=school_librarian),
    }
    for name, action in refusals.items():
        with pytest.raises(PermissionDenied):
            action()
            pytest.fail(name)
    assert lending.open_loan(session, w.item("C0000")).renewals == 0
    # the centre's own librarian does all of it
    assert loan_lists.desk_reader(session, "BD1", staff=w.librarian).loans[0].item.barcode == "C0000"
    assert lending.renew(session, barcode="C0000", library=w.centre, now=NOW, staff=w.librarian).renewals == 1


def test_a_school_librarian_cannot_act_on_another_librarys_batch(session, w, school_librarian):
    batch = batches.create_batch(session, origin=w.centre, stops=[(w.school2, 30)], now=NOW, prepared_by=w.librarian)
    with pytest.raises(PermissionDenied, match="Only Trung tâm, where batch"):
        batches.add_copy(session, batch, "C0003", now=NOW, user=school_librarian)
    batches.add_copy(session, batch, "C0003", now=NOW, user=w.librarian)
    with pytest.raises(PermissionDenied):
        batches.dispatch(session, batch, now=NOW, user=school_librarian)
    batches.dispatch(session, batch, now=NOW, user=w.librarian)
    with pytest.raises(PermissionDenied, match="Only Trường THCS B, where batch .* or Trung tâm"):
        batches.receive_copy(session, batch, "C0003", library=w.school2, now=NOW, user=school_librarian)
    with pytest.raises(PermissionDenied):
        batches.create_batch(session, origin=w.centre, stops=[(w.school, 30)], now=NOW, prepared_by=school_librarian)
    # the origin may receive for a school without an account
    batches.receive_copy(session, batch, "C0003", library=w.school2, now=NOW, user=w.librarian)


def test_the_district_office_changes_nothing(session, w, district):
    record = w.item("C0004").record
    with pytest.raises(PermissionDenied, match="district office account reads reports only"):
        lending.place_hold(session, reader=district, record=record, library=w.centre, now=NOW)
    with pytest.raises(PermissionDenied, match="district office"):
        lending.checkin(session, barcode="C0004", library=w.centre, now=NOW, staff=district)
    with pytest.raises(PermissionDenied, match="district office"):
        batches.create_batch(session, origin=w.centre, stops=[(w.school, 30)], now=NOW, prepared_by=district)

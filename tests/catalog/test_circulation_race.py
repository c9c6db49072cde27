"""Two desks at the same moment, on real connections in threads: exactly one checkout of a copy
succeeds, and exactly one of two batches gets a copy; the other gets a clear message. On
PostgreSQL this proves the row lock and the partial unique indexes; SQLite serialises writers."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from catalog.rotation import batches
from catalog.circulation import lending
from catalog.circulation.models import OPEN_HOLD_STATUSES, Hold, Loan
from catalog.errors import CatalogError
from catalog.libraries import get_library_by_code
from catalog.records.models import Record
from catalog.rotation.models import RotationItem
from catalog.accounts.users import find_user
from tests.catalog.test_circulation_support import NOW, build_world

ROUNDS = 5


def race(session_factory, action, count: int = 2) -> list[str]:
    """Run action(session, n) in `count` threads released together; each commits or rolls back."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = [""] * count

    def run(n: int) -> None:
        with session_factory() as session:
            barrier.wait()
            try:
                action(session, n)
                session.commit()
                outcomes[n] = "ok"
            except CatalogError as error:
                session.rollback()
                outcomes[n] = error.message

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def world(session):
    return build_world(session, copies=ROUNDS)


def test_two_desks_lend_the_same_copy_at_once(session_factory, session, world):
    for round_ in range(ROUNDS):
        barcode = f"C{round_:04d}"

        def lend(s, n):
            reader = find_user(s, "reader" if n == 0 else "pupil")
            lending.checkout(s, reader=reader, barcode=barcode, library=get_library_by_code(s, "TTVH"), now=NOW)

        outcomes = race(session_factory, lend)
        assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1, outcomes
        refusal = next(o for o in outcomes if o != "ok")
        assert barcode in refusal and ("on loan to another reader" in refusal or "at the same moment" in refusal)
        session.expire_all()
        assert session.scalar(select(func.count()).select_from(Loan).where(Loan.returned_at.is_(None))) == round_ + 1


def test_two_librarians_add_the_same_copy_to_two_batches_at_once(session_factory, session, world):
    pair = [batches.create_batch(session, origin=world.centre, stops=[(world.school, 30)], now=NOW) for _ in range(2)]
    session.commit()
    ids = [b.id for b in pair]
    for round_ in range(ROUNDS):
        barcode = f"C{round_:04d}"

        def add(s, n):
            batches.add_copy(s, batches.get_batch(s, ids[n]), barcode, now=NOW)

        outcomes = race(session_factory, add)
        assert outcomes.count("ok") == 1, outcomes
        refusal = next(o for o in outcomes if o != "ok")
        assert barcode in refusal and ("already in batch" in refusal or "at the same moment" in refusal)
        session.expire_all()
        assert session.scalar(select(func.count()).select_from(RotationItem).where(RotationItem.is_open)) == round_ + 1


def test_twenty_desks_place_the_same_hold_at_once(session_factory, session, world):
    """One reader, one title, twenty requests at once: one open hold; every other request is
    refused with a message saying the reader already has a hold on that title."""
    record_id = world.item("C0001").record_id

    def hold(s, n):
        lending.place_hold(s, reader=find_user(s, "reader"), record=s.get(Record, record_id),
                           library=get_library_by_code(s, "TTVH"), now=NOW)

    outcomes = race(session_factory, hold, count=20)
    assert outcomes.count("ok") == 1, outcomes
    refusals = [o for o in outcomes if o != "ok"]
    assert all(o.startswith("Lê Minh Đức already has a hold on “Sách số 1”") for o in refusals), refusals
    session.expire_all()
    open_holds = session.scalar(select(func.count()).select_from(Hold).where(
        Hold.reader_id == world.reader.id, Hold.record_id == record_id, Hold.status.in_(OPEN_HOLD_STATUSES)))
    assert open_holds == 1

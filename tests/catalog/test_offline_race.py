"""Two syncs of the same queue at the same moment, on real connections in threads (PostgreSQL's
row locks and unique index, SQLite's one writer): every action is applied exactly once."""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from catalog.circulation.models import Loan
from catalog.offline import sync
from catalog.offline.models import OfflineAction, SyncReport
from catalog.accounts.users import find_user
from tests.catalog.offline_support import action, device_for, queue
from tests.catalog.test_circulation_support import NOW, build_world


def test_the_same_queue_synced_twice_at_once_applies_each_action_once(session_factory, session):
    world = build_world(session, copies=12)
    device = device_for(session, world.centre, world.librarian)
    actions = [action("checkout", NOW + dt.timedelta(minutes=n), world.librarian, n + 1, card="BD1" if n % 2 else "HS1",
                      barcode=f"C{n:04d}") for n in range(10)]
    world.reader.library = world.pupil.library = world.centre
    session.commit()
    payload = queue(device, actions)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        with session_factory() as s:
            barrier.wait()
            try:
                sync.apply_queue(s, payload, staff=find_user(s, "lib"), now=NOW + dt.timedelta(days=1))
                s.commit()
            except BaseException as error:  # noqa: BLE001 (reported below)
                s.rollback()
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Loan)) == 10
    assert session.scalar(select(func.count()).select_from(OfflineAction)) == 10
    reports = list(session.scalars(select(SyncReport)))
    assert sorted((r.applied, r.duplicates) for r in reports) == [(0, 10), (10, 0)]

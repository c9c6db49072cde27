"""The database itself refuses a second open loan, a second open batch and a second open transit
for the same copy, and a second open hold of a reader on a title (not only the services)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from catalog.circulation.models import Hold, HoldStatus, Loan, Transit
from catalog.copies.items import add_item
from catalog.libraries import save_library
from catalog.records.models import RecordDraft, create_record
from catalog.rotation.models import RotationBatch, RotationItem
from catalog.accounts.users import Role, create_user

NOW = dt.datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def world(session):
    centre = save_library(session, code="C", name="Centre", kind="cultural_centre")
    school = save_library(session, code="S", name="School", kind="school")
    record = create_record(session, RecordDraft(title="Sách"))
    item = add_item(session, record, barcode="X1", library=centre)
    reader = create_user(session, "reader", role=Role.READER, password="long enough", card_barcode="R1")
    session.commit()
    return centre, school, item, reader


def test_one_open_loan_per_copy(session, world):
    centre, _school, item, reader = world
    due = NOW + dt.timedelta(days=14)
    session.add(Loan(item=item, reader=reader, library=centre, checked_out_at=NOW, due_at=due, returned_at=NOW))
    session.add(Loan(item=item, reader=reader, library=centre, checked_out_at=NOW, due_at=due))
    session.commit()  # a returned loan and an open one live side by side
    session.add(Loan(item=item, reader=reader, library=centre, checked_out_at=NOW, due_at=due))
    with pytest.raises(IntegrityError):
        session.commit()


def test_one_open_batch_per_copy(session, world):
    centre, school, item, _reader = world
    batches = [RotationBatch(code=f"B{n}", origin_library=centre, destination_library=school) for n in (1, 2)]
    session.add_all(batches)
    session.add(RotationItem(batch=batches[0], item=item, is_open=False))
    session.add(RotationItem(batch=batches[1], item=item, is_open=True))
    session.commit()
    session.add(RotationItem(batch=batches[0], item=item, is_open=True))
    with pytest.raises(IntegrityError):
        session.commit()


def test_one_open_transit_per_copy(session, world):
    centre, school, item, _reader = world
    session.add(Transit(item=item, from_library=centre, to_library=school, sent_at=NOW))
    session.commit()
    session.add(Transit(item=item, from_library=school, to_library=centre, sent_at=NOW))
    with pytest.raises(IntegrityError):
        session.commit()


def test_one_open_hold_per_reader_and_title(session, world):
    centre, _school, item, reader = world
    session.add(Hold(record=item.record, reader=reader, library=centre, placed_at=NOW, status=HoldStatus.COLLECTED))
    session.add(Hold(record=item.record, reader=reader, library=centre, placed_at=NOW, status=HoldStatus.WAITING))
    session.commit()  # a past hold and an open one live side by side
    session.add(Hold(record=item.record, reader=reader, library=centre, placed_at=NOW, status=HoldStatus.WAITING))
    with pytest.raises(IntegrityError):
        session.commit()


def test_the_migration_keeps_one_of_the_duplicate_holds_already_placed(db_url, engine, session, world):
    """Databases that already hold duplicates (placed by racing requests) still upgrade: the
    oldest open hold stays, a ready one first; the others are cancelled."""
    from alembic import command
    from sqlalchemy import text

    from app.schema import alembic_config

    centre, _school, item, reader = world
    ids = dict(record=item.record_id, reader=reader.id, library=centre.id)
    session.close()
    config = alembic_config(db_url)
    command.downgrade(config, "0900-1")
    rows = [("waiting", "2026-03-01 08:00:00"), ("ready", "2026-03-01 09:00:00"), ("waiting", "2026-03-01 07:00:00")]
    with engine.begin() as connection:
        for status, placed in rows:
            connection.execute(text("INSERT INTO hold (record_id, reader_id, library_id, placed_at, status) "
                                    "VALUES (:record, :reader, :library, :placed, :status)"),
                               dict(ids, placed=placed, status=status))
    command.upgrade(config, "heads")
    with engine.connect() as connection:
        statuses = connection.execute(text("SELECT status FROM hold ORDER BY id")).scalars().all()
    assert statuses == ["cancelled", "ready", "cancelled"]

"""The database itself refuses a second open loan, a second open batch and a second open transit
for the same copy (not only the services)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from catalog.circulation import Loan, Transit
from catalog.items import add_item
from catalog.libraries import save_library
from catalog.records import RecordDraft, create_record
from catalog.rotation import RotationBatch, RotationItem
from catalog.users import Role, create_user

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

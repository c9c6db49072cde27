"""The desk tally of visits and the record of events: validation, permissions, corrections kept."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog.reports.activity import VisitTally, get_tally, list_events, record_event, record_visits, suggested_kind
from catalog.errors import PermissionDenied, ValidationError
from catalog.libraries import LibraryKind, save_library
from catalog.accounts.users import Role, create_user

NOW = dt.datetime(2026, 5, 3, 9, 30)


@pytest.fixture
def place(session):
    centre = save_library(session, code="TT", name="Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
    village = save_library(session, code="PD", name="Phòng đọc thôn", kind=LibraryKind.VILLAGE_READING_ROOM,
                           parent=centre)
    school = save_library(session, code="TH", name="Trường tiểu học", kind=LibraryKind.SCHOOL)
    hai = create_user(session, "hai", role=Role.LIBRARIAN, password="12345678", library=centre)
    mai = create_user(session, "mai", role=Role.LIBRARIAN, password="12345678", library=school)
    district = create_user(session, "phong", role=Role.DISTRICT, password="12345678")
    session.commit()
    return {"centre": centre, "village": village, "school": school, "hai": hai, "mai": mai, "district": district}


def test_a_day_split_by_age_group_adds_up(session, place):
    tally, changed = record_visits(session, library=place["village"], day=dt.date(2026, 5, 2), user=place["hai"],
                                   now=NOW, groups={"children": "12", "adults": 30, "elderly": ""})
    session.commit()
    assert changed and tally.total == 42 and tally.groups == {"children": 12, "adults": 30}
    assert tally.recorded_by.username == "hai" and tally.revisions == []


def test_a_late_correction_keeps_the_old_figures_with_who_and_when(session, place):
    day = dt.date(2026, 4, 21)
    record_visits(session, library=place["centre"], day=day, user=place["hai"], now=NOW, total=50)
    session.commit()
    admin = create_user(session, "root", role=Role.ADMIN, password="12345678")
    later = NOW + dt.timedelta(days=9)
    tally, changed = record_visits(session, library=place["centre"], day=day, user=admin, now=later,
                                   groups={"children": 40, "adults": 25}, note="Sổ ghi thiếu lớp 5A")
    session.commit()
    assert changed and tally.total == 65
    [revision] = get_tally(session, place["centre"].id, day).revisions
    assert (revision.old_total, revision.old_groups) == (50, {})
    assert (revision.new_total, revision.new_groups) == (65, {"children": 40, "adults": 25})
    assert revision.changed_by.username == "root" and revision.changed_at == later
    assert revision.note == "Sổ ghi thiếu lớp 5A"
    assert tally.recorded_by.username == "hai" and tally.updated_by.username == "root"
    # The same figures again change nothing and add no revision.
    _tally, changed = record_visits(session, library=place["centre"], day=day, user=admin, now=later,
                                    total="65", groups={"children": 40, "adults": 25})
    assert not changed and len(tally.revisions) == 1
    assert session.scalar(select(func.count()).select_from(VisitTally)) == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"total": "mười"}, "“mười” is not a whole number"),
    ({"total": -3}, "-3 is out of range"),
    ({}, "Give the number of visitors"),
    ({"groups": {"babies": 3}}, "Unknown age group babies"),
    ({"total": 10, "groups": {"children": 4, "adults": 5}}, "add up to 9, not the total 10"),
    ({"total": 5, "day": dt.date(2026, 5, 4)}, "2026-05-04 is in the future"),
])
def test_bad_tallies_are_refused_with_a_clear_message(session, place, kwargs, message):
    day = kwargs.pop("day", dt.date(2026, 5, 1))
    with pytest.raises(ValidationError, match=message):
        record_visits(session, library=place["centre"], day=day, user=place["hai"], now=NOW, **kwargs)


def test_only_librarians_of_the_library_may_record(session, place):
    with pytest.raises(PermissionDenied):
        record_visits(session, library=place["centre"], day=dt.date(2026, 5, 1), user=place["mai"], now=NOW, total=3)
    with pytest.raises(PermissionDenied):
        record_event(session, library=place["school"], day=dt.date(2026, 5, 1), kind="club", title="CLB đọc sách",
                     attendance=9, user=place["district"], now=NOW)


def test_events_are_recorded_and_listed(session, place):
    assert suggested_kind(dt.date(2026, 4, 21)) == "reading_culture_day"
    record_event(session, library=place["village"], day=dt.date(2026, 4, 21), kind="reading_culture_day",
                 title="  Ngày Sách và Văn hóa đọc  ", attendance="120", audience="children", user=place["hai"], now=NOW)
    record_event(session, library=place["school"], day=dt.date(2026, 3, 2), kind="club", title="Câu lạc bộ đọc",
                 attendance=15, user=place["mai"], now=NOW)
    session.commit()
    events = list_events(session, {place["centre"].id, place["village"].id}, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [(e.title, e.attendance, e.recorded_by.username) for e in events] == [("Ngày Sách và Văn hóa đọc", 120, "hai")]
    with pytest.raises(ValidationError, match="needs a title"):
        record_event(session, library=place["village"], day=dt.date(2026, 4, 21), kind="club", title=" ",
                     attendance=1, user=place["hai"], now=NOW)
    with pytest.raises(ValidationError, match="Unknown kind of activity party"):
        record_event(session, library=place["village"], day=dt.date(2026, 4, 21), kind="party", title="x",
                     attendance=1, user=place["hai"], now=NOW)


def test_one_tally_per_library_and_day_even_under_concurrent_first_recordings(session_factory, place):
    """Two desks record the same new day at once: one row results, the other fails cleanly."""
    day, results, barrier = dt.date(2026, 5, 1), [], threading.Barrier(2)

    def desk(count: int) -> None:
        with session_factory() as session:
            library = session.get(type(place["centre"]), place["centre"].id)
            user = session.get(type(place["hai"]), place["hai"].id)
            barrier.wait()
            try:
                record_visits(session, library=library, day=day, user=user, now=NOW, total=count)
                session.commit()
                results.append("saved")
            except IntegrityError:
                session.rollback()
                results.append("conflict")

    threads = [threading.Thread(target=desk, args=(n,)) for n in (10, 20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(VisitTally)) == 1
    assert "saved" in results and len(results) == 2

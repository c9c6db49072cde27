"""Daily usage counters add up, per subject and in total."""
from __future__ import annotations

import datetime as dt

import pytest

from catalog.reports.usage import count_use, usage_total


def test_counters_add_up_per_day_and_subject(session):
    day = dt.date(2026, 4, 21)
    for _ in range(3):
        count_use(session, "read", day, "object:1")
    count_use(session, "read", day, "object:2", n=2)
    count_use(session, "read", day + dt.timedelta(days=1), "object:1")
    session.commit()
    assert usage_total(session, "read", day, day, "object:1") == 3
    assert usage_total(session, "read", day, day + dt.timedelta(days=1)) == 6
    assert usage_total(session, "download", day, day) == 0


def test_unknown_kind_is_refused(session):
    with pytest.raises(ValueError):
        count_use(session, "visits", dt.date.today())

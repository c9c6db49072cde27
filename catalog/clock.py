"""One clock: times are stored in UTC; the library's time zone decides what "today" is and how
a stored time reads. Catalog code takes the zone (or the date) as an argument; the app passes
its LIBRARY_TIMEZONE."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from catalog.db import utcnow

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


@lru_cache(maxsize=8)
def zone(name: str | None) -> ZoneInfo:
    """The named time zone (the library's default when none is given)."""
    return ZoneInfo(name or DEFAULT_ZONE)


def now() -> dt.datetime:
    """The current time in UTC, naive: the form every time is stored in."""
    return utcnow()


def local(value: dt.datetime, tz: str | None) -> dt.datetime:
    """A stored (naive UTC, or aware) time as the library's wall-clock time."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone(tz))


def today(tz: str | None, at: dt.datetime | None = None) -> dt.date:
    """The library's date at `at` (stored UTC; default now): a hold at 00:30 local is that day."""
    return local(at or now(), tz).date()


def day_starts(day: dt.date, tz: str | None) -> dt.datetime:
    """When the library's `day` begins, as a stored time (naive UTC): 1 January 2027 in Hanoi
    begins at 2026-12-31 17:00 UTC. For ranges over stored times: [day_starts(a), day_starts(b))."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone(tz)).astimezone(dt.UTC).replace(tzinfo=None)


def local_date(value: dt.date | dt.datetime, tz: str | None) -> dt.date:
    """The calendar day of a value: a date as it is, a stored time in the library's zone."""
    return local(value, tz).date() if isinstance(value, dt.datetime) else value

"""Dates as readers see them: one format (02/12/2026, 02/12/2026 00:30; "ngày 02 tháng 12 năm
2026" on formal documents), always in the library's time zone (LIBRARY_TIMEZONE)."""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app
from flask_babel import get_locale

from catalog import clock


def library_zone() -> str:
    """The library's time zone name (LIBRARY_TIMEZONE)."""
    return current_app.config["TIMEZONE"]


def library_today() -> dt.date:
    """Today where the library is: the one "today" of the web app and its reports."""
    return clock.today(library_zone())


def local_day(value: dt.date | dt.datetime) -> dt.date:
    """The library's calendar day of a stored time (to compare with library_today())."""
    return clock.local_date(value, library_zone())


def show_date(value: dt.date | dt.datetime | None) -> str:
    """02/12/2026; a stored time gives the library's date, never the UTC day before."""
    return clock.local_date(value, library_zone()).strftime("%d/%m/%Y") if value else ""


def show_time(value: dt.datetime | None) -> str:
    """02/12/2026 00:30 in the library's zone."""
    return clock.local(value, library_zone()).strftime("%d/%m/%Y %H:%M") if value else ""


def formal_date(value: dt.date | dt.datetime | None) -> str:
    """"ngày 02 tháng 12 năm 2026" (Vietnamese) or "02 December 2026", for signed documents."""
    if not value:
        return ""
    day = clock.local_date(value, library_zone())
    if str(get_locale() or "vi").startswith("vi"):
        return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    return day.strftime("%d %B %Y")


def init_app(app: Flask) -> None:
    """One zone for Babel too, and the date filters for templates."""
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.jinja_env.filters.update(date=show_date, datetime=show_time, formal_date=formal_date, local_day=local_day)
    app.jinja_env.globals["library_today"] = library_today

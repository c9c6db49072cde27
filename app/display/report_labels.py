"""Names of the report's figures, event kinds and age groups, in the interface language; and the
report as flat rows (section, figure, label, library, month, value) for CSV."""
from __future__ import annotations

import csv
import io

from flask_babel import lazy_gettext as _l

from app.display.labels import LANGUAGE
from catalog.reports.annual import YearReport

FIGURES = {
    "titles": _l("Titles"),
    "copies": _l("Copies"),
    "new_titles": _l("New titles acquired"),
    "new_copies": _l("New copies acquired"),
    "registered": _l("Registered readers"),
    "new": _l("New readers"),
    "new_readers": _l("New readers"),
    "readers": _l("Registered readers"),
    "active": _l("Active readers (borrowed)"),
    "in_person": _l("Visits in person"),
    "visits": _l("Visits in person"),
    "days_recorded": _l("Days with a tally"),
    "online_sessions": _l("Online sessions"),
    "searches": _l("Searches"),
    "record_views": _l("Records viewed"),
    "loans": _l("Loans"),
    "renewals": _l("Renewals"),
    "returns": _l("Returns"),
    "borrowers": _l("Borrowers"),
    "batches": _l("Rotation batches sent"),
    "copies_sent": _l("Copies sent"),
    "copies_received": _l("Copies received"),
    "copies_returned": _l("Copies returned"),
    "copies_lost": _l("Copies lost"),
    "school_loans_from_rotation": _l("Loans at schools from rotated books"),
    "objects": _l("Digital objects"),
    "pages": _l("Pages"),
    "reads": _l("Reads"),
    "downloads": _l("Downloads"),
    "events": _l("Activities and events"),
    "attendance": _l("Attendance"),
    "libraries_with_events": _l("Libraries with activities"),
    "library_use": _l("Library use"),
    "previous_library_use": _l("Library use the year before"),
    "growth": _l("Growth"),
}

SECTIONS = {
    "collection": _l("Collection"),
    "readers": _l("Readers"),
    "visits": _l("Visits"),
    "loans": _l("Loans and renewals"),
    "rotation": _l("Book rotation"),
    "digital": _l("Digital resources"),
    "events": _l("Activities and events"),
    "use": _l("Library use"),
    "month": _l("By month"),
    "library": _l("By library"),
}

EVENT_KINDS = {
    "reading_culture_day": _l("Vietnam Book and Reading Culture Day (21 April)"),
    "world_book_day": _l("World Book and Copyright Day (23 April)"),
    "lifelong_learning_week": _l("Lifelong-learning week (October)"),
    "museum_day": _l("International Museum Day"),
    "heritage_day": _l("Vietnam Cultural Heritage Day"),
    "club": _l("Club"),
    "class": _l("Class"),
    "exhibition": _l("Exhibition"),
    "storytelling": _l("Storytelling"),
    "competition": _l("Competition"),
    "other": _l("Other activity"),
}

AGE_GROUPS = {
    "children": _l("Children"),
    "youth": _l("Young people"),
    "adults": _l("Adults"),
    "elderly": _l("Older people"),
}

LANGUAGES = LANGUAGE  # one set of language names (app/display/labels.py)

TYPES = {"book": _l("Books"), "serial": _l("Serials"), "map": _l("Maps"), "music": _l("Music"),
         "sound": _l("Sound recordings"), "video": _l("Video"), "image": _l("Images"), "kit": _l("Kits"),
         "manuscript": _l("Manuscripts"), "computer_file": _l("Computer files"), "mixed": _l("Mixed materials"),
         "other": _l("Other")}

KINDS_OF_LIBRARY = {
    "cultural_centre": _l("Cultural centre"),
    "school": _l("School library"),
    "commune_library": _l("Commune library"),
    "post_office_point": _l("Post-office cultural point"),
    "village_reading_room": _l("Village reading room"),
    "other": _l("Other"),
}


def label(table: dict, key: str) -> str:
    """The translated name of a key, or the key itself when the table has none (configured values)."""
    return str(table[key]) if key in table else key


HEADER = ["section", "figure", "label", "library_code", "library_name", "month", "value"]
SECTION_FIELDS = {
    "collection": ("titles", "copies", "new_titles", "new_copies"),
    "readers": ("registered", "new", "active"),
    "visits": ("in_person", "days_recorded", "online_sessions", "searches", "record_views"),
    "loans": ("loans", "renewals", "returns", "borrowers"),
    "rotation": ("batches", "copies_sent", "copies_received", "copies_returned", "copies_lost",
                 "school_loans_from_rotation"),
    "digital": ("objects", "pages", "reads", "downloads"),
    "events": ("events", "attendance", "libraries_with_events"),
}
MONTH_FIELDS = ("visits", "online_sessions", "loans", "renewals", "new_copies", "new_readers", "events", "attendance")
LIBRARY_FIELDS = ("titles", "copies", "new_copies", "readers", "visits", "loans", "renewals", "events", "attendance")


def report_rows(report: YearReport) -> list[list]:
    """The report as rows under HEADER; empty values for figures kept only network-wide."""
    code, name = report.library_code or "", report.library_name or ""
    rows: list[list] = []

    def add(section, figure, text, value, library=(code, name), month=""):
        rows.append([section, figure, text, library[0], library[1], month, "" if value is None else value])

    sections = {"collection": report.collection, "readers": report.readers, "visits": report.visits,
                "loans": report.loans, "rotation": report.rotation, "digital": report.digital,
                "events": report.events}
    for section, fields in SECTION_FIELDS.items():
        figures = sections[section]
        for field in fields:
            add(section, field, label(FIGURES, field), getattr(figures, field) if figures else None)
    for item in report.collection.by_type:
        add("collection", f"type:{item.key}", f"{label(TYPES, item.key)} — {FIGURES['titles']}", item.titles)
        add("collection", f"type:{item.key}:copies", f"{label(TYPES, item.key)} — {FIGURES['copies']}", item.copies)
    for item in report.collection.by_language:
        add("collection", f"language:{item.key}", f"{label(LANGUAGES, item.key)} — {FIGURES['titles']}", item.titles)
        add("collection", f"language:{item.key}:copies", f"{label(LANGUAGES, item.key)} — {FIGURES['copies']}",
            item.copies)
    for group, count in report.visits.by_age_group.items():
        add("visits", f"age_group:{group}", label(AGE_GROUPS, group), count)
    for kind, (events, attendance) in report.events.by_kind.items():
        add("events", f"kind:{kind}", label(EVENT_KINDS, kind), events)
        add("events", f"kind:{kind}:attendance", f"{label(EVENT_KINDS, kind)} — {FIGURES['attendance']}", attendance)
    for field in ("library_use", "previous_library_use", "growth"):
        value = getattr(report, field)
        add("use", field, label(FIGURES, field), "no basis" if field == "growth" and value is None else value)
    for month in report.months:
        for field in MONTH_FIELDS:
            add("month", field, label(FIGURES, field), getattr(month, field), month=month.month)
    for row in report.libraries:
        for field in LIBRARY_FIELDS:
            add("library", field, label(FIGURES, field), getattr(row, field), library=(row.code, row.name))
    return rows


def report_csv(report: YearReport, *, bom: bool = True) -> str:
    """CSV text (UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(report_rows(report))
    return ("\ufeff" if bom else "") + out.getvalue()

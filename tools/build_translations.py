"""Build the Vietnamese catalogue: extract every string, fill it from app/translations/vi/*.py
(each area keeps a VI = {english: vietnamese} table), write messages.po and compile messages.mo.

The tables are the source of truth (one file per area, so parallel work never conflicts); the .po
and .mo files are build output. Prints the strings that still lack a translation and exits 1.
Usage: .venv/bin/python tools/build_translations.py [--check]
"""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "app/translations/vi"
OUT = TABLES / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}
METHODS = [("app/**.py", "python"), ("catalog/**.py", "python"), ("ingest/**.py", "python"),
           ("search_index/**.py", "python"), ("app/templates/**.html", "jinja2")]


def vietnamese_table() -> dict[str, str]:
    """Every area's table merged."""
    table: dict[str, str] = {}
    for path in sorted(TABLES.glob("*.py")):
        table.update(runpy.run_path(str(path))["VI"])
    return table


def extracted() -> dict[str, list[tuple[str, int]]]:
    """Message id -> where it is used."""
    found: dict[str, list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else message[0]
        if key:
            found.setdefault(key, []).append((filename, lineno))
    return found


def build() -> list[str]:
    table, messages = vietnamese_table(), extracted()
    catalog = Catalog(locale="vi", project="hoclieu", charset="utf-8")
    for key, locations in sorted(messages.items()):
        catalog.add(key, table.get(key, ""), locations=locations)
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "messages.po").open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    with (OUT / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return sorted(key for key in messages if not table.get(key))


if __name__ == "__main__":
    missing = build()
    for key in missing:
        print("untranslated:", key)
    sys.exit(1 if missing else 0)

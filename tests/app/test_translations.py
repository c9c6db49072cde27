"""Every interface string has a Vietnamese translation (Vietnamese first, English beside it)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}
METHODS = [("app/**.py", "python"), ("catalog/**.py", "python"), ("ingest/**.py", "python"),
           ("search_index/**.py", "python"), ("app/templates/**.html", "jinja2")]


def test_every_interface_string_is_translated_to_vietnamese():
    with (ROOT / "app/translations/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.string and not m.fuzzy}
    missing = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else message[0]
        if key and key not in translated:
            missing.add(key)
    assert sorted(missing) == [], "run `make extract-messages` and translate (tools/translate.py)"

"""Every interface string has a Vietnamese translation (Vietnamese first, English beside it)."""
from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_interface_string_is_translated_to_vietnamese():
    build = runpy.run_path(str(ROOT / "tools/build_translations.py"))
    table, messages = build["vietnamese_table"](), build["extracted"]()
    missing = sorted(key for key in messages if not table.get(key))
    assert missing == [], "add these to app/translations/vi/<area>.py"


def test_translation_keeps_placeholders():
    build = runpy.run_path(str(ROOT / "tools/build_translations.py"))
    broken = []
    for english, vietnamese in build["vietnamese_table"]().items():
        import re

        wanted = sorted(re.findall(r"\{\w*\}|%\(\w+\)s", english))
        if sorted(re.findall(r"\{\w*\}|%\(\w+\)s", vietnamese)) != wanted:
            broken.append(english)
    assert broken == []

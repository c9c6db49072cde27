"""One English string has one Vietnamese translation: the staff table never disagrees with
another area's table (the catalogue merges them, so a disagreement changes someone's page)."""
from __future__ import annotations

import runpy
from pathlib import Path

TABLES = Path(__file__).resolve().parents[2] / "app/translations/vi"


def test_staff_table_agrees_with_the_other_areas():
    mine = runpy.run_path(str(TABLES / "staff.py"))["VI"]
    clashes = []
    for path in sorted(TABLES.glob("*.py")):
        if path.name == "staff.py":
            continue
        for english, vietnamese in runpy.run_path(str(path))["VI"].items():
            if english in mine and mine[english] != vietnamese:
                clashes.append(f"{path.name}: {english!r}")
    assert clashes == []

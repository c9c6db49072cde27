"""The dependency direction of STYLE.md: nothing imports app; catalog imports SQLAlchemy and the
standard library only; only ingest imports pymarc and Pillow; the parts never touch Flask."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"app", "catalog", "ingest", "search_index", "config"}
ALLOWED = {
    "catalog": {"catalog"},
    "ingest": {"catalog", "ingest"},
    "search_index": {"catalog", "search_index"},
    "config": set(),
}
THIRD_PARTY = {"catalog": {"sqlalchemy"}, "config": set()}
ONLY_IN_INGEST = {"pymarc", "PIL", "pypdfium2"}
NEVER_OUTSIDE_APP = {"flask", "flask_login", "flask_wtf", "flask_babel", "werkzeug", "wtforms"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def python_files(part: str) -> list[Path]:
    if part == "config":
        return [ROOT / "config.py"]
    return sorted((ROOT / part).rglob("*.py"))


@pytest.mark.parametrize("part", ["catalog", "ingest", "search_index", "config"])
def test_parts_import_only_in_the_allowed_direction(part):
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    wrong = []
    for path in python_files(part):
        for name in imports_of(path):
            relative = path.relative_to(ROOT)
            if name in PROJECT and name not in ALLOWED[part]:
                wrong.append(f"{relative} imports {name}")
            if name in NEVER_OUTSIDE_APP:
                wrong.append(f"{relative} imports {name} (only app/ may use Flask)")
            if name in ONLY_IN_INGEST and part != "ingest":
                wrong.append(f"{relative} imports {name} (only ingest/ may)")
            if part in THIRD_PARTY and name not in stdlib and name not in PROJECT and name not in THIRD_PARTY[part]:
                wrong.append(f"{relative} imports third-party {name}")
    assert wrong == []


def test_nothing_outside_app_imports_app():
    offenders = [
        str(path.relative_to(ROOT))
        for part in ("catalog", "ingest", "search_index", "config")
        for path in python_files(part)
        if "app" in imports_of(path)
    ]
    assert offenders == []


def test_the_rule_catches_a_wrong_arrow(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from app.db import get_session\nimport flask\n")
    assert {"app", "flask"} <= imports_of(bad)

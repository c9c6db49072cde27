"""The house of STYLE.md, read from the source with ast:

- the parts import in one direction: nothing imports app; catalog imports SQLAlchemy and the
  standard library only; ingest and search_index import catalog, never each other's insides;
- no import cycle among the project's modules (module-level imports);
- no query in app/: no `select(`, no `.query(`, and no `.execute(` / `.scalars(` / `.scalar(` on a
  session (app/ calls services that take the session);
- no relative import anywhere (`from .x import y` hides where y lives);
- each third-party library in the part that owns it: whoosh in search_index/, pymarc, Pillow and
  pypdfium2 in ingest/, Flask and its family in app/;
- every module at its area's path (tools/restructure.py finds nothing to move or rewrite), and
  only the modules every area shares directly in catalog/ and app/.

Each rule has a test that feeds it a small offending source, so that a rule which can no longer
fail is seen. Tests themselves (tests/) may import what they test with."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("app", "catalog", "ingest", "search_index", "config")
PROJECT = set(PARTS)
ALLOWED = {
    "catalog": {"catalog"},
    "ingest": {"catalog", "ingest"},
    "search_index": {"catalog", "search_index"},
    "config": set(),
}
THIRD_PARTY = {"catalog": {"sqlalchemy"}, "config": set()}
FLASK_FAMILY = {"flask", "flask_login", "flask_wtf", "flask_babel", "werkzeug", "wtforms", "jinja2", "markupsafe"}
# Third-party name -> the part that alone may import it.
OWNERS = {"whoosh": "search_index", "pymarc": "ingest", "PIL": "ingest", "pypdfium2": "ingest",
          **{name: "app" for name in FLASK_FAMILY}}
# (file, library) pairs allowed outside their owner for now, each with the change that removes it.
OWNER_EXCEPTIONS: set[tuple[str, str]] = set()  # none: app/ reaches Whoosh only through search_index
QUERY_METHODS = {"execute", "scalars", "scalar", "query"}
# The only modules directly in catalog/ and app/: what every area shares. Anything else belongs in
# an area's package (add a line to tools/restructure.py's MOVES and run it).
FLAT_MODULES = {
    "catalog": {"__init__", "db", "errors", "text", "clock", "libraries", "audit", "models", "demo"},
    "app": {"__init__", "db", "errors", "hooks", "search", "schema"},
}
# Folders whose Python files must not use relative imports (everything of ours).
ALL_CODE = ("app", "catalog", "ingest", "search_index", "tests", "tools", "bench", "migrations", "deploy")


def python_files(part: str) -> list[Path]:
    if part == "config":
        return [ROOT / "config.py"]
    return sorted(p for p in (ROOT / part).rglob("*.py") if "__pycache__" not in p.parts)


def project_files() -> list[Path]:
    return [path for part in PARTS for path in python_files(part)]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str) -> set[str]:
    """Top-level names of everything imported anywhere in the source."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def module_level_imports(source: str, modules: set[str]) -> set[str]:
    """Project modules a module imports when it is imported (not inside functions, nor under
    `if TYPE_CHECKING:`): `from a.b import c` is a.b.c when that is a module, else a.b."""
    found = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    found.add(target if target in modules else node.module)
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.With):
                visit(node.body)

    visit(ast.parse(source).body)
    return found & modules


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def project_graph() -> dict[str, set[str]]:
    files = project_files()
    modules = {module_name(path) for path in files}
    return {module_name(path): module_level_imports(path.read_text(encoding="utf-8"), modules) - {module_name(path)}
            for path in files}


def queries_in(source: str) -> list[str]:
    """Database queries written in the source: select(...), .query(...), and .execute / .scalars /
    .scalar called on a session (a name holding "session", `db`, or get_session())."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "select" or isinstance(func, ast.Attribute) and func.attr == "select" \
                and isinstance(func.value, ast.Name) and func.value.id in ("sqlalchemy", "sa"):
            found.append(f"line {node.lineno}: select(")
        elif isinstance(func, ast.Attribute) and func.attr == "query":
            found.append(f"line {node.lineno}: .query(")
        elif isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS and is_session(func.value):
            found.append(f"line {node.lineno}: session.{func.attr}(")
    return found


def is_session(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return "session" in node.id.lower() or node.id == "db"
    if isinstance(node, ast.Attribute):
        return "session" in node.attr.lower()
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == "get_session" or \
            isinstance(node.func, ast.Attribute) and node.func.attr == "get_session"
    return False


def relative_imports_in(source: str) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom) and node.level]


def owner_violations(part: str, relative: str, source: str) -> list[str]:
    return [f"{relative} imports {name} (only {OWNERS[name]}/ may)" for name in sorted(imports_of(source))
            if name in OWNERS and OWNERS[name] != part and (relative, name) not in OWNER_EXCEPTIONS]


@pytest.mark.parametrize("part", ["catalog", "ingest", "search_index", "config"])
def test_parts_import_only_in_the_allowed_direction(part):
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    wrong = []
    for path in python_files(part):
        relative = path.relative_to(ROOT)
        for name in imports_of(path.read_text(encoding="utf-8")):
            if name in PROJECT and name not in ALLOWED[part]:
                wrong.append(f"{relative} imports {name}")
            if part in THIRD_PARTY and name not in stdlib and name not in PROJECT and name not in THIRD_PARTY[part]:
                wrong.append(f"{relative} imports third-party {name}")
    assert wrong == []


def test_nothing_outside_app_imports_app():
    offenders = [str(path.relative_to(ROOT)) for part in ("catalog", "ingest", "search_index", "config")
                 for path in python_files(part) if "app" in imports_of(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_direction_rule_catches_a_wrong_arrow():
    assert {"app", "flask"} <= imports_of("from app.db import get_session\nimport flask\n")


def test_no_import_cycle_among_project_modules():
    assert import_cycles(project_graph()) == []


def test_the_cycle_rule_catches_a_circle():
    modules = {"app.views.staff", "app.views.staff_copies", "app.db"}
    staff = module_level_imports("from app.db import get_session\n"
                                 "from app.views import staff_copies  # noqa\n", modules)
    copies = module_level_imports("from app.views.staff import bp\n"
                                  "def later():\n    from app.db import get_session\n", modules)
    assert staff == {"app.db", "app.views.staff_copies"} and copies == {"app.views.staff"}
    graph = {"app.views.staff": staff, "app.views.staff_copies": copies, "app.db": set()}
    assert import_cycles(graph) == [["app.views.staff", "app.views.staff_copies"]]
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_project_graph_is_read():
    graph = project_graph()
    assert "app.views.staff.copies" in graph["app.views"]
    assert "catalog.db" in graph["catalog.circulation.models"]


def test_no_query_in_app():
    offenders = {str(path.relative_to(ROOT)): found for path in python_files("app")
                 if (found := queries_in(path.read_text(encoding="utf-8")))}
    assert offenders == {}


@pytest.mark.parametrize("source", [
    "from sqlalchemy import select\nrows = get_session().scalars(select(Item)).all()\n",
    "import sqlalchemy\nsqlalchemy.select(Item)\n",
    "items = session.query(Item).all()\n",
    "db = get_session()\ndb.execute(statement)\n",
    "total = get_session().scalar(statement)\n",
    "self.session.execute(statement)\n",
])
def test_the_query_rule_catches_a_query(source):
    assert queries_in(source)


def test_the_query_rule_lets_services_and_other_connections_be():
    assert queries_in("items = list_items(get_session(), library)\nconnection.execute('BEGIN IMMEDIATE')\n"
                      "user = get_session().get(User, 1)\n") == []


def test_no_relative_import_anywhere():
    offenders = [f"{path.relative_to(ROOT)}:{line}" for folder in ALL_CODE if (ROOT / folder).is_dir()
                 for path in python_files(folder) for line in relative_imports_in(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_relative_import_rule_catches_one():
    assert relative_imports_in("from . import lending\nfrom .models import Loan\nfrom catalog.db import Base\n") == [1, 2]


def test_third_party_libraries_stay_with_their_owner():
    wrong = [line for part in PARTS for path in python_files(part)
             for line in owner_violations(part, str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))]
    assert wrong == []


@pytest.mark.parametrize("part, source, library", [
    ("app", "from whoosh.index import open_dir\n", "whoosh"),
    ("catalog", "import pymarc\n", "pymarc"),
    ("search_index", "from PIL import Image\n", "PIL"),
    ("app", "import pypdfium2 as pdfium\n", "pypdfium2"),
    ("ingest", "from flask import current_app\n", "flask"),
    ("search_index", "from werkzeug.utils import secure_filename\n", "werkzeug"),
])
def test_the_owner_rule_catches_a_library_out_of_place(part, source, library):
    assert owner_violations(part, "x.py", source) == [f"x.py imports {library} (only {OWNERS[library]}/ may)"]
    assert owner_violations(OWNERS[library], "x.py", source) == []


def flat_strays(part: str, names: set[str]) -> list[str]:
    return sorted(f"{part}/{name}.py" for name in names - FLAT_MODULES[part])


@pytest.mark.parametrize("part", sorted(FLAT_MODULES))
def test_only_shared_modules_lie_flat(part):
    assert flat_strays(part, {path.stem for path in (ROOT / part).glob("*.py")}) == []


def test_the_flat_rule_catches_a_stray():
    assert flat_strays("catalog", {"db", "fines"}) == ["catalog/fines.py"]


def test_every_module_is_at_its_areas_path():
    """tools/restructure.py --check: nothing left at an old path, no reference to an old name."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import restructure
    finally:
        sys.path.remove(str(ROOT / "tools"))
    problems: list[str] = []
    changes: list[str] = []
    restructure.move_modules(True, problems, changes)
    restructure.rewrite_files(True, problems, changes)
    assert (changes, problems) == ([], [])


def test_the_layout_rule_catches_an_old_name():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import restructure
    finally:
        sys.path.remove(str(ROOT / "tools"))
    old = "from catalog.lending import checkout\nfrom catalog import items\nhost = 'catalog.users.find_user'\n"
    assert restructure.rewrite_python(old) == ("from catalog.circulation.lending import checkout\n"
                                               "from catalog.copies import items\n"
                                               "host = 'catalog.accounts.users.find_user'\n")
    assert restructure.rewrite_python(restructure.rewrite_python(old)) == restructure.rewrite_python(old)

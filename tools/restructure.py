"""Move modules to their area's package and rewrite every reference to them (issue 15).

MOVES below is the whole plan: old dotted module -> new dotted module. The script
1. `git mv`s each module still at its old path (creating the packages on the way, each with a
   one-line docstring `__init__.py`);
2. rewrites every reference in the repository's .py files (imports of every form, string
   references such as monkeypatch targets and logger names, comments and docstrings) and in the
   docs and settings that name modules or paths (README, docs/, deploy/, Makefile, *.cfg, *.toml);
3. is idempotent: run again, on a tree where other work added files under the old names, it
   moves and rewrites those and changes nothing else.

Usage (from anywhere inside the repository):
    .venv/bin/python tools/restructure.py            # move and rewrite
    .venv/bin/python tools/restructure.py --check    # say what would change; exit 1 if anything

A file Python cannot parse (a merge conflict left in it) is not rewritten: it is named at the end
and the exit status is 1. So is a module found at both its old and its new path.
"""
from __future__ import annotations

import argparse
import ast
import functools
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MOVES: dict[str, str] = {
    # catalog/records: bibliographic records, cataloguing, duplicates, imports, what the index reads
    "catalog.records": "catalog.records.models",
    "catalog.cataloguing": "catalog.records.cataloguing",
    "catalog.detail": "catalog.records.detail",
    "catalog.merge": "catalog.records.merge",
    "catalog.imports": "catalog.records.imports",
    "catalog.indexing": "catalog.records.indexing",
    # catalog/copies: physical copies and their management by staff
    "catalog.items": "catalog.copies.items",
    "catalog.copies": "catalog.copies.management",
    # catalog/circulation: loans, holds, transits, loan rules, desk lists
    "catalog.circulation": "catalog.circulation.models",
    "catalog.lending": "catalog.circulation.lending",
    "catalog.loan_rules": "catalog.circulation.loan_rules",
    "catalog.loan_lists": "catalog.circulation.loan_lists",
    # catalog/rotation: batches sent round the schools
    "catalog.rotation": "catalog.rotation.models",
    "catalog.batches": "catalog.rotation.batches",
    "catalog.batch_steps": "catalog.rotation.batch_steps",
    "catalog.rotation_history": "catalog.rotation.history",
    # catalog/reports: the yearly figures and what they count
    "catalog.reports": "catalog.reports.annual",
    "catalog.report_figures": "catalog.reports.figures",
    "catalog.report_loans": "catalog.reports.loans",
    "catalog.report_plan": "catalog.reports.plan",
    "catalog.activity": "catalog.reports.activity",
    "catalog.usage": "catalog.reports.usage",
    "catalog.overview": "catalog.reports.overview",
    # catalog/accounts: people, roles, sign-in, who may do what
    "catalog.users": "catalog.accounts.users",
    "catalog.readers": "catalog.accounts.readers",
    "catalog.sign_in": "catalog.accounts.sign_in",
    "catalog.permissions": "catalog.accounts.permissions",
    # catalog/digital: digital objects, pages, the licence rule
    "catalog.digital": "catalog.digital.models",
    # catalog/jobs: background jobs, scheduled rules, helper processes
    "catalog.jobs": "catalog.jobs.models",
    "catalog.operations": "catalog.jobs.operations",
    "catalog.processes": "catalog.jobs.processes",
    "catalog.bulk": "catalog.jobs.bulk",
    "catalog.housekeeping": "catalog.jobs.housekeeping",
    # ingest: the MARC editor beside the rest of MARC
    "ingest.marc_edit": "ingest.marc.edit",
    # app/cli: the command line
    "app.cli": "app.cli.commands",
    "app.cli_marc": "app.cli.marc",
    "app.cli_report": "app.cli.report",
    "app.cli_scans": "app.cli.scans",
    "app.cli_search": "app.cli.search",
    "app.cli_users": "app.cli.users",
    "app.cli_worker": "app.cli.worker",
    # app/pdf: every printed document
    "app.handover_pdf": "app.pdf.handover",
    "app.report_pdf": "app.pdf.report",
    "app.views.staff_pdf": "app.pdf.labels_and_cards",
    # app/background: the task queue, its tasks, jobs and schedules
    "app.queue": "app.background.queue",
    "app.tasks": "app.background.tasks",
    "app.jobs": "app.background.jobs",
    "app.schedules": "app.background.schedules",
    "app.marc_runs": "app.background.marc_runs",
    # app/display: how codes, dates, links and charts read in the interface language
    "app.labels": "app.display.labels",
    "app.history_labels": "app.display.history_labels",
    "app.report_labels": "app.display.report_labels",
    "app.report_charts": "app.display.report_charts",
    "app.form_messages": "app.display.form_messages",
    "app.dates": "app.display.dates",
    "app.links": "app.display.links",
    "app.i18n": "app.display.i18n",
    # app/web: what every request goes through
    "app.auth": "app.web.auth",
    "app.security": "app.web.security",
    "app.assets": "app.web.assets",
    "app.ratelimit": "app.web.ratelimit",
    "app.params": "app.web.params",
    "app.usage": "app.web.usage",
    # app/ops: what an operator watches
    "app.health": "app.ops.health",
    "app.operations": "app.ops.checks",
    "app.logs": "app.ops.logs",
    # app/views/staff: the staff blueprint's pages
    "app.views.staff": "app.views.staff.records",
    "app.views.staff_copies": "app.views.staff.copies",
    "app.views.staff_readers": "app.views.staff.readers",
    "app.views.staff_forms": "app.views.staff.forms",
    # added at the merge of issue 16 and 17's branches (duplicates queue, SRU, harvesting)
    "catalog.duplicates": "catalog.records.duplicates",
    "catalog.duplicate_keys": "catalog.records.duplicate_keys",
    "catalog.duplicate_decisions": "catalog.records.duplicate_decisions",
    "catalog.sharing": "catalog.records.sharing",
    "app.cli_harvest": "app.cli.harvest",
    "app.harvest_runs": "app.background.harvest_runs",
    "app.linked_data": "app.display.linked_data",
    "app.sru": "app.views.sru",
}

# Names that moved from one module to another: (old module, name) -> (new module, new name).
SYMBOL_MOVES: dict[tuple[str, str], tuple[str, str]] = {
    ("ingest.marc.mapping", "marc_from_draft"): ("ingest.marc.writeback", "write_draft"),
    ("ingest.marc.mapping", "marc_json_to_record"): ("ingest.marc.marcjson", "marc_json_to_record"),
    ("ingest.marc.mapping", "record_to_marc_json"): ("ingest.marc.marcjson", "record_to_marc_json"),
    # one "today" (catalog/clock.py through app/display/dates.py), no aliases of it
    ("app.usage", "today"): ("app.display.dates", "library_today"),
    ("app.web.usage", "today"): ("app.display.dates", "library_today"),
    # blueprints live in app/views: the sign-in pages and the job pages moved there
    ("app.auth", "bp"): ("app.views.auth", "bp"),
    ("app.auth", "LoginForm"): ("app.views.auth", "LoginForm"),
    ("app.auth", "login"): ("app.views.auth", "login"),
    ("app.auth", "logout"): ("app.views.auth", "logout"),
    ("app.auth", "_safe_next"): ("app.views.auth", "_safe_next"),
    ("app.web.auth", "bp"): ("app.views.auth", "bp"),
    ("app.web.auth", "LoginForm"): ("app.views.auth", "LoginForm"),
    ("app.web.auth", "login"): ("app.views.auth", "login"),
    ("app.web.auth", "logout"): ("app.views.auth", "logout"),
    ("app.web.auth", "_safe_next"): ("app.views.auth", "_safe_next"),
    ("app.jobs", "bp"): ("app.views.jobs", "bp"),
    ("app.jobs", "visible_job"): ("app.views.jobs", "visible_job"),
    ("app.jobs", "public_message"): ("app.views.jobs", "public_message"),
    ("app.jobs", "job_page"): ("app.views.jobs", "job_page"),
    ("app.jobs", "job_json"): ("app.views.jobs", "job_json"),
    ("app.jobs", "retry"): ("app.views.jobs", "retry"),
    ("app.background.jobs", "bp"): ("app.views.jobs", "bp"),
    ("app.background.jobs", "visible_job"): ("app.views.jobs", "visible_job"),
    ("app.background.jobs", "public_message"): ("app.views.jobs", "public_message"),
    ("app.background.jobs", "job_page"): ("app.views.jobs", "job_page"),
    ("app.background.jobs", "job_json"): ("app.views.jobs", "job_json"),
    ("app.background.jobs", "retry"): ("app.views.jobs", "retry"),
}

# The one-line docstring of each package the moves create.
PACKAGE_DOCS: dict[str, str] = {
    "catalog.records": "Bibliographic records: the model, cataloguing, duplicates and merging, import runs, what the index reads.",
    "catalog.copies": "Physical copies: the model, barcodes, status and location changes by staff.",
    "catalog.circulation": "Circulation: loans, holds, transits and their events; loan rules; the desk's and reader's lists.",
    "catalog.rotation": "Book rotation: batches of copies sent round the schools and points, step by step, and their history.",
    "catalog.reports": "The yearly figures the district reports, the plan's targets, and what they count.",
    "catalog.accounts": "People: accounts and roles, readers managed by staff, sign-in limits, who may act on what.",
    "catalog.digital": "Digital objects (scans, PDFs), their pages and page text, and the licence rule.",
    "catalog.jobs": "Background jobs and their leases, rules run on a schedule, helper processes, bulk settings.",
    "app.cli": "The command line: flask --app app COMMAND.",
    "app.pdf": "Printed documents: labels and reader cards, handover records, the annual report.",
    "app.background": "Work off the request: the task queue, its tasks, background jobs, schedules.",
    "app.display": "How the interface says things: code labels, dates, links, charts, translations.",
    "app.web": "What every request goes through: sign-in and roles, security headers, assets, limits, usage counts.",
    "app.ops": "What an operator watches: health checks, the detail page, structured logs.",
    "app.views.staff": "The staff blueprint (/staff): cataloguing, copies, readers and accounts.",
}

# Old modules whose dotted name is also a Flask attribute (`app.cli.add_command`): in prose and
# strings they are rewritten only when named alone.
AMBIGUOUS = {"app.cli"}
ROOTS = ("catalog", "app", "ingest", "search_index")
TEXT_SUFFIXES = {".md", ".cfg", ".toml", ".ini", ".conf", ".service", ".example", ".txt", ".yml", ".yaml"}
TEXT_NAMES = {"Makefile", "run"}
SKIP = {"tools/restructure.py", "tests/test_architecture.py"}  # this one names old modules on purpose

DOTTED = re.compile(r"(?<![\w.])((?:%s)(?:\.[A-Za-z_]\w*)+)" % "|".join(ROOTS))
PATHS = re.compile(r"(?<![\w/.])((?:%s)/[\w/]+\.py)\b" % "|".join(ROOTS))


def module_path(module: str) -> str:
    return module.replace(".", "/") + ".py"


OLD_PATHS = {module_path(old): module_path(new) for old, new in MOVES.items()}


@functools.lru_cache(maxsize=None)
def new_children(package: str) -> set[str]:
    """Names under `package` in the new layout: modules the moves put there and what is on disk."""
    names = {new.rsplit(".", 1)[1] for new in MOVES.values() if new.rsplit(".", 1)[0] == package}
    folder = ROOT / package.replace(".", "/")
    if folder.is_dir():
        names |= {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
    return names


def resolve(dotted: str) -> str | None:
    """The new name of a dotted reference to an old module (or something in it); None if current."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        key = ".".join(parts[:cut])
        if key in MOVES:
            rest = parts[cut:]
            if rest and rest[0] in new_children(key):
                return None  # already the new layout: key is now a package
            if len(rest) >= 1 and (key, rest[0]) in SYMBOL_MOVES:
                module, name = SYMBOL_MOVES[(key, rest[0])]
                return ".".join([module, name, *rest[1:]])
            return ".".join([MOVES[key], *rest])
        if cut < len(parts) and (key, parts[cut]) in SYMBOL_MOVES:
            module, name = SYMBOL_MOVES[(key, parts[cut])]
            return ".".join([module, name, *parts[cut + 1:]])
    return None


def rewrite_prose(text: str) -> str:
    """Dotted module names and file paths in comments, docstrings, strings and docs."""
    def dotted(match: re.Match) -> str:
        name = match.group(1)
        for key in AMBIGUOUS:  # app.cli.add_command is Flask's, app.cli.marc ours
            if name.startswith(key + ".") and name.split(".")[len(key.split("."))] not in new_children(key):
                return name
        return resolve(name) or name

    text = DOTTED.sub(dotted, text)
    return PATHS.sub(lambda m: OLD_PATHS.get(m.group(1), m.group(1)), text)


class Edits:
    """Replacements by character span, applied from the end (ast gives UTF-8 byte columns)."""

    def __init__(self, source: str):
        self.source = source
        self.lines = re.findall(r"[^\n]*\n|[^\n]+$", source)  # lines as ast and tokenize count them
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.spans: list[tuple[int, int, str]] = []

    def at(self, line: int, byte_col: int) -> int:
        return self.starts[line - 1] + len(self.lines[line - 1].encode()[:byte_col].decode(errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.at(node.lineno, node.col_offset), self.at(node.end_lineno, node.end_col_offset)

    def replace(self, start: int, end: int, text: str) -> None:
        if self.source[start:end] != text:
            self.spans.append((start, end, text))

    def apply(self) -> str:
        out = self.source
        for start, end, text in sorted(self.spans, reverse=True):
            out = out[:start] + text + out[end:]
        return out


def from_targets(module: str, alias: ast.alias) -> tuple[str, str, str | None]:
    """Where `from module import alias` points now: (module, name, as-name)."""
    name, asname = alias.name, alias.asname
    if (module, name) in SYMBOL_MOVES:
        new_module, new_name = SYMBOL_MOVES[(module, name)]
        return new_module, new_name, asname or (name if new_name != name else None)
    if module in MOVES and name not in new_children(module):
        return MOVES[module], name, asname
    if f"{module}.{name}" in MOVES:
        parent, leaf = MOVES[f"{module}.{name}"].rsplit(".", 1)
        return parent, leaf, asname or (name if leaf != name else None)
    if module not in MOVES:
        moved = resolve(module)
        if moved:
            return moved, name, asname
    return module, name, asname


def import_statement(node: ast.ImportFrom, original: str, indent: str) -> str | None:
    """The statement rewritten, or None when it already names the new layout."""
    targets = [from_targets(node.module, alias) for alias in node.names]
    if all(t == (node.module, a.name, a.asname) for t, a in zip(targets, node.names)):
        return None
    modules = {t[0] for t in targets}
    if len(modules) == 1 and all(t[1:] == (a.name, a.asname) for t, a in zip(targets, node.names)):
        # one new module, same names: change the module only, keep the layout and comments
        return re.sub(r"^from\s+" + re.escape(node.module) + r"\b", "from " + modules.pop(), original, count=1)
    groups: dict[str, list[str]] = {}
    for module, name, asname in targets:
        groups.setdefault(module, []).append(f"{name} as {asname}" if asname and asname != name else name)
    lines = []
    for module, names in groups.items():
        line = f"from {module} import {', '.join(names)}"
        if len(indent + line) > 120:
            line = f"from {module} import (\n" + "".join(f"{indent}    {n},\n" for n in names) + f"{indent})"
        lines.append(line)
    comment = re.search(r"#[^\n]*", original)
    if comment:  # a comment inside the parentheses goes on the first line; a `# noqa` on every line
        for i, line in enumerate(lines if "noqa" in comment.group(0) else lines[:1]):
            first, _, rest = line.partition("\n")
            lines[i] = first + "  " + comment.group(0) + ("\n" + rest if rest else "")
    return ("\n" + indent).join(lines)


def rewrite_python(source: str) -> str:
    tree = ast.parse(source)
    edits = Edits(source)
    plain_imports: set[str] = set()
    import_spans: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            start, end = edits.span(node)
            import_spans.append((start, end))
            text = import_statement(node, source[start:end], " " * node.col_offset)
            if text is not None:
                edits.replace(start, end, text)
        elif isinstance(node, ast.Import):
            start, end = edits.span(node)
            import_spans.append((start, end))
            parts, changed = [], False
            for alias in node.names:
                new = resolve(alias.name)
                if new:
                    changed = True
                    if alias.asname is None:
                        plain_imports.add(alias.name)
                parts.append((new or alias.name) + (f" as {alias.asname}" if alias.asname else ""))
            if changed:
                edits.replace(start, end, "import " + ", ".join(parts))

    # Strings and comments: module names and paths (monkeypatch targets, loggers, docstrings).
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.STRING, tokenize.COMMENT):
            continue
        start = edits.starts[token.start[0] - 1] + token.start[1]
        end = edits.starts[token.end[0] - 1] + token.end[1]
        if any(s <= start < e for s, e in import_spans):
            continue
        edits.replace(start, end, rewrite_prose(token.string))
    out = edits.apply()
    for old in sorted(plain_imports, key=len, reverse=True):  # `import catalog.lending`, then catalog.lending.x
        out = re.sub(r"(?<![\w.])" + re.escape(old) + r"(?![\w])", lambda m: resolve(old) or old, out)
    return out


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\n")
    return sorted({name for name in listed if name and (ROOT / name).is_file()})


def is_tracked(path: str) -> bool:
    return subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=ROOT, capture_output=True).returncode == 0


def move_modules(check: bool, problems: list[str], changes: list[str]) -> None:
    for old, new in MOVES.items():
        old_path, new_path = ROOT / module_path(old), ROOT / module_path(new)
        if not old_path.exists():
            continue
        if new_path.exists():
            problems.append(f"{module_path(old)} and {module_path(new)} both exist: merge them by hand")
            continue
        changes.append(f"move {module_path(old)} -> {module_path(new)}")
        if check:
            continue
        ensure_package(new.rsplit(".", 1)[0])
        if is_tracked(module_path(old)):
            subprocess.run(["git", "mv", module_path(old), module_path(new)], cwd=ROOT, check=True)
        else:
            old_path.rename(new_path)


def ensure_package(package: str) -> None:
    parts = package.split(".")
    for depth in range(1, len(parts) + 1):
        folder = ROOT.joinpath(*parts[:depth])
        folder.mkdir(exist_ok=True)
        init = folder / "__init__.py"
        if not init.exists():
            doc = PACKAGE_DOCS.get(".".join(parts[:depth]), f"The {parts[depth - 1]} package.")
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            subprocess.run(["git", "add", str(init.relative_to(ROOT))], cwd=ROOT, check=True)


def rewrite_files(check: bool, problems: list[str], changes: list[str]) -> None:
    for name in tracked_files():
        if name in SKIP or name.startswith((".venv/", "instance/")):
            continue
        path = ROOT / name
        if path.suffix == ".py":
            kind = "python"
        elif path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
            kind = "text"
        else:
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if kind == "python":
            try:
                new = rewrite_python(source)
            except (SyntaxError, tokenize.TokenError, ValueError) as error:
                problems.append(f"{name}: not rewritten, Python cannot read it ({error})")
                continue
        else:
            new = rewrite_prose(source)
        if new != source:
            changes.append(f"rewrite {name}")
            if not check:
                path.write_text(new, encoding="utf-8")


def check_plan() -> None:
    olds, news = set(MOVES), list(MOVES.values())
    assert len(set(news)) == len(news), "two modules moved to one name"
    clash = {module_path(n) for n in news} & {module_path(o) for o in olds}
    assert not clash, f"a new path is an old one: {clash}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="say what would change, change nothing")
    args = parser.parse_args(argv)
    check_plan()
    problems: list[str] = []
    changes: list[str] = []
    move_modules(args.check, problems, changes)
    new_children.cache_clear()
    rewrite_files(args.check, problems, changes)
    for line in changes:
        print(("would " if args.check else "") + line)
    for line in problems:
        print("PROBLEM: " + line, file=sys.stderr)
    if not changes and not problems:
        print("nothing to do: every module is at its new path and every reference names it")
    return 1 if problems or (args.check and changes) else 0


if __name__ == "__main__":
    sys.exit(main())

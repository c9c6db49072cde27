"""Command-line interface: flask --app app COMMAND (see shared/CONTRACT.md). init-db and demo-data
are here; init_app registers them with the commands of the other app/cli modules."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.cli.report import report
from app.cli.scans import ingest_scans_command
from app.cli.search import check_index_command, reindex_command, sync_index_command
from app.cli.switching import switch_search_backend_command
from app.cli.users import COMMANDS as USER_COMMANDS
from app.cli.worker import worker_command
from app.display.dates import library_today
from app.hooks import after_commit
from app.schema import upgrade
from catalog import demo
from catalog.demo import is_database_empty, is_demo_loaded, load_demo
from ingest.marc.export import fill_missing_marc


def init_app(app: Flask) -> None:
    from app.cli.harvest import COMMANDS as HARVEST_COMMANDS
    from app.cli.marc import COMMANDS as MARC_COMMANDS

    commands = (init_db, demo_data, reindex_command, sync_index_command, check_index_command, report, *MARC_COMMANDS,
                ingest_scans_command, *USER_COMMANDS, worker_command, *HARVEST_COMMANDS,
                switch_search_backend_command)
    for command in commands:
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    upgrade(current_app.extensions["engine"])
    click.echo("Database is at the newest schema.")


@click.command("demo-data")
@with_appcontext
@click.option("--records", default=300, show_default=True, help="How many demo records.")
@click.option("--demo", "is_demo", is_flag=True, help="This instance is a demo (also LIBRARY_DEMO=1).")
def demo_data(records: int, is_demo: bool) -> None:
    """Load the demo library (once; running it again changes nothing). Its accounts have a
    published password, so it loads only on a demo instance: --demo, LIBRARY_DEMO=1, or an
    empty database while debugging."""
    upgrade(current_app.extensions["engine"])
    with current_app.extensions["session_factory"].begin() as session:
        if not is_demo_loaded(session) and not _is_demo_instance(session, is_demo):
            raise click.ClickException(
                "demo-data refused: it creates accounts (admin among them) with the published password "
                f"{demo.DEMO_PASSWORD!r}, and this does not look like a demo instance (the database holds data, "
                "or debug is off). Run `demo-data --demo` or set LIBRARY_DEMO=1 only on a demo instance.")
        loaded = load_demo(session, count=records, today=library_today())
        if loaded:
            fill_missing_marc(session)
    after_commit(current_app)
    click.echo("Demo library loaded." if loaded else "Demo library is already loaded; nothing changed.")
    click.echo("Demo accounts (password for all: %s):" % demo.DEMO_PASSWORD)
    for username, role, library, name, _card in demo.ACCOUNTS:
        click.echo(f"  {username:<18} {role.value:<11} {library or '-':<12} {name}")


def _is_demo_instance(session, is_demo: bool) -> bool:
    """A demo: said so (flag or LIBRARY_DEMO), or an empty database while debugging or testing."""
    config = current_app.config
    if is_demo or str(config.get("DEMO", "")).lower() in ("1", "true", "yes"):
        return True
    return (current_app.debug or current_app.testing) and is_database_empty(session)

"""Command-line interface: flask --app app COMMAND (see shared/CONTRACT.md)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.cli_report import report
from app.cli_scans import ingest_scans_command
from app.cli_search import check_index_command, reindex_command
from app.cli_users import create_user_command
from app.cli_worker import worker_command
from app.hooks import after_commit
from app.schema import upgrade
from catalog import demo
from catalog.demo import load_demo
from ingest.marc.export import fill_missing_marc


def init_app(app: Flask) -> None:
    from app.cli_marc import COMMANDS as MARC_COMMANDS

    commands = (init_db, demo_data, reindex_command, check_index_command, report, *MARC_COMMANDS, ingest_scans_command,
                create_user_command, worker_command)
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
def demo_data(records: int) -> None:
    """Load the demo library (once; running it again changes nothing)."""
    upgrade(current_app.extensions["engine"])
    with current_app.extensions["session_factory"].begin() as session:
        loaded = load_demo(session, count=records)
        if loaded:
            fill_missing_marc(session)
    after_commit(current_app)
    click.echo("Demo library loaded." if loaded else "Demo library is already loaded; nothing changed.")
    click.echo("Demo accounts (password for all: %s):" % demo.DEMO_PASSWORD)
    for username, role, library, name, _card in demo.ACCOUNTS:
        click.echo(f"  {username:<18} {role.value:<11} {library or '-':<12} {name}")

"""import-dc: Dublin Core files (OAI-PMH responses, DC XML, CSV), with import-marc's report,
quarantine and exit codes (shared/CONTRACT.md)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.marc import _print_report
from app.background.harvest_runs import run_dc_import
from catalog.errors import CatalogError


@click.command("import-dc")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object on the last line.")
@with_appcontext
def import_dc_command(files: tuple[Path, ...], as_json: bool) -> None:
    """Import Dublin Core: OAI-PMH ListRecords/GetRecord responses, DC XML or CSV with DC columns."""
    try:
        summary = run_dc_import(current_app._get_current_object(), list(files))
    except CatalogError as exc:
        raise click.ClickException(exc.message) from None
    _print_report(summary, as_json)
    if summary.refused:
        sys.exit(1)


COMMANDS = (import_dc_command,)

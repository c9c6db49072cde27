"""MARC commands: import-marc and export-marc (shared/CONTRACT.md)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.background.marc_runs import run_import
from catalog.errors import CatalogError
from ingest.marc.export import FORMATS, export_records

PROGRESS_FROM_BYTES = 2 * 1024 * 1024


@click.command("import-marc")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--library", "library_code", default=None, help="Library code for copies whose holdings name none.")
@click.option("--strict", is_flag=True, help="Write nothing if any record is bad.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object on the last line.")
@with_appcontext
def import_marc_command(files: tuple[Path, ...], library_code: str | None, strict: bool, as_json: bool) -> None:
    """Import ISO 2709 (.mrc, .dat, any name) or MARCXML files; duplicates update existing records."""
    app = current_app._get_current_object()
    total = sum(p.stat().st_size for p in files if p.is_file())
    bar = click.progressbar(length=total, file=sys.stderr, label="MARC") if total >= PROGRESS_FROM_BYTES else None
    shown = [0]

    def progress(done: int, _total: int) -> None:
        if bar is not None:
            bar.update(done - shown[0])
            shown[0] = done

    index_bar = _IndexBar()
    try:
        summary = run_import(app, list(files), library_code=library_code, strict=strict, progress=progress,
                             index_progress=index_bar)
    except CatalogError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        if bar is not None:
            bar.render_finish()
        index_bar.finish()
    _print_report(summary, as_json)
    if summary.refused:
        sys.exit(1)


class _IndexBar:
    """The background indexer's progress after the last batch, shown when it is well behind."""

    def __init__(self) -> None:
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, sent: int) -> None:
        if self.bar is None:
            if sent - done < 1000:
                return
            self.bar = click.progressbar(length=sent, file=sys.stderr, label="Index")
        self.bar.update(done - self.shown)
        self.shown = done

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


def _print_report(summary, as_json: bool) -> None:
    from ingest.marc.report import report_lines

    with current_app.extensions["session_factory"]() as session:
        for line in report_lines(session, summary.run_id):
            click.echo(line)
    if summary.refused:
        click.echo(f"--strict: {summary.rejected} bad record(s); nothing was written.", err=True)
    click.echo(
        f"Read {summary.read}: created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"rejected {summary.rejected}, with warnings {summary.warnings}, copies {summary.copies} (import {summary.run_id})."
    )
    if as_json:
        click.echo(json.dumps(summary.as_json()))


@click.command("export-marc")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="marc", show_default=True)
@with_appcontext
def export_marc_command(out: Path, fmt: str) -> None:
    """Export every record as ISO 2709 (UTF-8) or MARCXML."""
    repaired = [0]

    def warn(record_id: int, repairs: list[str]) -> None:
        repaired[0] += 1
        click.echo(f"Warning: record {record_id} was repaired for MARC21slim ({'; '.join(repairs)}); "
                   "the stored record is unchanged.", err=True)

    with current_app.extensions["session_factory"]() as session, open(out, "wb") as handle:
        count = export_records(session, handle, fmt, warn=warn)
    click.echo(f"Exported {count} records to {out}" + (f" ({repaired[0]} repaired for MARC21slim)." if repaired[0] else "."))


COMMANDS = (import_marc_command, export_marc_command)

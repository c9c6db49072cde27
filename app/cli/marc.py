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
from ingest.marc.pipeline import ReadProgress

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
    size = sum(p.stat().st_size for p in files if p.is_file())
    bar = _RecordsBar() if size >= PROGRESS_FROM_BYTES else None
    index_bar = _IndexBar()
    try:
        summary = run_import(app, list(files), library_code=library_code, strict=strict, progress=bar,
                             index_progress=index_bar)
    except CatalogError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        if bar is not None:
            bar.finish()
        index_bar.finish()
    _print_report(summary, as_json)
    if summary.refused:
        sys.exit(1)


class _RecordsBar:
    """Progress in records on stderr: "12,000 of ~30,000 records" (estimated from the bytes read
    until the last batch, then exact). A bar on a terminal; otherwise a line every tenth of the
    file, for logs of imports run from cron."""

    def __init__(self) -> None:
        self.bar = None
        self.shown = 0
        self.text = ""
        self.tenths = 0
        self.is_terminal = sys.stderr.isatty()

    def __call__(self, read: ReadProgress) -> None:
        text, self.text = self.text, records_text(read)
        if not self.is_terminal:
            tenths = 10 * read.bytes_done // max(1, read.bytes_total)
            if (tenths > self.tenths or read.is_exact) and self.text != text:
                self.tenths = tenths
                click.echo(f"MARC: {self.text}", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=read.expected, file=sys.stderr, label="MARC",
                                         item_show_func=lambda _item: self.text)
        self.bar.length = read.expected
        self.bar.update(read.records - self.shown, self.text)
        self.shown = read.records

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


def records_text(read: ReadProgress) -> str:
    """'12,000 of ~30,000 records' while the total is an estimate, '30,000 of 30,000 records' once exact."""
    return f"{read.records:,} of {'' if read.is_exact else '~'}{read.expected:,} records"


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
    from ingest.marc.report import report_lines, warning_counts

    with current_app.extensions["session_factory"]() as session:
        for line in report_lines(session, summary.run_id):
            click.echo(line)
        by_kind = warning_counts(session, summary.run_id)
    if summary.refused:
        click.echo(f"--strict: {summary.rejected} bad record(s); nothing was written.", err=True)
    click.echo(
        f"Read {summary.read}: created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"rejected {summary.rejected}, with warnings {summary.warnings}, copies {summary.copies} (import {summary.run_id})."
    )
    if as_json:
        click.echo(json.dumps({**summary.as_json(), "warnings_by_kind": by_kind}))


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

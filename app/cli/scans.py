"""ingest-scans: page images, a PDF, a folder or a ZIP in as one digital object (then OCR)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.hooks import after_commit
from app.background.tasks import render_first_images
from catalog.digital.models import LICENCES
from catalog.errors import CatalogError
from ingest.scans.limits import Limits
from ingest.scans.pipeline import ingest_scans, run_ocr


def scan_settings(app) -> dict:
    """Paths and limits for ingest and OCR, from the app's configuration."""
    return {"data_dir": Path(app.config["DATA_DIR"]), "limits": Limits.from_config(app.config)}


def ocr_settings(app) -> dict:
    return {"data_dir": Path(app.config["DATA_DIR"]), "languages": app.config["OCR_LANGUAGES"],
            "command": app.config["TESSERACT_COMMAND"]}


def _progress_printer(what: str):
    def report(done: int, total: int | None = None, _message: str = "") -> None:
        if total:
            filled = int(30 * done / total)
            click.echo(f"\r{what} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", nl=done >= total, err=True)

    return report


@click.command("ingest-scans")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--record", "record_id", type=int, help="Attach to this record instead of creating one.")
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Dublin Core sidecar (JSON or CSV) or a MARC file describing a new record.")
@click.option("--licence", type=click.Choice(LICENCES), help="Licence (default: from the metadata, else in-library).")
@click.option("--label", default="", help="Label of the digital object (default: the record's title).")
@click.option("--no-ocr", is_flag=True, help="Do not run OCR now (pages can be OCR'd later).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def ingest_scans_command(path: Path, record_id: int | None, metadata: Path | None, licence: str | None,
                         label: str, no_ocr: bool, as_json: bool) -> None:
    """Ingest page images (JPEG, PNG, TIFF), a PDF, a folder or a ZIP of them as one digital object."""
    app = current_app._get_current_object()
    try:
        with app.extensions["session_factory"].begin() as session:
            report = ingest_scans(session, path, record_id=record_id, metadata=metadata, licence=licence,
                                  label=label, progress=_progress_printer("pages"), **scan_settings(app))
    except CatalogError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        if as_json:
            click.echo(json.dumps({"error": exc.message}, ensure_ascii=False))
        sys.exit(1)
    after_commit(app)
    render_first_images(app, report.object_id)  # the first reader of a page waits for the link only
    for problem in report.problems:
        click.echo(f"skipped: {problem.message}", err=True)
    result = report.as_dict()
    if not no_ocr:
        ocr = run_ocr(app.extensions["session_factory"], report.object_id, progress=_progress_printer("OCR"),
                      **ocr_settings(app))
        after_commit(app)
        result["ocr"] = ocr.as_dict()
        if ocr.status == "unavailable":
            click.echo(ocr.message, err=True)
    else:
        result["ocr"] = {"status": "skipped"}
    summary = f"Object {report.object_id} (record {report.record_id}): {report.pages} pages, " \
              f"{report.text_pages} with a PDF text layer, {len(report.problems)} files or pages skipped."
    click.echo(json.dumps(result, ensure_ascii=False) if as_json else summary)

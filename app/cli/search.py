"""Search index commands: reindex, sync-index and check-index (see shared/CONTRACT.md)."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from app.search import index_dir
from search_index.errors import SearchIndexError
from search_index.rebuild import reindex
from search_index.writer import check_index, sync


@click.command("reindex")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def reindex_command(as_json: bool) -> None:
    """Rebuild the search index from the database (with a progress bar). Safe while the site is
    serving: the new index is built aside and swapped in; searches go on meanwhile."""
    factory = current_app.extensions["session_factory"]
    with click.progressbar(length=1, label="Indexing records", show_pos=True, file=None) as bar:
        state = {"done": 0}

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - state["done"])
            state["done"] = done

        try:
            count = reindex(factory, index_dir(), progress=progress)
        except SearchIndexError as error:
            raise click.ClickException(error.message) from None
    click.echo(f"Indexed {count} records into {index_dir()}.")
    if as_json:
        click.echo(json.dumps({"indexed": count}))


@click.command("sync-index")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def sync_index_command(as_json: bool) -> None:
    """Index every record marked stale (a backlog left by a failed import or an unwritable index)."""
    try:
        report = sync(current_app.extensions["session_factory"], index_dir())
    except SearchIndexError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Indexed {report.indexed} records, removed {report.removed} from the index.")
    if as_json:
        click.echo(json.dumps({"indexed": report.indexed, "removed": report.removed}))


@click.command("check-index")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def check_index_command(as_json: bool) -> None:
    """Compare the search index with the database; exits 1 on drift (missing, stale, orphaned)."""
    result = check_index(current_app.extensions["session_factory"], index_dir())
    click.echo(f"Records in the catalogue: {result.live}; entries in the index: {result.indexed}.")
    for label, ids in (("missing from the index", result.missing), ("stale (changed since indexed)", result.stale),
                       ("orphaned (deleted, merged or unknown)", result.orphaned)):
        shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
        click.echo(f"{len(ids)} {label}" + (f": {shown}" if ids else ""))
    click.echo("The index matches the database." if result.is_clean
               else "The index has drifted: run `flask --app app reindex` (or wait for the next sync).")
    if as_json:
        click.echo(json.dumps({"live": result.live, "indexed": result.indexed, "missing": result.missing,
                               "stale": result.stale, "orphaned": result.orphaned, "clean": result.is_clean}))
    if not result.is_clean:
        raise SystemExit(1)

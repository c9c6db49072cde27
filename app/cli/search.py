"""Search index commands: reindex, sync-index and check-index (see shared/CONTRACT.md)."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from app.search import search_backend
from search_index.errors import SearchIndexError


@click.command("reindex")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def reindex_command(as_json: bool) -> None:
    """Rebuild the search index from the database (with a progress bar). Safe while the site is
    serving: the new index is built aside and swapped in; searches go on meanwhile."""
    with click.progressbar(length=1, label="Indexing records", show_pos=True, file=None) as bar:
        state = {"done": 0}

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - state["done"])
            state["done"] = done

        try:
            count = search_backend().rebuild(progress=progress)
        except SearchIndexError as error:
            raise click.ClickException(error.message) from None
    click.echo(f"Indexed {count} records ({search_backend().name} search backend).")
    if as_json:
        click.echo(json.dumps({"indexed": count}))


@click.command("sync-index")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def sync_index_command(as_json: bool) -> None:
    """Index every record marked stale (a backlog left by a failed import or an unwritable index)."""
    try:
        report = search_backend().sync()
    except SearchIndexError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Indexed {report.indexed} records, removed {report.removed} from the index.")
    if as_json:
        click.echo(json.dumps({"indexed": report.indexed, "removed": report.removed}))


@click.command("check-index")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def check_index_command(as_json: bool) -> None:
    """Compare the search index with the database; exits 1 on drift (missing, stale, orphaned) or
    when the index was written by another schema version (then only `reindex` helps)."""
    try:
        result = search_backend().check()
    except SearchIndexError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Records in the catalogue: {result.live}; entries in the index: {result.indexed}.")
    for label, ids in (("missing from the index", result.missing), ("stale (changed since indexed)", result.stale),
                       ("orphaned (deleted, merged or unknown)", result.orphaned)):
        shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
        click.echo(f"{len(ids)} {label}" + (f": {shown}" if ids else ""))
    if result.needs_rebuild:
        written = f"schema version {result.schema_version}" if result.schema_version else "no schema version"
        click.echo(f"The index records {written}; this version of the library needs schema version "
                   f"{result.expected_schema_version}: run `flask --app app reindex` to rebuild it.")
    elif result.is_clean:
        click.echo("The index matches the database.")
    else:
        click.echo("The index has drifted: run `flask --app app reindex` (or wait for the next sync).")
    if as_json:
        click.echo(json.dumps({"live": result.live, "indexed": result.indexed, "missing": result.missing,
                               "stale": result.stale, "orphaned": result.orphaned, "clean": result.is_clean,
                               "schema_version": result.schema_version,
                               "expected_schema_version": result.expected_schema_version,
                               "needs_rebuild": result.needs_rebuild}))
    if not result.is_clean:
        raise SystemExit(1)

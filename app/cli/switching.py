"""switch-search-backend NAME: build the catalogue's index in another search backend while the
served instances keep answering from theirs, then take again the records edited meanwhile."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from app.search import search_backend
from catalog.db import utcnow
from catalog.searchops.changes import records_changed_since
from search_index.backend import backend_names, create_backend
from search_index.errors import SearchIndexError

# Catch-up passes at most: each takes the records edited during the one before.
CATCH_UP_PASSES = 5


@click.command("switch-search-backend")
@click.argument("name", type=click.Choice(backend_names(), case_sensitive=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def switch_search_backend_command(name: str, as_json: bool) -> None:
    """Build the search index of backend NAME from the database (with a progress bar) while the
    site keeps searching with its current backend; records edited during the build are taken
    again at the end. Then set LIBRARY_SEARCH_BACKEND=NAME and restart the servers one by one."""
    app, name = current_app, name.lower()
    current = search_backend()
    if current.name == name:
        raise click.ClickException(f"The site already searches with the {name} backend (LIBRARY_SEARCH_BACKEND).")
    factory = app.extensions["session_factory"]
    try:
        target = create_backend(name, session_factory=factory, database_url=app.config["DATABASE_URL"],
                                data_dir=app.config["DATA_DIR"], max_stale=int(app.config["HEALTH_MAX_STALE_RECORDS"]))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    started = utcnow()
    try:
        with click.progressbar(length=1, label=f"Building the {name} index", show_pos=True) as bar:
            state = {"done": 0}

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - state["done"])
                state["done"] = done

            count = target.rebuild(progress=progress)
        caught_up = 0
        for _ in range(CATCH_UP_PASSES):
            with factory() as session:
                changed = records_changed_since(session, started)
            started = utcnow()
            if not changed:
                break
            caught_up += len(changed)
            target.index_records(changed)
        check = target.check()
    except SearchIndexError as error:
        raise click.ClickException(error.message) from None
    finally:
        target.close()
    click.echo(f"Built the {name} index: {count} records, {caught_up} edited meanwhile taken again; "
               f"{'it matches the database' if check.is_clean else 'it has drifted (see check-index)'}.")
    click.echo(f"Now set LIBRARY_SEARCH_BACKEND={name} and restart the servers and workers one at a time "
               f"(search keeps answering); then run `flask --app app reindex` once, for edits made before they restarted.")
    if as_json:
        click.echo(json.dumps({"backend": name, "indexed": count, "caught_up": caught_up, "clean": check.is_clean}))

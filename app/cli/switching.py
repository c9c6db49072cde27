"""switch-search-backend NAME: move the catalogue to the other search backend while every served
instance keeps answering, with no restart (the processes follow the database's record:
app.ops.search_choice, catalog.searchops.settings).

1. Record that both backends are written: from its next look (every
   LIBRARY_SEARCH_BACKEND_CHECK_SECONDS) every process keeps NAME up to date beside the one
   answering.
2. Build NAME from the database (a progress bar), then take again the records changed since
   step 1 (edits made while the processes had not looked yet, or while it was built).
3. Record NAME as the one answering; wait until every process has looked; take again the records
   changed since then.
4. Record that the switch is over: the old backend is no longer written.

A failure or an interrupt before step 3 records the old backend alone again (a crash leaves it
answering, both written: running the command again starts over). After step 3 NAME answers; run
the command again to finish steps 3-4. NAME while a switch to the other is unfinished: keep
NAME alone (a catch-up first).
"""
from __future__ import annotations

import datetime as dt
import json
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from app.search import search_backends
from catalog.db import utcnow
from catalog.searchops.changes import records_changed_since
from catalog.searchops.settings import record_choice
from search_index.backend import backend_names
from search_index.errors import SearchIndexError

# Catch-up passes at most: each takes the records edited during the one before.
CATCH_UP_PASSES = 5
# The first catch-up also takes records changed this long before the switch began: a transaction
# under way then (its records dated earlier) may commit after it, in a process not yet writing both.
SLACK = dt.timedelta(seconds=60)


@click.command("switch-search-backend")
@click.argument("name", type=click.Choice(backend_names(), case_sensitive=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def switch_search_backend_command(name: str, as_json: bool) -> None:
    """Move search to backend NAME with no restart: build it (with a progress bar) while the site
    answers from the current one, both written meanwhile, then make every process answer from NAME."""
    app, name = current_app, name.lower()
    backends = search_backends(app)
    backends.refresh(force=True)
    choice = backends.choice
    if name not in backends.available:
        raise click.ClickException(backends.unavailable.get(name, f"The {name} backend cannot be used here."))
    if choice.backend == name and choice.also_writing is None:
        raise click.ClickException(f"The site already searches with the {name} backend"
                                   f"{' (recorded by an earlier switch)' if choice.is_recorded else ''}.")
    if name == "whoosh" and str(app.config.get("DATABASE_REPLICA_URL") or "").strip():
        raise click.ClickException("LIBRARY_DATABASE_REPLICA_URL is set, and the whoosh backend cannot read from a "
                                   "replica: unset it on every server first.")
    target = backends.available[name]
    try:
        if choice.backend == name:  # a switch to NAME stopped after its step 3, or one away from it before
            count, caught_up = 0, _finish(backends, name, choice.also_writing, choice.switch_started_at or utcnow())
        else:
            count, caught_up = _switch(backends, choice.backend, name)
        check = target.check()
    except SearchIndexError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Search now answers from the {name} backend on every server ({count} records built, {caught_up} "
               f"edited meanwhile taken again); {'it matches the database' if check.is_clean else 'it has drifted (see check-index)'}.")
    if as_json:
        click.echo(json.dumps({"backend": name, "previous": choice.backend if choice.backend != name else
                               choice.also_writing, "indexed": count, "caught_up": caught_up,
                               "clean": check.is_clean}))


def _switch(backends, source: str, name: str) -> tuple[int, int]:
    """Steps 1-4 from `source` to `name`; the records built and those taken again."""
    factory, target = backends.factory, backends.available[name]
    started = utcnow()
    _record(factory, backend=source, also_writing=name, started=started)
    click.echo(f"Both backends are written from now on; {source} answers while {name} is built.")
    try:
        with click.progressbar(length=1, label=f"Building the {name} index", show_pos=True) as bar:
            state = {"done": 0}

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - state["done"])
                state["done"] = done

            count = target.rebuild(progress=progress)
        _wait_for_processes(backends, started)
        # Into both: the build's own sync may have cleared flags of records the answering one still lacked.
        caught_up = _catch_up(factory, [target, backends.available[source]], started - SLACK)
        _repair(target)
    except BaseException:
        _record(factory, backend=source, also_writing=None, started=None)
        click.echo(f"The switch stopped: {source} still answers, alone.", err=True)
        raise
    return count, caught_up + _finish(backends, name, source, started)


def _finish(backends, name: str, other: str | None, started: dt.datetime) -> int:
    """Steps 3-4: `name` answers (the other still written until every process has looked), the
    records changed meanwhile are taken again, then `name` alone is written."""
    factory, target = backends.factory, backends.available[name]
    flipped = utcnow()
    _record(factory, backend=name, also_writing=other, started=started)
    _wait_for_processes(backends, flipped)
    caught_up = _catch_up(factory, [target], min(started, flipped - SLACK))
    _record(factory, backend=name, also_writing=None, started=None)
    backends.refresh(force=True)
    return caught_up


def _record(factory, **choice) -> None:
    with factory.begin() as session:
        record_choice(session, backend=choice["backend"], also_writing=choice["also_writing"],
                      switch_started_at=choice["started"], now=utcnow())


def _wait_for_processes(backends, since: dt.datetime) -> None:
    """Until every process has looked at the record made at `since` (its interval, and a margin)."""
    remaining = backends.interval + 1.0 - (utcnow() - since).total_seconds()
    if remaining > 0:
        time.sleep(remaining)


def _catch_up(factory, targets: list, since: dt.datetime) -> int:
    """Index into `targets` the records changed since `since`, pass after pass until none changed
    during the last one; how many were taken."""
    caught_up = 0
    for _ in range(CATCH_UP_PASSES):
        began = utcnow()
        with factory() as session:
            changed = records_changed_since(session, since)
        since = began
        if not changed:
            break
        caught_up += len(changed)
        for target in targets:
            target.index_records(changed)
    return caught_up


def _repair(target) -> None:
    """Records the built backend misses or keeps although gone (a failed batch): taken again."""
    found = target.check()
    if found.orphaned:
        target.remove(found.orphaned)
    if found.missing:
        target.index_records(found.missing)

"""Running a MARC import inside the app: the set-up its size calls for, and the index after it.

Shared by `flask import-marc` and the staff upload job. Files of MARC_BULK_FROM_BYTES or more (on
two or more cores) are decoded in a worker process while a background indexer process indexes
each committed batch; smaller ones run in this process and sync the index every few batches.
Either way the search index is up to date when run_import returns."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from flask import Flask

from app.hooks import after_commit
from app.search import finish_background_indexer, is_bulk, start_background_indexer
from catalog.db import utcnow
from ingest.marc.pipeline import ImportSummary, Progress, import_marc

# Small imports sync the search index every this many batches (and at the end).
SYNC_EVERY_BATCHES = 10


def run_import(app: Flask, paths: list[Path], *, progress: Progress | None = None,
               index_progress: Callable[[int, int], None] | None = None, **options) -> ImportSummary:
    """import_marc(paths, **options) with the app's database and data folder; `progress(ReadProgress)`
    (records read, records expected) after each batch, `index_progress(done, sent)` while waiting
    for the indexer."""
    paths = [Path(p) for p in paths]
    size = sum(p.stat().st_size for p in paths if p.is_file())
    indexer = start_background_indexer(app) if is_bulk(app, size) else None
    batches = [0]

    def sync_now_and_then() -> None:
        batches[0] += 1
        if batches[0] % SYNC_EVERY_BATCHES == 0:
            after_commit(app)

    try:
        summary = import_marc(
            app.extensions["session_factory"], paths, data_dir=Path(app.config["DATA_DIR"]), now=utcnow(),
            progress=progress, workers=1 if indexer else 0, after_batch=None if indexer else sync_now_and_then,
            changed=indexer.add if indexer else None, **options,
        )
    except BaseException:
        if indexer:
            indexer.abort()
        raise
    if indexer:
        finish_background_indexer(app, indexer, index_progress)
    else:
        after_commit(app)
    return summary

"""Real-data pass for the duplicates queue: every shared MARC file imported into one catalogue,
then the whole queue (weak pairs too) read page by page. The 18 "Demographics - Field Crops" records
(one title proper, a different subtitle each) are never proposed as duplicates of one another, and
no pair of records whose ISBNs are all different is proposed."""
from __future__ import annotations

import csv
import datetime as dt
import time

import pytest
from sqlalchemy import func, select

from catalog.records.duplicate_keys import isbn13s
from catalog.records.duplicates import candidate_pairs
from catalog.records.models import Record
from catalog.accounts.users import Role, create_user
from ingest.marc.errors import MarcFileError
from ingest.marc.pipeline import import_marc
from tests.conftest import SHARED_DATA, shared_data

NOW = dt.datetime(2026, 12, 1)
CROPS = "Demographics - Field Crops from the Agricultural Census database"


def _files():
    """Every MARC file of the manifest, the malformed ones too (the 18 crop records are in one)."""
    with shared_data("MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return [SHARED_DATA / row["local_path"] for row in csv.DictReader(handle, delimiter="\t")
                if row["category"] in ("marc", "marcxml", "marc_malformed")]


@pytest.mark.realdata
def test_the_queue_on_the_shared_catalogue(session_factory, session, data_dir):
    for path in _files():
        try:
            import_marc(session_factory, [path], data_dir=data_dir, now=NOW)
        except MarcFileError:  # nothing readable in it (reported, not fatal)
            continue
    user = create_user(session, "bienmuc", role=Role.CATALOGUER, password="long enough")
    session.commit()
    crops = dict(session.execute(select(Record.id, Record.subtitle).where(Record.title == CROPS,
                                                                          Record.deleted_at.is_(None))).all())
    assert len(set(crops.values())) >= 18  # one title proper, a different subtitle each
    started = time.perf_counter()
    first = candidate_pairs(session, user, include_weak=True, per_page=200)
    session.commit()
    seconds = time.perf_counter() - started
    pairs = list(first.pairs)
    for page in range(2, first.pages + 1):
        pairs += candidate_pairs(session, user, include_weak=True, per_page=200, page=page).pairs
    assert len(pairs) == first.total and len({(p.low.id, p.high.id) for p in pairs}) == first.total
    among_crops = [(p.low.id, p.high.id, p.score, p.reasons, p.warnings) for p in pairs
                   if {p.low.id, p.high.id} <= set(crops)]
    print("\npairs among the crop records:", among_crops)
    assert [pair for pair in among_crops if crops[pair[0]] != crops[pair[1]]] == []
    other_isbns = [(p.low.id, p.high.id) for p in pairs
                   if isbn13s(p.low.isbns) and isbn13s(p.high.isbns)
                   and not set(isbn13s(p.low.isbns)) & set(isbn13s(p.high.isbns))]
    assert other_isbns == []
    scores = [p.score for p in pairs]
    assert scores == sorted(scores, reverse=True) and all(score > 0 for score in scores)
    strong = candidate_pairs(session, user).total
    records = session.scalar(select(func.count()).select_from(Record))
    print(f"\nduplicates queue on {records} real records: {first.total} pairs "
          f"({strong} likely), first page in {seconds:.2f} s")
    assert strong < 100  # a page or a few for a cataloguer, not 878 merge buttons

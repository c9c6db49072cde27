"""Real-data pass: every clean MARC file imported, one after another, into ONE catalogue. No
exported record may hold two different source records: every source record's title and first
author come out of the export, and no title/author pair comes out more often than it went in."""
from __future__ import annotations

import collections
import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from ingest.marc.export import export_records
from ingest.marc.mapping import draft_from_marc
from ingest.marc.pipeline import NO_TITLE, import_marc, prepare
from ingest.marc.reader import read_file, read_iso2709
from tests.conftest import SHARED_DATA, shared_data

NOW = dt.datetime(2026, 11, 1)


def _clean_files():
    with shared_data("MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return [SHARED_DATA / row["local_path"] for row in csv.DictReader(handle, delimiter="\t")
                if row["category"] in ("marc", "marcxml")]


def _pair(draft) -> tuple[str, str]:
    return draft.title or NO_TITLE, (draft.authors or [""])[0]  # the import's stand-in for no title


@pytest.mark.realdata
def test_every_clean_file_into_one_catalogue_keeps_every_book(session_factory, data_dir):
    sources: collections.Counter = collections.Counter()
    where: dict[tuple[str, str], str] = {}
    for path in _clean_files():
        for result in read_file(path):
            prepared = prepare(result)
            if prepared.draft is not None:
                pair = _pair(prepared.draft)
                sources[pair] += 1
                where.setdefault(pair, f"{path.relative_to(SHARED_DATA)} #{result.ordinal}")
        assert import_marc(session_factory, [path], data_dir=data_dir, now=NOW).rejected == 0, path
    assert sum(sources.values()) > 3000
    out = io.BytesIO()
    with session_factory() as session:
        export_records(session, out, "marc")
    exported = collections.Counter(_pair(draft_from_marc(r.record)) for r in read_iso2709(io.BytesIO(out.getvalue()), "all.mrc"))
    lost = sorted(where[pair] + f": {pair}" for pair in sources if pair not in exported)
    assert lost == [], f"{len(lost)} source records were merged into another book: {lost[:20]}"
    invented = {pair: n for pair, n in exported.items() if n > sources[pair]}
    assert invented == {}
    _marcxml_export_passes_the_schema(session_factory, len(list(read_iso2709(io.BytesIO(out.getvalue()), "all.mrc"))))


def _marcxml_export_passes_the_schema(session_factory, count: int) -> None:
    """The same catalogue as MARCXML: valid MARC21slim, every repair named."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(Path(__file__).parent.parent / "data" / "marcxml_rules.xsd")))
    out, repaired = io.BytesIO(), {}
    with session_factory() as session:
        assert export_records(session, out, "marcxml", warn=repaired.__setitem__) == count
    document = etree.fromstring(out.getvalue())
    errors = [] if schema.validate(document) else [str(e) for e in list(schema.error_log)[:10]]
    assert errors == []
    assert len(document) - len(repaired) > 3000  # comments are elements to lxml too
    assert 10 < len(repaired) < 100, len(repaired)

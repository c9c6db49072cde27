"""Issue 16: an import's progress counts records: estimated from the bytes read until the last
batch (always more than the records done so far), then exact; and the report's kinds of warnings."""
from __future__ import annotations

import datetime as dt

import pytest

from ingest.marc.pipeline import import_marc, read_progress
from ingest.marc.report import warning_group, warning_groups
from tests.ingest.marc_fixtures import book, df, iso, marcxml, utf8_said_marc8

NOW = dt.datetime(2026, 5, 1, 8, 0)


def test_the_estimate_is_more_than_done_until_the_end():
    assert read_progress(500, 250_000, 1_000_000).expected == 2000
    assert read_progress(500, 999_999, 1_000_000).expected == 501, "never 'done' before the last batch"
    assert not read_progress(500, 999_999, 1_000_000).is_exact
    assert read_progress(0, 0, 1_000_000).expected == 1
    end = read_progress(1999, 1_000_000, 1_000_000)
    assert end.is_exact and (end.records, end.expected) == (1999, 1999)


@pytest.mark.parametrize("kind", ["iso2709", "marcxml"])
def test_progress_of_an_import_in_records(session_factory, data_dir, tmp_path, kind):
    records = [book(f"P{i}", f"Sách số {i}", extra=[df("500", "  ", "a", "x" * (i % 7 * 40))]) for i in range(1250)]
    path = tmp_path / ("in.mrc" if kind == "iso2709" else "in.xml")
    path.write_bytes(iso(*records) if kind == "iso2709" else marcxml(*records))
    seen = []
    summary = import_marc(session_factory, [path], data_dir=data_dir, now=NOW, progress=seen.append)
    assert summary.read == 1250
    assert [p.records for p in seen][:2] == [500, 1000]
    *running, last = seen
    assert all(not p.is_exact and p.expected > p.records for p in running), running
    assert all(1100 <= p.expected <= 1400 for p in running if p.records >= 500), running
    assert last.is_exact and (last.records, last.expected) == (1250, 1250)


def test_warning_kinds_count_per_kind_and_page(session_factory, data_dir, tmp_path):
    data = iso(*[book(f"B{i}", f"Sách {i}", extra=[df("952", "  ", "a", "TTVH")]) for i in range(30)]) + \
        b"".join(utf8_said_marc8(book(f"T{i}", f"Địa lý {i}")) for i in range(4))
    path = tmp_path / "in.mrc"
    path.write_bytes(data)
    summary = import_marc(session_factory, [path], data_dir=data_dir, now=NOW)
    with session_factory() as session:
        groups = warning_groups(session, summary.run_id, examples=10)
        assert [(g.code, g.count, len(g.problems), g.more) for g in groups] == [
            ("no-barcode", 30, 10, 20), ("marc8-is-utf8", 4, 4, 0)]
        page = warning_group(session, summary.run_id, "no-barcode", offset=25, limit=10)
        assert [p.ordinal for p in page.problems] == [26, 27, 28, 29, 30]
        assert warning_group(session, summary.run_id, "leader").count == 0

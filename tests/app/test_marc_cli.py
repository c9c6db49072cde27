"""import-marc and export-marc as CONTRACT.md says: JSON last line, exit codes, round trip."""
from __future__ import annotations

import json

from tests.ingest.marc_fixtures import book, df, iso

from ingest.marc.reader import read_file
from ingest.marc.mapping import draft_from_marc


def last_json(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_marc_json_counts_and_reimport(runner, tmp_path):
    path = tmp_path / "nhap.mrc"
    good = iso(book("VN1", "Truyện Kiều", "Nguyễn Du", 1820), book("VN2", "Chí Phèo", "Nam Cao", 1941))
    path.write_bytes(good + iso(book("VN3", "Hỏng"))[:-50])
    result = runner.invoke(args=["import-marc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert last_json(result) == {"read": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1,
                                 "warnings": 0, "copies": 0, "conflicts": 0, "warnings_by_kind": {}}
    assert "REJECTED: nhap.mrc #3 (byte %d): The file ends in the middle of this record" % len(good) in result.stdout
    again = runner.invoke(args=["import-marc", str(path), "--json"])
    assert last_json(again)["unchanged"] == 2 and last_json(again)["created"] == 0


def test_unreadable_input_exits_non_zero(runner, tmp_path):
    (tmp_path / "empty.mrc").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not a catalogue\n")
    for name, reason in (("missing.mrc", "does not exist"), ("empty.mrc", "is empty"), ("notes.txt", "is not MARC")):
        result = runner.invoke(args=["import-marc", str(tmp_path / name), "--json"])
        assert result.exit_code != 0 and reason in result.output


def test_strict_exits_non_zero_and_writes_nothing(runner, tmp_path):
    path = tmp_path / "a.mrc"
    path.write_bytes(iso(book("VN1", "Tốt")) + iso(book("VN2", "Hỏng"))[:-50])
    result = runner.invoke(args=["import-marc", str(path), "--strict", "--json"])
    assert result.exit_code == 1
    assert last_json(result)["created"] == 0
    export = tmp_path / "out.mrc"
    runner.invoke(args=["export-marc", str(export)])
    assert not export.read_bytes()


def test_unknown_library_is_a_clear_error(runner, tmp_path):
    path = tmp_path / "a.mrc"
    path.write_bytes(iso(book("VN1", "Tốt")))
    result = runner.invoke(args=["import-marc", str(path), "--library", "NOPE"])
    assert result.exit_code != 0 and "No library with code NOPE" in result.output


def test_export_round_trip_both_formats(runner, tmp_path):
    path = tmp_path / "a.mrc"
    records = [book("VN1", "Truyện Kiều", "Nguyễn Du", 1820, extra=[df("500", "  ", "a", "Ghi chú")]),
               book("VN2", "Tắt đèn", "Ngô Tất Tố", 1939)]
    path.write_bytes(iso(*records))
    runner.invoke(args=["import-marc", str(path)])
    for fmt, name in (("marc", "out.mrc"), ("marcxml", "out.xml")):
        out = tmp_path / name
        result = runner.invoke(args=["export-marc", str(out), "--format", fmt])
        assert result.exit_code == 0 and "Exported 2 records" in result.output
        exported = [draft_from_marc(r.record) for r in read_file(out)]
        assert exported == [draft_from_marc(r) for r in records]
        again = runner.invoke(args=["import-marc", str(out), "--json"])
        assert last_json(again)["unchanged"] == 2


def test_demo_records_export_with_marc(demo, tmp_path):
    runner = demo.test_cli_runner()
    out = tmp_path / "demo.xml"
    result = runner.invoke(args=["export-marc", str(out), "--format", "marcxml"])
    assert result.exit_code == 0 and "Exported 60 records" in result.output
    results = list(read_file(out))
    assert len(results) == 60 and all(r.record is not None for r in results)
    assert all(draft_from_marc(r.record).title for r in results)

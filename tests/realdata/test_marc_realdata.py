"""Real-data pass for MARC: every clean file imports with zero rejected and round-trips field for
field; every malformed file imports what a permissive reader can read and reports the rest."""
from __future__ import annotations

import csv
import datetime as dt
import io
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from catalog.records.models import Record
from ingest.marc.export import export_records
from ingest.marc.mapping import draft_from_marc
from ingest.marc.marcjson import marc_json_to_record, record_to_marc_json
from ingest.marc.slim import slim_record
from ingest.marc.pipeline import NO_TITLE, import_marc
from ingest.marc.reader import read_file, read_iso2709, read_marcxml
from tests.conftest import SHARED_DATA, shared_data

NOW = dt.datetime(2026, 11, 1)


def _rows(category: str) -> list[dict]:
    manifest = SHARED_DATA / "MANIFEST.tsv"
    if not manifest.exists():
        return [{"local_path": "MANIFEST.tsv"}]  # the test then fails through shared_data()
    with manifest.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["category"] == category]


def _ids(rows):
    return [row["local_path"].split("/", 1)[-1] for row in rows]


def _import(session_factory, data_dir, path):
    return import_marc(session_factory, [path], data_dir=data_dir, now=NOW)


def _titled(draft):
    draft.title = draft.title or NO_TITLE  # what the import stores for a record without any title
    return draft


def _stored(session) -> dict[int, dict]:
    return {r.id: r.marc for r in session.scalars(select(Record).where(Record.deleted_at.is_(None)))}


CLEAN = _rows("marc") + _rows("marcxml")


@pytest.mark.realdata
@pytest.mark.parametrize("row", CLEAN, ids=_ids(CLEAN))
def test_clean_file_imports_without_rejects_and_round_trips(row, session_factory, data_dir, tmp_path):
    path = shared_data(row["local_path"])
    first = _import(session_factory, data_dir, path)
    assert first.rejected == 0
    assert first.read == int(row["num_records"])
    with session_factory() as session:
        before = _stored(session)
        for fmt, reader in (("marc", read_iso2709), ("marcxml", read_marcxml)):
            out = io.BytesIO()
            assert export_records(session, out, fmt) == len(before)
            exported = [r.record for r in reader(io.BytesIO(out.getvalue()), f"export.{fmt}")]
            # MARCXML is what MARC21slim accepts: the records it refuses come out repaired.
            expected = [before[i] if fmt == "marc" else _slim(before[i]) for i in sorted(before)]
            assert [record_to_marc_json(r) for r in exported] == expected
            stored = session.scalars(select(Record).where(Record.deleted_at.is_(None)).order_by(Record.id)).all()
            if fmt == "marc":
                assert [_titled(draft_from_marc(r)) for r in exported] == [s.draft() for s in stored]
            target = tmp_path / f"export.{fmt}"
            target.write_bytes(out.getvalue())
    again = _import(session_factory, data_dir, tmp_path / "export.marc")
    assert (again.created, again.updated, again.rejected, again.unchanged) == (0, 0, 0, len(before))
    with session_factory() as session:
        assert _stored(session) == before
    repaired = sum(1 for i in before if _slim(before[i]) != before[i])
    # Under the original name: a repaired record with a 001 but no 003 is found again by it.
    again = import_marc(session_factory, [tmp_path / "export.marcxml"], data_dir=data_dir, now=NOW, names=[path.name])
    assert (again.created, again.rejected, again.updated, again.unchanged) == (0, 0, repaired, len(before) - repaired)


def _slim(marc: dict) -> dict:
    return record_to_marc_json(slim_record(marc_json_to_record(marc))[0])


MALFORMED = _rows("marc_malformed")
EMPTY_RECORDS = ("empty-record.xml", "empty-record-2.xml")


@pytest.mark.realdata
@pytest.mark.parametrize("row", MALFORMED, ids=_ids(MALFORMED))
def test_malformed_file_keeps_what_can_be_read(row, session_factory, data_dir):
    path = shared_data(row["local_path"])
    summary = _import(session_factory, data_dir, path)
    kept = summary.created + summary.updated + summary.unchanged
    assert kept + summary.rejected == summary.read
    # At least what pymarc's permissive reader parses (not counting records with no field at all,
    # which pymarc returns empty and we reject); every rejected record is quarantined.
    assert kept >= int(row["pymarc_parsed_ok"]) - (1 if row["local_path"].endswith(EMPTY_RECORDS) else 0)
    assert len(list((data_dir / "quarantine").rglob("*.bin"))) == summary.rejected
    with session_factory() as session:
        titles = list(session.scalars(select(Record.title)))
    assert not any("Ã" in t or "Â©" in t for t in titles), titles


@pytest.mark.realdata
def test_fsl_marc8_label_with_utf8_bytes_decodes_with_a_warning(session_factory, session, data_dir):
    path = shared_data("marc_malformed/evergreen-library-system__Evergreen/FSL.marc")
    summary = _import(session_factory, data_dir, path)
    assert (summary.read, summary.rejected, summary.warnings) == (52, 0, 52)
    titles = list(session.scalars(select(Record.title).order_by(Record.id)))
    assert titles[0] == "Люди с чистой совестью"
    assert all("©" not in t and "Ð" not in t for t in titles)
    from catalog.records.imports import run_problems

    warnings = run_problems(session, summary.run_id, "warning")
    assert {w.message for w in warnings} == {"The leader says MARC-8 but the text is UTF-8; it was read as UTF-8."}


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["marc/edsu__pymarc/1251.dat", "marc_malformed/ruby-marc__ruby-marc/cp866_unimarc.marc"])
def test_cyrillic_codepages_labelled_marc8_are_read(name, session_factory, session, data_dir):
    summary = _import(session_factory, data_dir, shared_data(name))
    assert summary.rejected == 0
    text = " ".join(str(r.marc) for r in session.scalars(select(Record)))
    assert sum("\u0410" <= ch <= "\u044f" for ch in text) > 50 and "\ufffd" not in text


@pytest.mark.realdata
def test_oai_serves_real_records(app, session_factory, data_dir):
    for name in ("marc/evergreen-library-system__Evergreen/lul_fre_100.mrc", "marcxml/edsu__pymarc/batch.xml"):
        path = SHARED_DATA / name
        if path.exists():
            _import(session_factory, data_dir, path)
    client = app.test_client()
    ns = {"o": "http://www.openarchives.org/OAI/2.0/", "m": "http://www.loc.gov/MARC21/slim"}
    args, seen = {"verb": "ListRecords", "metadataPrefix": "marc21"}, 0
    while True:
        root = ElementTree.fromstring(client.get("/oai", query_string=args).data)
        assert root.find("o:error", ns) is None
        seen += len(root.findall(".//m:record", ns))
        token = root.find(".//o:resumptionToken", ns)
        if token is None or not token.text:
            break
        args = {"verb": "ListRecords", "resumptionToken": token.text}
    with session_factory() as session:
        assert seen == len(_stored(session)) >= 100


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["cjk1.marc", "cjk2.marc", "cjk3.marc", "cjk4.marc"])
def test_marc8_cjk_880_fields_read_as_pymarc_reads_them(name):
    import pymarc

    path = shared_data(f"marc/gmcharlt__marc-perl/{name}")
    (ours,) = list(read_file(path))
    with path.open("rb") as handle:
        theirs = next(iter(pymarc.MARCReader(handle, to_unicode=True)))
    assert ours.error is None and ours.warnings == []
    expected = [[(s.code, s.value) for s in f.subfields] for f in theirs.get_fields("880")]
    got = [[(s.code, s.value) for s in f.subfields] for f in ours.record.get_fields("880")]
    assert got == expected and got
    assert not any("\x1b" in v or "$1" in v for f in got for _c, v in f[1:])

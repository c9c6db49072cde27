"""The import pipeline through its service: duplicates and their rules, holdings, quarantine, strict."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from catalog.records.imports import ImportProblem, get_run
from catalog.copies.items import Item
from catalog.libraries import LibraryKind, save_library
from catalog.records.duplicates import candidate_pairs
from catalog.records.merge import merge_records
from catalog.records.models import Record
from catalog.accounts.users import Role, create_user
from ingest.marc.pipeline import import_marc
from tests.ingest.marc_fixtures import book, df, iso, marc8_iso, marcxml

NOW = dt.datetime(2026, 5, 1, 8, 0)


@pytest.fixture
def libraries(session_factory):
    with session_factory.begin() as session:
        save_library(session, code="TTVH", name="Thư viện huyện", kind=LibraryKind.CULTURAL_CENTRE)
        save_library(session, code="TH-CATBA", name="Trường Tiểu học Cát Bà", kind=LibraryKind.SCHOOL)


def run(session_factory, data_dir, tmp_path, data: bytes, name: str = "in.mrc", **kwargs):
    path = tmp_path / name
    path.write_bytes(data)
    return import_marc(session_factory, [path], data_dir=data_dir, now=NOW, **kwargs)


def proposed(session) -> list[tuple[int, int]]:
    """The duplicates queue's pairs, weak ones too, as a cataloguer sees them."""
    from catalog.accounts.users import find_user

    user = find_user(session, "bienmuc") or create_user(session, "bienmuc", role=Role.CATALOGUER,
                                                        password="long enough")
    pairs = [(p.low.id, p.high.id) for p in candidate_pairs(session, user, include_weak=True).pairs]
    session.commit()  # the queue refreshed its keys
    return pairs


def titles(session) -> list[str]:
    return list(session.scalars(select(Record.title).where(Record.deleted_at.is_(None)).order_by(Record.id)))


def test_import_then_reimport_creates_nothing(session_factory, session, data_dir, tmp_path):
    data = iso(book("VN1", "Dế Mèn phiêu lưu ký", "Tô Hoài", 1941), book("VN2", "Số đỏ", "Vũ Trọng Phụng", 1936))
    first = run(session_factory, data_dir, tmp_path, data)
    assert (first.read, first.created, first.updated, first.unchanged, first.rejected) == (2, 2, 0, 0, 0)
    again = run(session_factory, data_dir, tmp_path, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert titles(session) == ["Dế Mèn phiêu lưu ký", "Số đỏ"]
    record = session.scalar(select(Record).where(Record.control_number == "VN1"))
    assert record.marc["leader"][9] == "a" and record.authors == ["Tô Hoài"]


def test_marc8_copy_of_a_utf8_record_is_unchanged(session_factory, data_dir, tmp_path):
    record = book("VN1", "Những người khốn khổ ở đường Đồng Khởi", "Trần Thị Thủy")
    run(session_factory, data_dir, tmp_path, iso(record))
    again = run(session_factory, data_dir, tmp_path, marc8_iso(record), name="marc8.mrc")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


@pytest.mark.parametrize("incoming, rule", [
    # A corrected title or author is an update (a different book is a conflict: test_marc_conflicts.py).
    (book("VN1", "Dế Mèn phiêu lưu ký : tái bản", "Người khác", 2001), "control"),
    (book("", "Tựa mới", "Tô Hoài", 2001, extra=[df("035", "  ", "a", "(VNNL)555")]), "system"),
    (book("", "Dế Mèn phiêu lưu ký - truyện", "Người khác", 2001, isbn="978-604-0-00000-2"), "isbn"),
    (book("", "Dế mèn phiêu lưu ký.", "Tô, Hoài", 1941), "title"),
])
def test_duplicate_rules_in_order(session_factory, session, data_dir, tmp_path, incoming, rule):
    original = book("VN1", "Dế Mèn phiêu lưu ký", "Tô Hoài", 1941, isbn="9786040000002",
                    extra=[df("035", "  ", "a", "(VNNL)555")])
    run(session_factory, data_dir, tmp_path, iso(original))
    summary = run(session_factory, data_dir, tmp_path, iso(incoming), name="second.mrc")
    assert (summary.created, summary.updated) == (0, 1)
    problem = session.scalar(select(ImportProblem).where(ImportProblem.run_id == summary.run_id,
                                                         ImportProblem.kind == "updated"))
    assert problem.rule == rule and problem.record_id == 1
    assert session.scalar(select(func.count()).select_from(Record)) == 1


def test_title_rule_never_joins_records_with_different_isbns(session_factory, session, data_dir, tmp_path):
    run(session_factory, data_dir, tmp_path, iso(book("", "Toán 1", isbn="9786040000002")))
    summary = run(session_factory, data_dir, tmp_path, iso(book("", "Toán 1", isbn="9780306406157")), name="b.mrc")
    assert summary.created == 1
    assert titles(session) == ["Toán 1", "Toán 1"] and proposed(session) == []  # two books, not duplicates


def test_holdings_create_copies_in_the_named_libraries(session_factory, session, data_dir, tmp_path, libraries):
    record = book("VN1", "Sách có bản", extra=[
        df("952", "  ", "p", "tv-0001", "a", "TTVH", "b", "TH-CATBA", "o", "895.92 A"),
        df("952", "  ", "p", "TV-0002", "a", "XYZ"),
        df("952", "  ", "a", "TTVH"),
    ])
    summary = run(session_factory, data_dir, tmp_path, iso(record), library_code="th-catba")
    assert summary.copies == 2
    items = session.scalars(select(Item).order_by(Item.barcode)).all()
    assert [(i.barcode, i.home_library.code, i.current_library.code, i.call_number) for i in items] == [
        ("TV-0001", "TTVH", "TH-CATBA", "895.92 A"), ("TV-0002", "TH-CATBA", "TH-CATBA", "")]
    messages = [p.message for p in get_run(session, summary.run_id).problems if p.kind == "warning"]
    assert "Unknown library code XYZ in field 952 (barcode TV-0002); the copy was put in TH-CATBA." in messages
    assert "Holdings field 952 has no barcode ($p); no copy was created." in messages
    again = run(session_factory, data_dir, tmp_path, iso(record), library_code="TH-CATBA")
    assert again.copies == 0 and again.unchanged == 1


def test_bad_records_are_quarantined_with_position_and_bytes(session_factory, session, data_dir, tmp_path):
    good, bad = iso(book("VN1", "Tốt")), iso(book("VN2", "Hỏng"))
    bad = bad[:30] + b"??" + bad[32:]
    summary = run(session_factory, data_dir, tmp_path, good + bad + iso(book("VN3", "Cũng tốt")))
    assert (summary.read, summary.created, summary.rejected) == (3, 2, 1)
    problem = session.scalar(select(ImportProblem).where(ImportProblem.kind == "rejected"))
    assert (problem.file_name, problem.ordinal, problem.byte_offset) == ("in.mrc", 2, len(good))
    assert "directory is damaged" in problem.message
    assert (data_dir / problem.raw_path).read_bytes() == bad


def test_strict_writes_nothing_when_a_record_is_bad(session_factory, session, data_dir, tmp_path):
    data = iso(book("VN1", "Tốt")) + iso(book("VN2", "Hỏng"))[:-30]
    summary = run(session_factory, data_dir, tmp_path, data, strict=True)
    assert summary.refused and summary.rejected == 1 and summary.created == 0
    assert titles(session) == []
    assert get_run(session, summary.run_id).status == "refused"


def test_marcxml_imports_like_iso2709(session_factory, session, data_dir, tmp_path):
    summary = run(session_factory, data_dir, tmp_path, marcxml(book("VN1", "Một"), book("VN2", "Hai")), name="a.xml")
    assert summary.created == 2
    again = run(session_factory, data_dir, tmp_path, iso(book("VN1", "Một"), book("VN2", "Hai")))
    assert again.unchanged == 2


def test_merge_moves_copies_and_redirects_reimports(session_factory, session, data_dir, tmp_path, libraries):
    run(session_factory, data_dir, tmp_path, iso(
        book("A1", "Tiếng Việt 1", extra=[df("952", "  ", "p", "C1", "a", "TTVH")]),
        book("B1", "Tiếng Việt 1", source="OTHER", extra=[df("952", "  ", "p", "C2", "a", "TTVH")])))
    pairs = proposed(session)
    assert len(pairs) == 1
    survivor, loser = (session.get(Record, rid) for rid in pairs[0])
    assert [survivor.control_number, loser.control_number] == ["A1", "B1"]
    merge_records(session, survivor, loser, NOW)
    session.commit()
    assert loser.merged_into_id == survivor.id and loser.deleted_at == NOW and loser.index_stale
    assert sorted(i.barcode for i in session.scalars(select(Item).where(Item.record_id == survivor.id))) == ["C1", "C2"]
    assert proposed(session) == []
    again = run(session_factory, data_dir, tmp_path, iso(book("B1", "Tiếng Việt 1 (sửa)", source="OTHER")), name="b.mrc")
    assert (again.created, again.updated) == (0, 1)
    session.expire_all()
    assert session.get(Record, survivor.id).title == "Tiếng Việt 1 (sửa)"


def test_worker_process_gives_the_same_import(session_factory, session, data_dir, tmp_path):
    records = [book(f"W{i}", f"Sách {i}", year=2000 + i) for i in range(12)]
    data = iso(*records[:5]) + iso(book("BAD", "Hỏng"))[:40] + b"\x1d" + iso(*records[5:])
    summary = run(session_factory, data_dir, tmp_path, data, workers=1, batch_size=4)
    assert (summary.read, summary.created, summary.rejected) == (13, 12, 1)
    assert titles(session) == [f"Sách {i}" for i in range(12)]


def test_junk_after_a_good_record_is_set_aside_as_one_span(session_factory, session, data_dir, tmp_path):
    import random

    junk = random.Random(12).randbytes(2_000_000)
    assert junk.count(b"\x1d") > 7000  # split on the record terminator, ~7,800 pieces
    good = iso(book("VN1", "Dế Mèn phiêu lưu ký", "Tô Hoài", 1941))
    after = iso(book("VN2", "Số đỏ", "Vũ Trọng Phụng", 1936))
    summary = run(session_factory, data_dir, tmp_path, good + junk + after, name="hong.mrc")
    assert (summary.read, summary.created, summary.rejected) == (3, 2, 1)
    assert titles(session) == ["Dế Mèn phiêu lưu ký", "Số đỏ"]
    (problem,) = session.scalars(select(ImportProblem).where(ImportProblem.kind == "rejected")).all()
    assert (problem.file_name, problem.ordinal, problem.byte_offset) == ("hong.mrc", 2, len(good))
    assert problem.message.startswith(f"{len(junk)} bytes from byte {len(good)} hold no MARC record")
    files = list((data_dir / "quarantine").rglob("*.bin"))
    assert [f.read_bytes() == junk for f in files] == [True]

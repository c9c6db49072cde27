"""Duplicate rules that must never join two different books: placeholder 035s, a 001 without a
003 from another file, and identifier matches whose title and author clearly differ (conflicts)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from catalog.records.imports import ImportProblem
from catalog.records.models import Record
from ingest.marc.pipeline import import_marc
from tests.ingest.marc_fixtures import book, df, iso

NOW = dt.datetime(2026, 5, 1, 8, 0)


def run(session_factory, data_dir, tmp_path, data: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(data)
    return import_marc(session_factory, [path], data_dir=data_dir, now=NOW)


def live(session) -> list[tuple[str, list[str]]]:
    session.expire_all()
    return [(r.title, r.authors) for r in
            session.scalars(select(Record).where(Record.deleted_at.is_(None)).order_by(Record.id))]


def problems(session, run_id: int, kind: str) -> list[ImportProblem]:
    return list(session.scalars(select(ImportProblem).where(ImportProblem.run_id == run_id,
                                                            ImportProblem.kind == kind)))


def test_a_035_without_a_number_joins_nothing(session_factory, session, data_dir, tmp_path):
    placeholder = [df("035", "  ", "a", "(PkLaDAR)")]
    run(session_factory, data_dir, tmp_path, iso(book("", "Toán 1", "Lê Văn A", extra=placeholder)), "a.mrc")
    second = run(session_factory, data_dir, tmp_path,
                 iso(book("", "Toán 1 nâng cao", "Trần Thị B", extra=placeholder)), "b.mrc")
    assert (second.created, second.updated, second.conflicts) == (1, 0, 0)
    assert live(session) == [("Toán 1", ["Lê Văn A"]), ("Toán 1 nâng cao", ["Trần Thị B"])]


def test_a_035_with_a_number_still_joins(session_factory, session, data_dir, tmp_path):
    number = [df("035", "  ", "a", "(PkLaDAR)00123")]
    run(session_factory, data_dir, tmp_path, iso(book("", "Toán 1", "Lê Văn A", extra=number)), "a.mrc")
    second = run(session_factory, data_dir, tmp_path, iso(book("", "Toán 1 : tái bản", "Lê Văn A", 2020, extra=number)),
                 "b.mrc")
    assert (second.created, second.updated) == (0, 1)
    assert live(session) == [("Toán 1 : tái bản", ["Lê Văn A"])]
    assert problems(session, second.run_id, "updated")[0].rule == "system"


def test_a_001_without_003_from_another_file_joins_nothing(session_factory, session, data_dir, tmp_path):
    run(session_factory, data_dir, tmp_path, iso(book("2", "Toán 1", "Lê Văn A", source="")), "pymarc.dat")
    other = run(session_factory, data_dir, tmp_path, iso(book("2", "Toán 1 nâng cao", "Trần Thị B", 2001, source="")),
                "koha.mrc")
    assert (other.created, other.updated, other.conflicts) == (1, 0, 0)
    assert live(session) == [("Toán 1", ["Lê Văn A"]), ("Toán 1 nâng cao", ["Trần Thị B"])]


def test_a_001_without_003_from_the_same_file_name_updates(session_factory, session, data_dir, tmp_path):
    run(session_factory, data_dir, tmp_path, iso(book("2", "Toán 1", "Lê Văn A", source="")), "xuat.mrc")
    again = run(session_factory, data_dir, tmp_path, iso(book("2", "Toán lớp 1", "Lê Văn A", 2020, source="")),
                "xuat.mrc")
    assert (again.created, again.updated) == (0, 1)
    assert problems(session, again.run_id, "updated")[0].rule == "local"
    assert live(session) == [("Toán lớp 1", ["Lê Văn A"])]


def test_an_identifier_naming_another_book_is_a_conflict_kept_apart(session_factory, session, data_dir, tmp_path):
    run(session_factory, data_dir, tmp_path, iso(book("VN1", "Escape from loneliness", "Tournier, Paul")), "a.mrc")
    incoming = iso(book("VN1", "Dế Mèn phiêu lưu ký", "Tô Hoài", 1941))
    second = run(session_factory, data_dir, tmp_path, incoming, "b.mrc")
    assert (second.created, second.updated, second.conflicts) == (1, 0, 1)
    assert live(session) == [("Escape from loneliness", ["Tournier, Paul"]), ("Dế Mèn phiêu lưu ký", ["Tô Hoài"])]
    (conflict,) = problems(session, second.run_id, "conflict")
    assert (conflict.rule, conflict.record_id, conflict.file_name, conflict.ordinal) == ("control", 2, "b.mrc", 1)
    assert conflict.params == {"other": 1, "other_title": "Escape from loneliness"}
    # The original keeps every field; importing the same file again finds the record kept apart.
    assert session.get(Record, 1).marc["fields"][0] == {"001": "VN1"}
    again = run(session_factory, data_dir, tmp_path, incoming, "b.mrc")
    assert (again.created, again.unchanged, again.conflicts) == (0, 1, 0)
    assert len(live(session)) == 2


def test_a_conflict_inside_one_file_keeps_both(session_factory, session, data_dir, tmp_path):
    data = iso(book("1", "Số đỏ", "Vũ Trọng Phụng", source=""), book("1", "Chí Phèo", "Nam Cao", source=""))
    summary = run(session_factory, data_dir, tmp_path, data, "mot.mrc")
    assert (summary.created, summary.updated, summary.conflicts) == (2, 0, 1)
    assert [t for t, _a in live(session)] == ["Số đỏ", "Chí Phèo"]
    (conflict,) = problems(session, summary.run_id, "conflict")
    assert (conflict.rule, conflict.record_id, conflict.params["other"]) == ("local", 2, 1)


def test_records_without_a_title_or_with_a_bare_title_join_nothing(session_factory, session, data_dir, tmp_path):
    untitled = []
    for note in ("Bản đồ huyện Cát Hải", "Tờ rơi ngày sách"):
        record = book("", "x")
        record.fields = [f for f in record.fields if f.tag not in ("245", "100", "008", "264")]
        record.add_ordered_field(df("500", "  ", "a", note))
        untitled.append(record)
    bare = [book("", "Báo cáo năm", "x"), book("", "Báo cáo năm", "x")]
    for record, place in zip(bare, ("Xã Gia Luận", "Xã Việt Hải")):
        record.fields = [f for f in record.fields if f.tag not in ("100", "008", "264")]
        record.add_ordered_field(df("500", "  ", "a", place))
    for number, record in enumerate(untitled + bare):
        run(session_factory, data_dir, tmp_path, iso(record), f"{number}.mrc")
    assert [t for t, _a in live(session)] == ["[No title]", "[No title]", "Báo cáo năm", "Báo cáo năm"]


def test_the_same_marc_from_another_file_is_unchanged(session_factory, session, data_dir, tmp_path):
    # A record with a 001 and no 003, no author nor year: only its very content finds it again.
    record = book("44368", "Tạp chí Văn nghệ", source="")
    record.fields = [f for f in record.fields if f.tag not in ("100", "008", "264")]
    run(session_factory, data_dir, tmp_path, iso(record), "serials.xml")
    again = run(session_factory, data_dir, tmp_path, iso(record), "export.mrc")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert len(live(session)) == 1

"""Contract: keeping the index in step with the database (index, remove, check, rebuild, health),
sorting in Vietnamese order, search inside a book, and snippets that are text, not HTML."""
from __future__ import annotations

import datetime as dt

from catalog.digital.models import ANONYMOUS, Viewer, add_page, create_object
from catalog.records.models import Record, RecordDraft, create_record, mark_stale
from search_index.backend import plain_text

NOW = dt.datetime(2026, 3, 1, 8, 0)
# Vietnamese alphabetical order: a ă â b c d đ e ê ... o ô ơ ... u ư (a code-point sort puts every
# marked capital after Z).
IN_ORDER = ["An toàn giao thông", "Ăn uống mùa hè", "Âm nhạc dân gian", "Bầu trời đêm", "Dế mèn phiêu lưu ký",
            "Đà Nẵng xưa", "Ông già và biển cả", "Ơn nghĩa sinh thành", "Uống nước nhớ nguồn", "Ước mơ tuổi thơ"]


def add_records(session_factory, titles, **fields) -> list[int]:
    with session_factory.begin() as session:
        return [create_record(session, RecordDraft(title=t, **fields), now=NOW).id for t in titles]


def test_sort_by_title_is_vietnamese_alphabetical_order(fresh, session_factory):
    add_records(session_factory, list(reversed(IN_ORDER)))
    fresh.sync()
    assert [h.title for h in fresh.search("", sort="title", per_page=50).hits] == IN_ORDER


def test_index_records_then_remove_then_check_reports_the_drift(fresh, session_factory):
    kept, gone = add_records(session_factory, ["Lịch sử Hải Phòng", "Địa chí Hải Phòng"])
    report = fresh.index_records([kept, gone])
    assert (report.indexed, report.removed) == (2, 0)
    assert fresh.check().is_clean
    assert {h.id for h in fresh.search("hai phong").hits} == {kept, gone}
    assert fresh.remove([gone, 999_999]) == 1
    assert [h.id for h in fresh.search("hai phong").hits] == [kept]
    check = fresh.check()
    assert (check.missing, check.stale, check.orphaned, check.is_clean) == ([gone], [], [], False)
    assert (check.live, check.indexed) == (2, 1)
    fresh.index_records([gone])
    assert fresh.check().is_clean


def test_check_reports_stale_and_orphaned_entries(fresh, session_factory):
    changed, deleted = add_records(session_factory, ["Truyện cổ tích", "Ca dao tục ngữ"])
    fresh.sync()
    with session_factory.begin() as session:
        mark_stale(session.get(Record, changed), now=NOW + dt.timedelta(hours=1))
        record = session.get(Record, deleted)
        record.deleted_at, record.index_stale = NOW, False  # deleted behind the index's back
    check = fresh.check()
    assert (check.missing, check.stale, check.orphaned) == ([], [changed], [deleted])
    report = fresh.sync()
    assert report.indexed == 1
    assert fresh.check().orphaned == [deleted], "a sync does only what is marked"


def test_a_deleted_record_marked_stale_leaves_the_index(fresh, session_factory):
    (record_id,) = add_records(session_factory, ["Sổ tay nông dân"])
    fresh.sync()
    with session_factory.begin() as session:
        record = session.get(Record, record_id)
        record.deleted_at = NOW
        mark_stale(record, now=NOW)
    assert fresh.sync().removed == 1
    assert fresh.search("so tay nong dan").total == 0 and fresh.check().is_clean


def test_rebuild_from_the_database_with_progress(fresh, session_factory):
    ids = add_records(session_factory, [f"Bài tập toán lớp {n}" for n in range(1, 8)])
    fresh.index_records(ids[:3])
    seen = []
    assert fresh.rebuild(progress=lambda done, total: seen.append((done, total))) == 7
    assert seen and seen[-1] == (7, 7) and all(total == 7 for _done, total in seen)
    assert fresh.search("bai tap toan").total == 7
    check = fresh.check()
    assert check.is_clean and not check.needs_rebuild and check.indexed == 7


def test_health_ok_empty_and_behind(fresh, session_factory):
    health = fresh.health()
    assert (health.status, health.documents, health.stale_records) == ("ok", 0, 0), "an empty catalogue"
    (record_id,) = add_records(session_factory, ["Cẩm nang y tế"])
    assert fresh.health().status == "empty", "records, and nothing indexed: every search would miss"
    fresh.sync()
    health = fresh.health()
    assert (health.status, health.documents, health.stale_records, health.needs_rebuild) == ("ok", 1, 0, False)
    with session_factory.begin() as session:
        mark_stale(session.get(Record, record_id), now=NOW)
    assert fresh.health().status == "behind" and fresh.health().stale_records == 1  # max_stale=0 here


def test_snippets_hold_the_text_as_written_not_html(fresh, session_factory):
    add_records(session_factory, ["Cá & tôm"], summary='Nuôi cá <b>"sạch"</b> & tôm ở ao nhà.')
    fresh.sync()
    hit = fresh.search("tom").hits[0]
    assert plain_text(hit.snippet) == 'Nuôi cá <b>"sạch"</b> & tôm ở ao nhà.'
    assert ("tôm", True) in hit.snippet


def _book(session_factory, licence: str) -> tuple[int, int]:
    with session_factory.begin() as session:
        record = create_record(session, RecordDraft(title="Văn kiện xã Gia Luận"), now=NOW)
        obj = create_object(session, record, label="Bản quét", licence=licence, source_kind="images",
                            source_name="scan", now=NOW)
        add_page(session, obj, image_path="1.png", width=1000, height=1400, text="Báo cáo nông nghiệp năm 1997.",
                 text_source="ocr", now=NOW)
        add_page(session, obj, image_path="2.png", width=1000, height=1400,
                 text="Quyết định thành lập thư viện xã Gia Luận.", text_source="ocr", now=NOW,
                 words=[["Quyết", 100, 200, 80, 30], ["định", 190, 200, 60, 30], ["thành", 260, 200, 70, 30]])
        add_page(session, obj, image_path="3.png", width=1000, height=1400,
                 text="Quyet đinh số 12 về phòng đọc.", text_source="ocr", now=NOW)
        return record.id, obj.id


def test_search_inside_a_book_gives_pages_spans_and_boxes(fresh, session_factory):
    _record_id, object_id = _book(session_factory, "cc-by")
    with session_factory() as session:
        from catalog.digital.models import DigitalObject

        obj = session.get(DigitalObject, object_id)
        hits = fresh.search_inside([obj], "quyết định", viewer=ANONYMOUS)
        assert [h.page for h in hits] == [2, 3]
        first = hits[0]
        assert first.object_id == object_id and not first.restricted
        assert first.boxes == [[100, 200, 80, 30], [190, 200, 60, 30]]
        assert ("Quyết", True) in first.snippet and ("định", True) in first.snippet
        assert "thành lập" in plain_text(first.snippet)
        assert ("Quyet", True) in hits[1].snippet, "marks typed or not, OCR without marks still matches"
        assert [h.page for h in fresh.search_inside([obj], "QUYET DINH")] == [2, 3]
        assert fresh.search_inside([obj], "không có") == []
        assert [h.page for h in fresh.search_inside([obj], "nông nghiệp")] == [1]


def test_search_inside_material_read_at_the_library_gives_page_numbers_only(fresh, session_factory):
    _record_id, object_id = _book(session_factory, "in-library")
    with session_factory() as session:
        from catalog.digital.models import DigitalObject

        obj = session.get(DigitalObject, object_id)
        hits = fresh.search_inside([obj], "quyết định")
        assert [(h.page, h.snippet, h.boxes, h.restricted) for h in hits] == [(2, (), [], True), (3, (), [], True)]
        staff = fresh.search_inside([obj], "quyết định", viewer=Viewer(is_staff=True))
        assert staff[0].boxes and plain_text(staff[0].snippet)

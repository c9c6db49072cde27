"""Keeping the index in step with the database: sync, deletions, merges, drift, concurrency."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from catalog.records.indexing import mark_indexed_versions
from catalog.copies.items import ItemStatus, add_item, set_item_status
from catalog.libraries import Library, LibraryKind
from catalog.records.models import Record, RecordDraft, apply_draft, create_record, delete_record, stale_record_ids
from search_index.errors import IndexUnavailable
from search_index.query import search
from search_index.rebuild import reindex
from search_index.writer import check_index, open_index, sync


def titles(index, text):
    return [hit.title for hit in search(index, text).hits]


def new_record(session_factory, title, **fields):
    with session_factory.begin() as session:
        return create_record(session, RecordDraft(title=title, **fields)).id


def test_sync_indexes_stale_records_and_clears_the_flag(session_factory, index):
    record_id = new_record(session_factory, "Kỹ thuật nuôi tôm", subjects=["Thủy sản"])
    report = sync(session_factory, index)
    assert report.indexed == 1
    assert titles(index, "nuoi tom") == ["Kỹ thuật nuôi tôm"]
    with session_factory() as session:
        assert stale_record_ids(session) == []
        record = session.get(Record, record_id)
        assert not record.index_stale
    assert check_index(session_factory, index).is_clean


def test_edits_copies_deletions_and_merges_reach_the_index(session_factory, index):
    keep = new_record(session_factory, "Lịch sử Hải Phòng")
    gone = new_record(session_factory, "Địa lý Hải Phòng")
    merged = new_record(session_factory, "Lich su Hai Phong (ban trung)")
    sync(session_factory, index)
    assert len(search(index, "hai phong").hits) == 3
    with session_factory.begin() as session:
        record = session.get(Record, keep)
        apply_draft(session, record, RecordDraft(title="Lịch sử thành phố Hải Phòng"))
        library = Library(code="TTVH", name="Thư viện Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
        session.add(library)
        item = add_item(session, record, barcode="B1", library=library)
        set_item_status(session, item, ItemStatus.ON_LOAN)
        delete_record(session, session.get(Record, gone))
        session.get(Record, merged).merged_into_id = keep
        session.get(Record, merged).index_stale = True
    report = sync(session_factory, index)
    assert report.indexed == 1 and report.removed == 2
    result = search(index, "hai phong")
    assert [hit.title for hit in result.hits] == ["Lịch sử thành phố Hải Phòng"]
    assert result.hits[0].holdings == [{"library": "TTVH", "name": "Thư viện Trung tâm", "copies": 1, "available": 0}]
    assert {f.value: f.count for f in result.facets["availability"]} == {"unavailable": 1}
    assert check_index(session_factory, index).is_clean


def test_check_index_reports_missing_stale_and_orphaned_entries(session_factory, index):
    first = new_record(session_factory, "Một")
    second = new_record(session_factory, "Hai")
    sync(session_factory, index)
    third = new_record(session_factory, "Ba")  # not synced: missing
    with session_factory.begin() as session:
        apply_draft(session, session.get(Record, first), RecordDraft(title="Một (sửa)"))  # stale
        session.get(Record, second).deleted_at = dt.datetime(2026, 1, 1)  # deleted behind the index's back
        session.get(Record, second).index_stale = False
    drift = check_index(session_factory, index)
    assert (drift.missing, drift.stale, drift.orphaned) == ([third], [first], [second])
    assert not drift.is_clean
    sync(session_factory, index)
    drift = check_index(session_factory, index)
    assert drift.orphaned == [second] and not drift.missing and not drift.stale
    reindex(session_factory, index)
    assert check_index(session_factory, index).is_clean
    assert titles(index, "mot") == ["Một (sửa)"]


def test_a_change_committed_while_indexing_stays_stale(session_factory, index):
    record_id = new_record(session_factory, "Bản đầu")
    with session_factory() as session:
        read_version = session.get(Record, record_id).stale_since
    with session_factory.begin() as session:
        apply_draft(session, session.get(Record, record_id), RecordDraft(title="Bản sau"),
                    now=read_version + dt.timedelta(seconds=1))
    with session_factory.begin() as session:  # the indexer clears what it read: an older version
        mark_indexed_versions(session, [(record_id, read_version)])
    with session_factory() as session:
        assert stale_record_ids(session) == [record_id]


def test_a_failed_sync_leaves_records_stale_and_a_later_one_catches_up(session_factory, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")
    new_record(session_factory, "Sổ tay thủ thư")
    with pytest.raises(IndexUnavailable) as failure:
        sync(session_factory, blocked)
    assert str(failure.value).startswith(f"The search index at {blocked} cannot be opened")
    with session_factory() as session:
        assert len(stale_record_ids(session)) == 1
    sync(session_factory, tmp_path / "index")
    assert titles(tmp_path / "index", "so tay thu thu") == ["Sổ tay thủ thư"]


def test_concurrent_updates_and_syncs_lose_no_update(session_factory, index):
    ids = [new_record(session_factory, f"Sách số {n}") for n in range(6)]
    sync(session_factory, index)
    errors = []

    def worker(number: int) -> None:
        try:
            for round_ in range(5):
                with session_factory.begin() as session:
                    record = session.get(Record, ids[number])
                    apply_draft(session, record, RecordDraft(title=f"Sách số {number} lần {round_}"))
                sync(session_factory, index)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sync(session_factory, index)  # nothing left to do if no update was lost
    with session_factory() as session:
        assert stale_record_ids(session) == []
    ix = open_index(index)
    with ix.searcher() as searcher:
        entries = [(fields["id"], fields["data"]["title"]) for fields in searcher.all_stored_fields()]
        indexed = dict(entries)
    ix.close()
    assert len(entries) == len(ids), entries  # one entry per record: updates replaced, never duplicated
    assert indexed == {str(rid): f"Sách số {n} lần 4" for n, rid in enumerate(ids)}
    assert check_index(session_factory, index).is_clean


def test_concurrent_writers_in_separate_index_objects_never_crash_on_the_lock(session_factory, index):
    new_record(session_factory, "Khởi đầu")
    sync(session_factory, index)
    ix = open_index(index)
    writer = ix.writer()  # another process holding the lock for a moment
    timer = threading.Timer(0.5, writer.cancel)
    timer.start()
    new_record(session_factory, "Tiếp theo")
    sync(session_factory, index)  # waits for the lock, then indexes
    timer.join()
    ix.close()
    assert titles(index, "tiep theo") == ["Tiếp theo"]
    with session_factory() as session:
        assert session.scalars(select(Record.id).where(Record.index_stale.is_(True))).all() == []


def test_an_edit_begun_before_a_sync_cleared_the_flag_stays_stale(session_factory, index):
    record_id = new_record(session_factory, "Bản đầu")
    with session_factory() as editor:
        record = editor.get(Record, record_id)  # loaded while still marked stale
        sync(session_factory, index)  # clears the flag in the database
        apply_draft(editor, record, RecordDraft(title="Bản sửa"))
        editor.commit()
    with session_factory() as session:
        assert stale_record_ids(session) == [record_id]
    sync(session_factory, index)
    assert titles(index, "ban sua") == ["Bản sửa"]


def test_facets_and_matches_stay_right_across_commits_that_reuse_the_cache(session_factory, index):
    from catalog.copies.items import add_item
    from catalog.libraries import Library, LibraryKind

    with session_factory.begin() as session:
        library = Library(code="TTVH", name="Thư viện Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
        session.add(library)
        for n in range(30):
            record = create_record(session, RecordDraft(title=f"Địa lý Việt Nam {n}", year=2000 + n % 3,
                                                        languages=["vie"]))
            add_item(session, record, barcode=f"D{n}", library=library)
    sync(session_factory, index)
    first = search(index, "dia ly", filters=[("decade", "2000")])
    assert first.total == 30
    with session_factory.begin() as session:  # a commit: one record changed, one deleted, one added
        records = session.scalars(select(Record).order_by(Record.id)).all()
        apply_draft(session, records[0], RecordDraft(title="Lịch sử Hải Phòng", year=1995, languages=["vie"]))
        delete_record(session, records[1])
        create_record(session, RecordDraft(title="Địa lý Hải Phòng", year=2021, languages=["eng"]))
    sync(session_factory, index)
    after = search(index, "dia ly")
    assert after.total == 29
    assert {f.value: f.count for f in after.facets["decade"]} == {"2000": 28, "2020": 1}
    assert {f.value: f.count for f in after.facets["language"]} == {"vie": 28, "eng": 1}
    assert {f.value: f.count for f in search(index, "").facets["decade"]} == {"2000": 28, "2020": 1, "1990": 1}
    # Equal scores and title lengths: the order is the index's, so the set is what is checked.
    assert sorted(h.title for h in search(index, "hai phong").hits) == ["Lịch sử Hải Phòng", "Địa lý Hải Phòng"]
    assert [h.title for h in search(index, "địa lý hải phòng").hits][:1] == ["Địa lý Hải Phòng"]
    assert check_index(session_factory, index).is_clean

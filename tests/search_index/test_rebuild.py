"""reindex while the index is searched and written: built aside, swapped in under the write lock."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from catalog.copies.items import Item, ItemStatus, add_item, set_item_status
from catalog.libraries import Library, LibraryKind
from catalog.records.models import Record, RecordDraft, apply_draft, create_record, stale_record_ids
from search_index.errors import IndexBusy
from search_index.query import search
from search_index.rebuild import reindex
from search_index.writer import check_index, open_index, sync

RECORDS = 30


@pytest.fixture
def catalogue(session_factory, index):
    with session_factory.begin() as session:
        library = Library(code="TTVH", name="Thư viện Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
        session.add(library)
        for n in range(RECORDS):
            record = create_record(session, RecordDraft(title=f"Lịch sử xã Cát Hải tập {n}", languages=["vie"]))
            add_item(session, record, barcode=f"CH{n:03d}", library=library)
    sync(session_factory, index)
    return session_factory


def hold_the_lock(index, seconds: float) -> threading.Thread:
    """Another process's writer holding the index lock for a while."""
    writer = open_index(index).writer()
    thread = threading.Timer(seconds, writer.cancel)
    thread.start()
    return thread


def test_searches_during_a_reindex_keep_finding_everything(catalogue, index):
    holder = hold_the_lock(index, 1.5)  # the rebuild waits for it before it swaps
    totals = []
    rebuild = threading.Thread(target=reindex, args=(catalogue, index))
    rebuild.start()
    while rebuild.is_alive():
        totals.append(search(index, "lich su cat hai").total)
        time.sleep(0.02)
    rebuild.join()
    holder.join()
    assert len(totals) > 10 and set(totals) == {RECORDS}
    assert search(index, "lich su cat hai").total == RECORDS
    assert check_index(catalogue, index).is_clean


def test_a_reindex_that_cannot_get_the_lock_leaves_the_index_answering(catalogue, index):
    holder = hold_the_lock(index, 2.0)
    with pytest.raises(IndexBusy) as failure:
        reindex(catalogue, index, lock_timeout=0.3)
    holder.join()
    assert "the old one still answers" in str(failure.value)
    assert search(index, "lich su cat hai").total == RECORDS
    assert [p.name for p in index.iterdir() if p.name.startswith(".rebuild")] == []  # nothing left behind


def test_changes_committed_while_the_index_is_rebuilt_are_in_the_new_index(catalogue, index):
    """A librarian lends a copy and edits a title while reindex runs; each change is indexed in
    the live index by its own sync; after the swap the new index has them too."""
    started = threading.Event()

    def progress(done: int, total: int) -> None:
        if not started.is_set():
            started.set()
            time.sleep(0.5)  # the rest of the catalogue is read after the changes below

    rebuild = threading.Thread(target=reindex, args=(catalogue, index), kwargs={"batch_size": 5, "progress": progress})
    rebuild.start()
    assert started.wait(10)
    with catalogue.begin() as session:
        first = session.scalars(select(Record).order_by(Record.id)).first()  # read by the rebuild already
        apply_draft(session, first, RecordDraft(title="Địa chí Cát Hải", languages=["vie"]))
        item = session.scalars(select(Item).where(Item.barcode == "CH001")).one()
        set_item_status(session, item, ItemStatus.ON_LOAN)
        create_record(session, RecordDraft(title="Lịch sử xã Cát Hải tập mới", languages=["vie"]))
    sync(catalogue, index)
    rebuild.join()
    assert [h.title for h in search(index, "dia chi cat hai").hits] == ["Địa chí Cát Hải"]
    result = search(index, "lich su cat hai")
    assert result.total == RECORDS  # one renamed away, one added
    assert {f.value: f.count for f in result.facets["availability"]} == {"available": RECORDS - 2, "unavailable": 1,
                                                                   "none": 1}
    with catalogue() as session:
        assert stale_record_ids(session) == []
    assert check_index(catalogue, index).is_clean

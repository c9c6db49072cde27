"""Public search while the catalogue changes: residents search and open records while a librarian
lends and returns copies, in this process (a thread) and from another process, each change indexed
as it is committed. Every answer must be right, not only not an error."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy import select

from catalog.copies.items import Item, ItemStatus, add_item, set_item_status
from catalog.libraries import Library, LibraryKind
from catalog.records.models import RecordDraft, create_record
from search_index.writer import sync
from tests.conftest import ROOT

RECORDS = 80
WORDS = ("lich su", "dia ly", "van hoc", "thuy san", "nong nghiep")
SECONDS = 4.0

LIBRARIAN = textwrap.dedent("""
    import sys, time
    from sqlalchemy import select
    from catalog.db import make_engine, make_session_factory
    from catalog.copies.items import Item, ItemStatus, set_item_status
    from search_index.writer import sync

    url, index, until, barcodes = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4].split(",")
    factory = make_session_factory(make_engine(url))
    rounds = 0
    while time.time() < until or rounds < 10:
        for barcode in barcodes[:1] if time.time() > until else barcodes:
            with factory.begin() as session:
                item = session.scalars(select(Item).where(Item.barcode == barcode)).one()
                lent = item.status == ItemStatus.ON_LOAN
                set_item_status(session, item, ItemStatus.AVAILABLE if lent else ItemStatus.ON_LOAN)
            sync(factory, index)
            rounds += 1
    print(rounds)
""")


@pytest.fixture
def catalogue(app):
    """RECORDS records, one copy each, every title holding one of WORDS; indexed."""
    factory = app.extensions["session_factory"]
    with factory.begin() as session:
        library = Library(code="TTVH", name="Thư viện Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
        session.add(library)
        for n in range(RECORDS):
            topic = ["Lịch sử", "Địa lý", "Văn học", "Thủy sản", "Nông nghiệp"][n % len(WORDS)]
            record = create_record(session, RecordDraft(title=f"{topic} xã Cát Hải tập {n}", year=1990 + n % 30,
                                                        languages=["vie"], subjects=[topic]))
            add_item(session, record, barcode=f"CH{n:03d}", library=library)
    sync(factory, app.config["DATA_DIR"] + "/index")
    return factory


def _resident(client, errors: list, counts: list, done: threading.Event) -> None:
    """Searches each word and opens the first hit, checking what a reader would see."""
    expected = RECORDS // len(WORDS)
    while not done.is_set():
        for word in WORDS:
            try:
                response = client.get(f"/api/search?q={word}&per_page=5")
            except Exception as exc:  # noqa: BLE001 - testing propagates a 500's exception: collected
                errors.append((word, repr(exc)))
                continue
            if response.status_code != 200:
                errors.append((word, response.status_code, response.get_data(as_text=True)[:200]))
                continue
            found = response.get_json()
            availability = sum(v["count"] for v in found["facets"]["availability"])
            ids = [h["id"] for h in found["hits"]]
            if found["total"] != expected or availability != expected or len(set(ids)) != 5:
                errors.append((word, found["total"], availability, ids))
            record = client.get(f"/records/{ids[0]}") if ids else None
            if record is not None and record.status_code != 200:
                errors.append((f"/records/{ids[0]}", record.status_code))
            counts.append(1)


def _librarian(factory, index, barcodes: list[str], done: threading.Event, errors: list) -> None:
    """Lends and returns copies at the desk, each change indexed after its commit."""
    try:
        while not done.is_set():
            for barcode in barcodes:
                if done.is_set():
                    break
                with factory.begin() as session:
                    item = session.scalars(select(Item).where(Item.barcode == barcode)).one()
                    lent = item.status == ItemStatus.ON_LOAN
                    set_item_status(session, item, ItemStatus.AVAILABLE if lent else ItemStatus.ON_LOAN)
                sync(factory, index)
    except Exception as exc:  # noqa: BLE001 - collected and asserted below
        errors.append(("librarian", repr(exc)))


def test_searches_stay_right_while_a_librarian_lends_and_returns(app, catalogue, db_url):
    index = app.config["DATA_DIR"] + "/index"
    errors: list = []
    counts: list = []
    done = threading.Event()
    other = subprocess.Popen(
        [sys.executable, "-c", LIBRARIAN, db_url, index, str(time.time() + SECONDS),
         ",".join(f"CH{n:03d}" for n in range(1, 20, 2))],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    threads = [threading.Thread(target=_resident, args=(app.test_client(), errors, counts, done)) for _ in range(3)]
    threads.append(threading.Thread(target=_librarian, args=(
        catalogue, index, [f"CH{n:03d}" for n in range(0, RECORDS, 2)], done, errors)))
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    try:
        out, err = other.communicate(timeout=120)  # searches go on until the other process is done
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert other.returncode == 0, err[-2000:]
    assert int(out.strip()) > 0  # the other process did commit changes meanwhile
    assert errors[:5] == [] and len(counts) > 20, errors[:3]
    # Once quiet, the index agrees with the database: the copies' states as last committed.
    with catalogue() as session:
        on_loan = len(session.scalars(select(Item).where(Item.status == ItemStatus.ON_LOAN)).all())
    found = app.test_client().get("/api/search?q=cat+hai").get_json()
    assert {v["value"]: v["count"] for v in found["facets"]["availability"]} == {
        k: v for k, v in {"available": RECORDS - on_loan, "unavailable": on_loan}.items() if v}

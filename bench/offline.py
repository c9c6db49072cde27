"""Offline desks: how long preparing a device takes for a school of 5,000 copies and 1,000
readers on the slow link (400 ms round trip, 50 KB/s), and how long 500 queued actions take to
sync. The server side is measured (the real app through its WSGI interface: sign-in, prepare,
pack, the desk page and its static files and service worker, gzipped as served; the sync route
with its HMAC check, services and commit); the link is added from the bytes each request really
moved: one round trip per request plus bytes / 50 KB/s (requests run one after another, as the
page does them).

Usage: .venv/bin/python bench/offline.py [--copies 5000] [--readers 1000] [--actions 500]
(LIBRARY_DATABASE_URL=postgresql+psycopg://... runs it on a fresh PostgreSQL database.)
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, update  # noqa: E402

from app import create_app  # noqa: E402
from app.schema import upgrade  # noqa: E402
from catalog.circulation.models import Loan  # noqa: E402
from catalog.db import make_engine, make_session_factory, utcnow  # noqa: E402
from catalog.copies.items import Item, ItemStatus  # noqa: E402
from catalog.libraries import Library, LibraryKind  # noqa: E402
from catalog.offline.queue import envelope  # noqa: E402
from catalog.records.models import Record  # noqa: E402
from catalog.accounts.users import Role, User, create_user  # noqa: E402

RTT = 0.400
BYTES_PER_SECOND = 50 * 1024
WORDS = ["Truyện", "cổ tích", "Việt Nam", "Toán", "Tiếng Việt", "lớp", "Khoa học", "tự nhiên", "Lịch sử", "Địa lý",
         "những", "người", "biển", "đảo", "Cát Bà", "em", "học", "vui", "sách", "tập"]


def build(url: str, copies: int, readers: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    rng = random.Random(18)
    with factory.begin() as session:
        school = Library(code="TH-BENCH", name="Trường Tiểu học Cát Bà", kind=LibraryKind.SCHOOL)
        session.add(school)
        session.flush()
        titles = copies // 2
        session.execute(insert(Record), [{"id": n + 1, "title": " ".join(rng.choices(WORDS, k=rng.randint(3, 7)))
                                          + f" {n}", "title_sort": f"t{n}"} for n in range(titles)])
        session.execute(insert(Item), [{"barcode": f"TH{n:07d}", "record_id": n % titles + 1,
                                        "home_library_id": school.id, "current_library_id": school.id,
                                        "status": ItemStatus.AVAILABLE} for n in range(copies)])
        session.execute(insert(User), [{"username": f"hs{n}", "role": Role.READER, "card_barcode": f"HS{n:06d}",
                                        "display_name": f"Nguyễn Văn Học Sinh {n}", "library_id": school.id}
                                       for n in range(readers)])
        create_user(session, "thuvien", role=Role.LIBRARIAN, password="bench password", library=school)
        # a tenth of the copies already out, as in term time
        reader_ids = list(session.scalars(select(User.id).where(User.role == Role.READER)))
        items = list(session.scalars(select(Item.id).order_by(Item.id)))[copies - copies // 10:]
        now = utcnow()
        session.execute(insert(Loan), [{"item_id": item, "reader_id": reader_ids[n % len(reader_ids)],
                                        "library_id": school.id, "checked_out_at": now, "due_at": now
                                        + dt.timedelta(days=21), "renewals": 0} for n, item in enumerate(items)])
        session.execute(update(Item).where(Item.id.in_(items)).values(status=ItemStatus.ON_LOAN))
    engine.dispose()


class Link:
    """Counts what a page moves over the link: one round trip per request, and its bytes."""

    def __init__(self, client) -> None:
        self.client, self.requests, self.bytes, self.server = client, 0, 0, 0.0

    def call(self, method: str, path: str, **kwargs):
        headers = {"Accept-Encoding": "gzip", **kwargs.pop("headers", {})}
        start = time.perf_counter()
        response = getattr(self.client, method)(path, headers=headers, **kwargs)
        self.server += time.perf_counter() - start
        sent = len(kwargs.get("data") or b"") if isinstance(kwargs.get("data"), (bytes, str)) else 0
        self.requests += 1
        self.bytes += len(response.data) + sent + 400  # headers both ways, roughly
        return response

    def seconds(self) -> float:
        return self.server + self.requests * RTT + self.bytes / BYTES_PER_SECOND


def body(response) -> bytes:
    return gzip.decompress(response.data) if response.headers.get("Content-Encoding") == "gzip" else response.data


def run(url: str, copies: int, readers: int, actions: int) -> dict:
    build(url, copies, readers)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "DATA_DIR": tempfile.mkdtemp(),
                      "SECRET_KEY": "bench-secret-key-long-enough", "WTF_CSRF_ENABLED": False,
                      "JOBS_SYNCHRONOUS": True})
    client = app.test_client()
    client.post("/login", data={"username": "thuvien", "password": "bench password"})
    with app.extensions["session_factory"]() as session:
        school = session.scalar(select(Library).where(Library.code == "TH-BENCH"))
        librarian = session.scalar(select(User).where(User.username == "thuvien"))
    link = Link(client)
    info = link.call("post", "/staff/offline/devices", data={"library": school.id},
                     headers={"Accept": "application/json"}).get_json()
    pack_response = link.call("get", info["pack_url"])
    pack_bytes, pack_gzip = len(body(pack_response)), len(pack_response.data)
    pack = json.loads(body(pack_response))
    page = link.call("get", "/staff/offline/desk")
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', body(page).decode()):
        link.call("get", asset)
    link.call("get", "/staff/sw.js")
    link.call("get", "/staff/offline/desk")  # the worker keeps its own copy of the page
    prepare = {"server s": link.server, "requests": link.requests, "bytes": link.bytes, "total s": link.seconds(),
               "pack bytes": pack_bytes, "pack gzip": pack_gzip, "copies": len(pack["copies"]),
               "readers": len(pack["readers"])}

    start = utcnow().replace(microsecond=0) - dt.timedelta(hours=6)
    available = [row[0] for row in pack["copies"] if row[3] == "available"]
    queue, seq = [], 0

    def add(kind: str, **fields) -> None:
        nonlocal seq
        seq += 1
        at = (start + dt.timedelta(seconds=20 * seq)).isoformat() + "Z"
        queue.append({"id": str(uuid.uuid4()), "seq": seq, "kind": kind, "at": at, "staff": librarian.id,
                      "card": fields.get("card", ""), "barcode": fields.get("barcode", ""),
                      "count": fields.get("count", 0), "group": fields.get("group", "")})

    lends = actions * 7 // 10
    for n in range(lends):
        add("checkout", card=f"HS{n % readers:06d}", barcode=available[n])
    for n in range(actions * 2 // 10):
        add("checkin", barcode=available[n])
    while len(queue) < actions:
        add("visit", count=1, group="children")
    data = json.dumps(envelope(info["device"], info["key"], queue))
    sync_link = Link(client)
    sync_link.call("get", "/staff/offline/token")
    report = sync_link.call("post", "/staff/offline/sync", data=data, content_type="application/json",
                            headers={"Accept": "application/json"}).get_json()
    assert report["applied"] == actions, report
    again = Link(client)
    again.call("post", "/staff/offline/sync", data=data, content_type="application/json",
               headers={"Accept": "application/json"})
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()
    return {"prepare": prepare,
            "sync": {"server s": sync_link.server, "bytes": sync_link.bytes, "total s": sync_link.seconds(),
                     "applied": report["applied"], "per action ms": 1000 * sync_link.server / actions},
            "sync again (all duplicates)": {"server s": again.server, "total s": again.seconds()}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=5000)
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--actions", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("LIBRARY_DATABASE_URL", "")
    if url.startswith("postgresql"):
        from tests.conftest import create_database, drop_database
        url = create_database(url)
    else:
        url, drop_database = f"sqlite:///{tempfile.mkdtemp()}/bench.db", None
    try:
        figures = run(url, args.copies, args.readers, args.actions)
    finally:
        if drop_database is not None:
            drop_database(url)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

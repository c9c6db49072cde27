"""Every page in Vietnamese shows words, not codes: walk the app's GET routes with sample ids from
the demo library, anonymously and as each staff role, and fail on a raw code (record type, status,
licence, library code, role), an English phrase from a stop-list or a Python repr."""
from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from catalog.rotation import batches
from catalog.circulation import lending
from catalog.digital.models import DigitalObject, Page, add_note
from catalog.libraries import Library
from catalog.records.models import Record
from catalog.accounts.users import User
from tests.conftest import login

CODES = [
    # record types
    "book", "serial", "computer_file", "sound", "manuscript", "mixed",  # "video" is Vietnamese too
    # copy, hold, batch, rotation and work statuses
    "available", "on_loan", "in_transit", "in_rotation", "damaged", "withdrawn", "waiting", "ready", "collected",
    "cancelled", "expired", "draft", "dispatched", "at_school", "returning", "closed", "packed", "received",
    "missing", "returned", "queued", "running", "done", "failed", "partial", "unavailable",
    # licences
    "cc-by", "cc-by-sa", "cc-by-nc", "cc-by-nc-sa", "cc-by-nd", "cc-by-nc-nd", "cc0", "public-domain",
    "in-library", "all-rights-reserved",
    # roles
    "admin", "cataloguer", "librarian", "district",
    # library codes as bare text
    "TTVH", "TH-CATBA", "THCS-CATHAI", "THPT-CATBA", "BDVH-HIENHAO", "PD-GIALOC",
]
ENGLISH = ["This field is required", "Number must be", "Not a valid", "Invalid", "holds open", "instead of",
           "create record", "update record", "rendered at", "Internal Server Error", "None", "True", "False",
           # English labels (the demo data has English titles, so no plain English words here)
           "Attribution", "Computer file", "Printed music", "Sound recording", "administrator", "being prepared",
           "waiting for a copy", "ready to collect", "on loan", "in rotation", "Read in the library only",
           "All rights reserved", "not started"]
REPRS = ["{'", "[{", "['", "{seq", "{library}"]
# Anything after these words is the user's own data (their name) and may be anything.
STAFF = ["admin", "bienmuc", "thuthu", "phongvh"]


class _Text(HTMLParser):
    """What a reader sees: text outside <script>/<style>, plus option labels and button values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        values = dict(attrs)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str, username: str | None, libraries: dict[str, str]) -> str:
    """The page's text without the signed-in user's name and without library codes shown beside
    their library's name ("Thư viện … (TTVH)", "TTVH — Thư viện …"): only a bare code is a fault."""
    parser = _Text()
    parser.feed(page)
    text = " ".join(" ".join(parser.parts).split())
    for code, name in libraries.items():
        text = text.replace(f"{name} ({code})", name).replace(f"{code} — {name}", name)
    return re.sub(rf"\b{re.escape(username)}\b", "", text) if username else text


def offending(text: str) -> list[str]:
    """The codes, English phrases and reprs found in a page's visible text."""
    found = [code for code in CODES if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]
    found += [phrase for phrase in ENGLISH if re.search(rf"\b{re.escape(phrase)}\b", text)]
    return found + [r for r in REPRS if r in text]


@pytest.fixture
def sample(demo):
    """Demo library plus one of everything a page can show: a scanned book, a loan, a hold, a damaged
    copy, a rotation batch, an edited record (its history and the audit trail)."""
    app = demo
    now = dt.datetime(2026, 12, 1, 17, 30)
    with app.extensions["session_factory"].begin() as session:
        libraries = {lib.code: lib for lib in session.scalars(select(Library))}
        records = session.scalars(select(Record).order_by(Record.id)).all()
        reader = session.scalar(select(User).where(User.username == "bandoc"))
        obj = DigitalObject(record_id=records[0].id, label="Bản quét", page_count=1, licence="cc-by",
                            ocr_status="done")
        obj.pages = [Page(number=1, text="Lời nói đầu")]
        add_note(obj, "{file}: a large page, rendered at {dpi} dpi instead of {wanted}.",
                 {"file": "ban-do.pdf", "dpi": 210, "wanted": 300})
        session.add(obj)
        centre = libraries["TTVH"]
        lent = next(i for r in records for i in r.items if i.current_library_id == centre.id)
        lending.checkout(session, reader=reader, barcode=lent.barcode, library=centre, now=now)
        lending.place_hold(session, reader=reader, record=records[1], library=centre, now=now)
        broken = next(i for i in records[2].items)
        broken.status = broken.status.DAMAGED
        batch = batches.create_batch(session, origin=centre, stops=[(libraries["TH-CATBA"], 30)], now=now)
        packed = next(i for r in records[3:] for i in r.items
                      if i.current_library_id == centre.id and i.status.value == "available")
        batches.add_copy(session, batch, packed.barcode, now=now)
        session.flush()
        ids = {"record_id": records[0].id, "object_id": obj.id, "number": 1, "page": 1, "item_id": lent.id,
               "user_id": reader.id, "batch_id": batch.id, "library_id": centre.id, "packed": packed.barcode,
               "libraries": {code: " ".join(lib.name.split()) for code, lib in libraries.items()}}
    client = app.test_client()
    login(client, "bienmuc")
    client.post(f"/staff/records/{ids['record_id']}/edit", data=_record_form(client, ids["record_id"]))
    return app, ids


def _record_form(client, record_id: int) -> dict:
    page = client.get(f"/staff/records/{record_id}/edit").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    title = re.search(r'name="title"[^>]*value="([^"]*)"', page)
    return {"csrf_token": token.group(1) if token else "", "title": (title.group(1) if title else "x") + " (sửa)",
            "record_type": "book", "year": "2001", "languages": "vie", "subjects": "Lịch sử"}


SKIPPED_SUFFIXES = (".json", ".xml", ".mrc", ".pdf", ".csv", ".bin", "/download", "/text")
SKIPPED_PREFIXES = ("/api/", "/iiif/", "/oai", "/opds", "/healthz", "/static/")


def pages(app, ids: dict) -> list[str]:
    """Every HTML GET route, filled with the sample ids."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(SKIPPED_PREFIXES) \
                    or rule.rule.endswith(SKIPPED_SUFFIXES) or not rule.arguments <= set(ids):
                continue
            urls.append(app.url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments}))
    # Pages that show more with a query: a facet chip, a copy's travels, a reader at the desk.
    urls += ["/search?q=&f=library:TH-CATBA", f"/staff/rotation/copy?barcode={ids['packed']}",
             "/staff/circulation?card=BD000001", "/staff/copies?barcode=" + ids["packed"]]
    return sorted(set(urls))


@pytest.mark.parametrize("username", [None, "bandoc", "admin", "bienmuc", "thuthu", "phongvh"])
def test_every_page_in_vietnamese_shows_words_not_codes(sample, username):
    app, ids = sample
    client = app.test_client()
    if username:
        login(client, username)
    problems = {}
    for url in pages(app, ids):
        response = client.get(url)
        if response.status_code in (302, 403, 404, 405) or response.mimetype != "text/html":
            continue
        found = offending(visible_text(response.get_data(as_text=True), username, ids["libraries"]))
        if found:
            problems[url] = found
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in sorted(problems.items()))


def test_form_messages_are_in_vietnamese(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    page = client.post("/staff/records/new", data={"title": "", "year": "3000", "record_type": "book"})
    text = visible_text(page.get_data(as_text=True), "bienmuc", {})
    assert "Trường này bắt buộc." in text and "Số phải trong khoảng từ 1000 đến 2100." in text
    assert offending(text) == []


def test_the_server_error_page_is_in_vietnamese(app):
    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/broken-for-test")
    text = visible_text(response.get_data(as_text=True), None, {})
    assert response.status_code == 500 and "Hệ thống gặp lỗi." in text
    assert "Internal Server Error" not in text and "The server encountered" not in text


def test_iiif_labels_name_the_licence_in_words(sample):
    app, ids = sample
    manifest = app.test_client().get(f"/iiif/{ids['object_id']}/manifest").get_json()
    assert manifest["requiredStatement"]["value"] == {"vi": ["Creative Commons Ghi công (CC BY)"],
                                                      "en": ["Creative Commons Attribution (CC BY)"]}
    assert manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"


def test_a_refusal_at_the_desk_names_the_status_in_vietnamese(demo):
    from catalog.copies.items import Item, ItemStatus

    with demo.extensions["session_factory"].begin() as session:
        centre = session.scalar(select(Library).where(Library.code == "TTVH"))
        copy = session.scalars(select(Item).where(Item.current_library_id == centre.id).order_by(Item.id)).first()
        copy.status = ItemStatus.DAMAGED
        barcode = copy.barcode
    client = demo.test_client()
    login(client, "thuthu")
    page = client.post("/staff/circulation/checkout", data={"card": "BD000001", "barcode": barcode},
                       follow_redirects=True).get_data(as_text=True)
    text = visible_text(page, "thuthu", {})
    assert f"Bản sách {barcode} đang ở trạng thái hư hỏng" in text
    assert "damaged" not in text

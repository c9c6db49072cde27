"""The public digital library (browse, reader, plain text, downloads, search inside, OPDS), licence
enforcement, usage counts, and the staff side (upload job, corrections)."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from flask import render_template

from catalog import clock
from catalog.db import utcnow
from catalog.digital.models import DigitalObject, can_download, can_read
from catalog.reports.usage import usage_total
from tests.conftest import login
from tests.ingest.scan_samples import encoded, plain_image, text_pdf, zip_with

ATOM = "{http://www.w3.org/2005/Atom}"


def ingest(runner, path, *extra) -> dict:
    result = runner.invoke(args=["ingest-scans", str(path), "--no-ocr", "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


@pytest.fixture
def open_book(runner, tmp_path):
    pdf = text_pdf(tmp_path / "dia-chi.pdf", [["Lời nói đầu của cuốn sách"], ["Lịch sử xã Cát Bà", "Đường về làng"],
                                              ["Phụ lục và mục lục"]])
    return ingest(runner, pdf, "--licence", "cc-by-sa")


@pytest.fixture
def closed_book(runner, tmp_path):
    image = tmp_path / "noi-bo.png"
    plain_image(1).save(image)
    return ingest(runner, image, "--licence", "in-library")


def test_licence_rule():
    open_obj, closed = DigitalObject(licence="cc0"), DigitalObject(licence="in-library")
    assert can_read(open_obj) and can_download(open_obj)
    assert not can_read(closed) and can_read(closed, is_staff=True) and can_read(closed, on_site=True)
    assert not can_download(closed)


def test_browse_lists_objects_with_thumbnails(client, open_book, closed_book):
    html = client.get("/digital").get_data(as_text=True)
    assert html.count('class="title"') == 2
    assert f'/iiif/{open_book["object_id"]}/1/full/200,/0/default.jpg' in html
    with client.get(f'/iiif/{closed_book["object_id"]}/1/full/200,/0/default.jpg') as thumb:
        assert thumb.status_code == 200, "thumbnails of in-library objects are shown"


def test_reader_page_without_javascript(client, open_book):
    response = client.get(f"/read/{open_book['object_id']}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/read/{open_book['object_id']}/1")
    html = client.get(f"/read/{open_book['object_id']}/2").get_data(as_text=True)
    assert "Trang 2 / 3" in html  # Vietnamese by default
    client.set_cookie("lang", "en")
    assert "Page 2 of 3" in client.get(f"/read/{open_book['object_id']}/2").get_data(as_text=True)
    assert f'href="/read/{open_book["object_id"]}/3"' in html and f'href="/read/{open_book["object_id"]}/1"' in html
    phone = re.search(r'<source media="\(max-width: 420px\)" type="image/webp" srcset="[^"]+/full/(\d+),/0/default\.webp"', html)
    assert phone and int(phone.group(1)) <= 720, "a screen-sized image, not the master"
    assert f'/read/{open_book["object_id"]}/2/text' in html and f'/read/{open_book["object_id"]}/download' in html
    text = client.get(f"/read/{open_book['object_id']}/2/text").get_data(as_text=True)
    assert "Lịch sử xã Cát Bà" in text and "Đường về làng" in text
    assert client.get(f"/read/{open_book['object_id']}/7").status_code == 404


def test_search_inside_json_and_highlight_boxes(client, open_book):
    record_id, object_id = open_book["record_id"], open_book["object_id"]
    for q in ("đường về", "duong ve", "DUONG"):
        body = client.get(f"/api/records/{record_id}/search-inside", query_string={"q": q}).get_json()
        assert [hit["page"] for hit in body["hits"]] == [2], q
        hit = body["hits"][0]
        assert "Đường về làng" in re.sub(r"</?mark>", "", hit["snippet"])
        assert "<mark>Đường</mark>" in hit["snippet"], "the words searched are marked (escaped HTML, as /api/search)"
        assert all(len(box) == 4 and all(isinstance(v, int) for v in box) for box in hit["boxes"])
        assert len(hit["boxes"]) >= 1
    assert client.get(f"/api/records/{record_id}/search-inside?q=khong+co").get_json()["hits"] == []
    html = client.get(f"/read/{object_id}/2", query_string={"q": "duong"}).get_data(as_text=True)
    assert len(re.findall(r'class="hl" style="left:[\d.]+%;top:[\d.]+%', html)) == 1
    assert f'href="/read/{object_id}/2?q=duong"' in html
    assert client.get("/api/records/999/search-inside?q=x").status_code == 404


def test_in_library_object_is_read_only_on_site_or_by_staff(app_overrides, client, closed_book, demo):
    object_id = closed_book["object_id"]
    assert client.get(f"/read/{object_id}/1").status_code == 403
    with client.get(f"/iiif/{object_id}/1/full/max/0/default.jpg") as image:
        assert image.status_code == 403
    assert client.get(f"/iiif/{object_id}/manifest").status_code == 403
    assert client.get(f"/api/records/{closed_book['record_id']}/search-inside?q=x").get_json()["hits"] == []
    login(client, "thuthu")
    html = client.get(f"/read/{object_id}/1").get_data(as_text=True)
    assert "Download the whole book" not in html and "Tải" not in html.split("actions")[1][:200]
    assert client.get(f"/read/{object_id}/download").status_code == 403
    assert client.get(f"/read/{object_id}/1/download").status_code == 403


def test_on_site_network_reads_in_library_objects(app_overrides, closed_book, tmp_path):
    from app import create_app

    app = create_app({**app_overrides, "ON_SITE_NETWORKS": "127.0.0.0/8"})
    try:
        with app.test_client() as client:
            assert client.get(f"/read/{closed_book['object_id']}/1").status_code == 200
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()


def test_reads_and_downloads_are_counted_per_object_and_day(app, client, open_book):
    object_id = open_book["object_id"]
    for number in (1, 2, 3):
        client.get(f"/read/{object_id}/{number}")
    with client.get(f"/read/{object_id}/download") as pdf:
        assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    with client.get(f"/read/{object_id}/2/download") as page:
        assert page.status_code == 200 and page.mimetype in ("image/png", "image/jpeg")
    today = clock.today(app.config["TIMEZONE"])  # counters follow the library's day
    with app.extensions["session_factory"]() as session:
        assert usage_total(session, "read", today, today, f"object:{object_id}") == 1
        assert usage_total(session, "download", today, today, f"object:{object_id}") == 2


def test_download_of_an_image_set_is_one_pdf(client, runner, tmp_path):
    folder = tmp_path / "anh"
    folder.mkdir()
    for number in (1, 2):
        plain_image(number).save(folder / f"{number}.jpg")
    book = ingest(runner, folder, "--licence", "cc0")
    with client.get(f"/read/{book['object_id']}/download") as response:
        assert response.status_code == 200 and response.data[:5] == b"%PDF-"
        import pypdfium2

        assert len(pypdfium2.PdfDocument(response.data)) == 2, "one page per image, made page by page"


def test_opds_navigation_acquisition_and_search(client, open_book, closed_book):
    root = ET.fromstring(client.get("/opds").data)
    assert root.tag == f"{ATOM}feed"
    links = {link.get("rel"): link.get("href") for link in root.iter(f"{ATOM}link")}
    assert links["search"].endswith("/opds/opensearch.xml")
    response = client.get("/opds/new")
    assert "kind=acquisition" in response.headers["Content-Type"]
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1, "only open-licensed objects"
    rels = {link.get("rel") for link in entries[0].iter(f"{ATOM}link")}
    assert "http://opds-spec.org/acquisition/open-access" in rels and "http://opds-spec.org/image/thumbnail" in rels
    opensearch = client.get("/opds/opensearch.xml").get_data(as_text=True)
    assert "{searchTerms}" in opensearch
    found = ET.fromstring(client.get("/opds/search?q=dia+chi").data).findall(f"{ATOM}entry")
    assert len(found) == 1
    assert ET.fromstring(client.get("/opds/search?q=zzz").data).findall(f"{ATOM}entry") == []


def test_record_page_include(app, open_book):
    with app.test_request_context("/"):
        from catalog.records.models import Record

        with app.extensions["session_factory"]() as session:
            record = session.get(Record, open_book["record_id"])
            html = render_template("record/_digital.html", record=record)
    assert f'/read/{open_book["object_id"]}/1' in html and "Ghi công – Chia sẻ tương tự (CC BY-SA)" in html


def test_staff_upload_runs_a_job_and_reports_bad_files(client, demo, tmp_path):
    login(client, "bienmuc")
    assert "/staff/scans" in client.get("/").get_data(as_text=True)
    archive = zip_with(tmp_path / "upload.zip", {"p1.png": encoded(plain_image(1)), "bad.jpg": b"not an image",
                                                  "../evil.png": encoded(plain_image(2))})
    response = client.post("/staff/scans", data={
        "files": [(io.BytesIO(archive.read_bytes()), "upload.zip")], "licence": "cc-by", "no_ocr": "y",
    }, content_type="multipart/form-data")
    assert response.status_code == 302 and "/staff/jobs/" in response.headers["Location"]
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    job = client.get(f"/staff/jobs/{job_id}.json").get_json()
    assert job["status"] == "done", job
    assert job["result"]["pages"] == 1
    report = client.get(f"/staff/scans/jobs/{job_id}").get_data(as_text=True)
    assert "bad.jpg" in report and "../evil.png" in report
    object_id = job["result"]["object_id"]
    assert client.get(f"/read/{object_id}/1").status_code == 200


def test_upload_page_needs_staff(client, demo):
    assert client.get("/staff/scans").status_code == 302
    login(client, "bandoc")
    assert client.get("/staff/scans").status_code == 403


def test_staff_correct_page_text(app, client, demo, open_book):
    login(client, "bienmuc")
    object_id = open_book["object_id"]
    form = client.get(f"/staff/scans/{object_id}/1/text").get_data(as_text=True)
    assert "Lời nói đầu" in form
    response = client.post(f"/staff/scans/{object_id}/1/text", data={"text": "Lời nói đầu (đã sửa) Hoà Bình"})
    assert response.status_code == 302
    with app.extensions["session_factory"]() as session:
        page = session.get(DigitalObject, object_id).pages[0]
        assert page.text_source == "manual" and page.corrected_by_id is not None
        assert page.corrected_at > utcnow() - dt.timedelta(minutes=5)
    body = client.get(f"/api/records/{open_book['record_id']}/search-inside?q=hoa+binh").get_json()
    assert [hit["page"] for hit in body["hits"]] == [1]
    assert "manual" in client.get(f"/staff/scans/{object_id}").get_data(as_text=True)


@pytest.mark.parametrize("lang, words", [("vi", "Độ tin cậy:"), ("en", "Confidence:")])
def test_plain_text_of_an_ocr_page_shows_its_confidence(runner, client, tmp_path, lang, words):
    """Issue 12.5: "Confidence: {value}%" went through Jinja's %-formatting and every OCR'd page's text answered 500."""
    from tests.conftest import require_tool
    from tests.ingest.scan_samples import text_image

    require_tool("tesseract")
    folder = tmp_path / "sach"
    folder.mkdir()
    text_image(["Library opening hours", "Monday to Friday"]).save(folder / "page1.png")
    result = runner.invoke(args=["ingest-scans", str(folder), "--json", "--licence", "cc-by"])
    assert result.exit_code == 0, result.output
    object_id = json.loads(result.output.strip().splitlines()[-1])["object_id"]
    response = client.get(f"/read/{object_id}/1/text?lang={lang}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "opening hours" in page
    assert re.search(re.escape(words) + r" \d{1,3}%</p>", page), page[-600:]


def test_every_template_string_survives_jinja_percent_formatting():
    """Jinja's gettext always %-formats a template's string: a literal % must be written %%."""
    import runpy
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    build = runpy.run_path(str(root / "tools/build_translations.py"))
    table = build["vietnamese_table"]()
    broken = []
    for message, places in build["extracted"]().items():
        if not any(path.endswith(".html") for path, _line in places):
            continue
        for text in (message, table.get(message, "")):
            if "%" in re.sub(r"%\(\w+\)[sd]|%%", "", text):
                broken.append(text)
    assert broken == []


def test_the_reader_page_reads_no_page_text_or_word_boxes(app, client, runner, tmp_path, open_book):
    """The reader lists every page of a book but shows one image: the pages' text and word boxes
    (150 OCR'd pages cost 0.18 s of CPU to read for every page turned) stay in the database, and
    whether the book has text is still said right."""
    from sqlalchemy import event

    statements: list[str] = []
    engine = app.extensions["session_factory"].kw["bind"]

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        html = client.get(f"/read/{open_book['object_id']}/2").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert "Trang 2 / 3" in html
    assert not [s for s in statements if "page.words" in s or "page.text AS" in s]
    assert "not read yet" not in html and "Search inside is unavailable" not in html
    image = tmp_path / "anh.png"
    plain_image(1).save(image)
    unread = ingest(runner, image, "--licence", "cc0")
    client.set_cookie("lang", "en")
    html = client.get(f"/read/{unread['object_id']}/1").get_data(as_text=True)
    assert "not read yet" in html or "Search inside is unavailable" in html, "an image without OCR has no text"

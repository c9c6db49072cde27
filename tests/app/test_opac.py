"""The public catalogue through HTTP: /search, /records/ID, /api/search, /api/records/ID,
/api/autocomplete, /healthz, and the index following web commits."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app.db import get_session
from catalog.digital.models import DigitalObject, Page
from catalog.records.models import Record, RecordDraft, apply_draft, create_record, stale_record_ids


@pytest.fixture
def records(app):
    """A few records with copies and a scanned book, indexed through the after-commit hook."""
    from app.hooks import after_commit
    from catalog.copies.items import ItemStatus, add_item
    from catalog.libraries import Library, LibraryKind

    with app.extensions["session_factory"].begin() as session:
        centre = Library(code="TTVH", name="Thư viện Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
        school = Library(code="THCS", name="Thư viện Trường THCS", kind=LibraryKind.SCHOOL)
        session.add_all([centre, school])
        ids = {}
        for n in range(25):
            record = create_record(session, RecordDraft(
                title=f"Lịch sử Việt Nam tập {n + 1}", authors=["Nguyễn, Văn An"], subjects=["Lịch sử", "Việt Nam"],
                year=1990 + n, languages=["vie"], publisher="Nxb. Giáo dục", isbns=[] if n else ["0-306-40615-2"]))
            add_item(session, record, barcode=f"LS{n:03d}", library=centre if n % 2 else school,
                     status=ItemStatus.AVAILABLE if n % 3 else ItemStatus.ON_LOAN)
            ids[n] = record.id
        english = create_record(session, RecordDraft(title="The history of Vietnam", languages=["eng"], year=2010,
                                                     subjects=["History"], summary="A concise history."))
        ids["english"] = english.id
        scanned = create_record(session, RecordDraft(title="Tuyển tập văn kiện", languages=["vie"], year=1998))
        obj = DigitalObject(record_id=scanned.id, label="Bản quét", page_count=2, licence="cc-by")
        obj.pages = [Page(number=1, text="Lời nói đầu"), Page(number=2, text="Quyet đinh thành lập thư viện xã")]
        session.add(obj)
        ids["scanned"] = scanned.id
    after_commit(app)
    return ids


def test_api_search_has_the_contract_shape(client, records):
    body = client.get("/api/search?q=lich+su&per_page=10").get_json()
    assert body["total"] == 25 and body["page"] == 1 and len(body["hits"]) == 10
    assert body["total_approximate"] is False and body["facets_approximate"] is False  # counted exactly
    hit = body["hits"][0]
    assert set(hit) >= {"id", "title", "authors", "year", "type", "language", "has_digital", "holdings", "snippet"}
    assert hit["authors"] == ["Nguyễn, Văn An"] and hit["language"] == ["vie"] and hit["type"] == "book"
    assert set(body["facets"]) == {"type", "language", "decade", "subject", "library", "availability", "digital"}
    assert {"value": "Lịch sử", "count": 25} in body["facets"]["subject"]
    assert "suggestion" in body


def test_filters_combine_and_counts_stay_right(client, records):
    everything = client.get("/api/search?q=lich+su").get_json()
    decades = {f["value"]: f["count"] for f in everything["facets"]["decade"]}
    assert decades == {"1990": 10, "2000": 10, "2010": 5}
    narrowed = client.get("/api/search?q=lich+su&f=decade:2000&f=library:TTVH").get_json()
    assert narrowed["total"] == 5  # odd n in 10..19 are at the centre
    assert {f["value"]: f["count"] for f in narrowed["facets"]["decade"]} == {"2000": 5}
    either = client.get("/api/search?q=lich+su&f=decade:2000&f=decade:2010").get_json()
    assert either["total"] == 15
    available = client.get("/api/search?q=&f=availability:available").get_json()
    assert available["total"] == sum(1 for n in range(25) if n % 3)


def test_sorting_and_pagination(client, records):
    newest = client.get("/api/search?q=lich+su&sort=newest&per_page=5&page=2").get_json()
    assert [h["year"] for h in newest["hits"]] == [2009, 2008, 2007, 2006, 2005]
    oldest = client.get("/api/search?q=lich+su&sort=oldest&per_page=3").get_json()
    assert [h["year"] for h in oldest["hits"]] == [1990, 1991, 1992]
    by_title = client.get("/api/search?q=&sort=title&per_page=30").get_json()
    titles = [h["title"] for h in by_title["hits"]]
    assert titles[0] == "Lịch sử Việt Nam tập 1" and titles[-1] == "Tuyển tập văn kiện"
    assert client.get("/api/search?q=lich+su&page=99").get_json()["hits"] == []


def test_words_inside_pages_find_the_book_and_say_on_which_pages(client, records):
    body = client.get("/api/search?q=quyết+định+thành+lập").get_json()
    assert [h["id"] for h in body["hits"]] == [records["scanned"]]
    assert body["hits"][0]["pages"] == [2] and body["hits"][0]["has_digital"] is True
    assert "<mark>Quyet</mark>" in body["hits"][0]["snippet"]
    page = client.get("/search?q=quyet+dinh").get_data(as_text=True)
    assert re.search(r"Tìm thấy bên trong, ở các trang: <a href=\"/read/\d+/2\?q=quyet\+dinh\">2</a>", page)


@pytest.mark.parametrize("q", ['"unbalanced quote', "title:", "title: ", "year:abc", "x" * 2000, ")))(((", "OR",
                               "NOT", "-", 'author:"', "f:" * 300, "\u0301\u0301", "%00", "*?~^"])
def test_malformed_queries_never_fail(client, records, q):
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code == 200
    assert isinstance(api.get_json()["total"], int)
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200


def test_malformed_queries_get_a_clear_message(client, records):
    body = client.get("/api/search", query_string={"q": '"lịch sử'}).get_json()
    assert body["total"] == 25
    assert body["messages"] == ["Dấu ngoặc kép chưa được đóng; phần còn lại của câu tìm kiếm được hiểu là một cụm từ."]
    page = client.get("/search", query_string={"q": "title:"}).get_data(as_text=True)
    assert "Sau “title:” cần có nội dung" in page
    long = client.get("/api/search", query_string={"q": "lịch sử " * 300}).get_json()
    assert long["total"] == 25 and "rút gọn" in long["messages"][0]


def test_search_page_shows_results_facets_suggestion_and_pager(client, records):
    html = client.get("/search?q=lich+su&per_page=10").get_data(as_text=True)
    assert "25 kết quả cho “lich su”" in html
    assert "<mark>Lịch</mark> <mark>sử</mark>" in html
    assert "Có phải bạn muốn tìm" in html and "lịch sử" in html
    assert 'href="/search?q=lich+su&amp;f=decade:1990&amp;per_page=10"' in html
    assert "Trang 1/3" in html and 'rel="next"' in html
    filtered = client.get("/search?q=lich+su&f=decade:1990").get_data(as_text=True)
    assert "10 kết quả" in filtered and "✕ Thập niên: Thập niên 1990" in filtered
    assert "Không tìm thấy" in client.get("/search?q=zzzzqqq").get_data(as_text=True)


def test_isbn_10_and_13_find_the_same_record(client, records):
    for q in ("0306406152", "978-0-306-40615-7", "isbn:9780306406157"):
        assert [h["id"] for h in client.get("/api/search", query_string={"q": q}).get_json()["hits"]] == [records[0]]


def test_record_page_shows_fields_and_copies_per_library(client, records):
    html = client.get(f"/records/{records[0]}").get_data(as_text=True)
    assert "Lịch sử Việt Nam tập 1" in html and "Nguyễn, Văn An" in html and "0-306-40615-2" in html
    assert "Thư viện Trường THCS" in html and "Đang cho mượn" in html
    html = client.get(f"/records/{records[1]}").get_data(as_text=True)
    assert "Thư viện Trung tâm" in html and "Có sẵn" in html
    assert client.get("/records/999999").status_code == 404


def test_merged_record_redirects_and_deleted_record_is_a_tombstone(app, client, records):
    with app.extensions["session_factory"].begin() as session:
        session.get(Record, records[2]).merged_into_id = records[3]
        session.get(Record, records[3]).merged_into_id = records[4]
        session.get(Record, records[5]).deleted_at = dt.datetime(2026, 1, 1)
    response = client.get(f"/records/{records[2]}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/records/{records[4]}")
    gone = client.get(f"/records/{records[5]}")
    assert gone.status_code == 410 and "không còn trong mục lục" in gone.get_data(as_text=True)
    assert client.get(f"/api/records/{records[5]}").status_code == 410


def test_api_record_has_items_and_digital_objects(client, records):
    body = client.get(f"/api/records/{records['scanned']}").get_json()
    assert body["title"] == "Tuyển tập văn kiện" and body["items"] == []
    assert body["digital_objects"][0]["page_count"] == 2
    body = client.get(f"/api/records/{records[0]}").get_json()
    assert body["items"] == [{"barcode": "LS000", "library": "THCS", "library_name": "Thư viện Trường THCS",
                              "home_library": "THCS", "status": "on_loan", "call_number": ""}]


def test_autocomplete_is_a_diacritics_insensitive_prefix(client, records):
    found = client.get("/api/autocomplete?q=lich su viet").get_json()["suggestions"]
    assert {"value": "Lịch sử Việt Nam tập 1", "kind": "title", "count": 1} in found
    authors = client.get("/api/autocomplete?q=NGUYEN van").get_json()["suggestions"]
    # The name is offered as written and inverted (both are indexed), the shorter first.
    assert [a["value"] for a in authors if a["kind"] == "author"] == ["Nguyễn Văn An", "Nguyễn, Văn An"]
    assert client.get("/api/autocomplete?q=").get_json()["suggestions"] == []


def test_healthz_reports_the_index(app, client, records, data_dir):
    assert client.get("/healthz").get_json()["checks"]["index"] == "ok"
    index = data_dir / "index"
    for path in index.iterdir():
        path.unlink()
    index.rmdir()
    index.write_text("not an index")  # the index directory is gone and cannot be recreated
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["checks"]["index"].startswith("error")


def test_a_web_request_that_commits_a_change_syncs_the_index(app, client, records):
    def rename():
        session = get_session()
        record = session.get(Record, records[0])
        apply_draft(session, record, RecordDraft(title="Địa chí Cát Hải"))
        session.commit()
        return "ok"

    app.add_url_rule("/test-rename", "test_rename", rename, methods=["POST"])
    assert client.post("/test-rename").status_code == 200
    assert [h["title"] for h in client.get("/api/search?q=dia+chi+cat+hai").get_json()["hits"]] == ["Địa chí Cát Hải"]
    with app.extensions["session_factory"]() as session:
        assert stale_record_ids(session) == []


def test_cli_reindex_and_check_index(app, runner, records):
    with app.extensions["session_factory"].begin() as session:
        session.get(Record, records[7]).deleted_at = dt.datetime(2026, 1, 1)
        session.get(Record, records[7]).index_stale = False  # drift: deleted behind the index's back
    result = runner.invoke(args=["check-index", "--json"])
    assert result.exit_code == 1
    assert f"1 orphaned (deleted, merged or unknown): {records[7]}" in result.output
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 26" in result.output
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0, result.output
    assert "The index matches the database." in result.output



def test_imported_records_are_searchable_and_check_index_is_clean(runner):
    from tests.ingest.marc_fixtures import book, iso

    path = runner.app.config["DATA_DIR"] + "/nhap.mrc"
    with open(path, "wb") as handle:
        handle.write(iso(book("VN1", "Truyện Kiều", "Nguyễn Du", 1820), book("VN2", "Chí Phèo", "Nam Cao", 1941)))
    assert runner.invoke(args=["import-marc", path]).exit_code == 0
    client = runner.app.test_client()
    hits = client.get("/api/search?q=truyen+kieu").get_json()["hits"]
    assert [h["title"] for h in hits] == ["Truyện Kiều"] and hits[0]["authors"] == ["Nguyễn Du"]
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0, result.output


HUGE = ["2147483648", "99999999999999999999", "9" * 5000]  # past PostgreSQL, SQLite (OverflowError), int()


@pytest.mark.parametrize("number", HUGE, ids=["int4", "int8", "5000-digits"])
def test_huge_numbers_in_paths_are_not_found(client, records, number):
    """Issue 12.7: an id past the database's integer range answered 500; every <int:...> route is bounded."""
    response = client.get(f"/api/records/{number}")
    assert response.status_code == 404 and response.get_json()["error"]
    for path in (f"/records/{number}", f"/records/{number}.xml", f"/read/{number}/1/text", f"/read/1/{number}",
                 f"/iiif/{number}/manifest", f"/iiif/1/{number}/info.json", f"/api/records/{number}/search-inside?q=a"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/records/2147483647").status_code == 404, "the largest id is still looked up"


@pytest.mark.parametrize("path", ["/digital", "/opds/new", "/search", "/api/search"])
def test_huge_page_numbers_are_refused_with_a_message(client, records, path):
    """Issue 12.7: ?page=99999999999999999999 answered 500 (OverflowError); one page helper bounds them all."""
    for number in [*HUGE, "2147483647"]:
        response = client.get(path, query_string={"page": number, "lang": "en"})
        assert response.status_code == 400, (path, number)
        assert "page number must be a whole number from 1 to" in response.get_data(as_text=True)
    for number in ("abc", "-3", "0", ""):
        assert client.get(path, query_string={"page": number}).status_code == 200, (path, number)
    assert client.get(path, query_string={"page": "9999"}).status_code == 200, "past the last page: an empty page"

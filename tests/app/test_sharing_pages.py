"""What search engines and Zotero read, through HTTP: /sitemap.xml and its pages, robots.txt,
schema.org JSON-LD on record pages (a hostile title cannot break out), unAPI and COinS."""
from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from urllib.parse import parse_qsl

import pytest
from lxml import etree

from catalog.digital.models import DigitalObject
from catalog.copies.items import ItemStatus, add_item
from catalog.libraries import Library, LibraryKind
from catalog.records.models import Record, RecordDraft, create_record

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
HOSTILE = 'Sổ tay </script><script>alert(1)</script> <!-- "x" & ]]>'
TITLE_VI = "Địa chí Cát Hải: lịch sử & văn hóa"


@pytest.fixture
def shelf(app):
    from app.hooks import after_commit

    with app.extensions["session_factory"].begin() as session:
        centre = Library(code="TTVH", name="Thư viện Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
        session.add(centre)
        local = create_record(session, RecordDraft(
            title=TITLE_VI, authors=["Nguyễn Văn An", "Trần Thị Bình"], subjects=["Cát Hải", "Lịch sử"], year=2019,
            languages=["vie"], publisher="Nxb. Hải Phòng", isbns=["9780306406157"], summary="Sách về huyện đảo."))
        add_item(session, local, barcode="CH001", library=centre, call_number="915.97 ĐIA", status=ItemStatus.AVAILABLE)
        hostile = create_record(session, RecordDraft(title=HOSTILE, authors=['</script>"Kẻ lạ"'], year=2020))
        gone = create_record(session, RecordDraft(title="Đã xoá", year=2000))
        gone.deleted_at = dt.datetime(2024, 2, 1)
        shown = create_record(session, RecordDraft(title="Truyện tranh", year=2021))
        shown.updated_at = dt.datetime(2025, 3, 4, 5, 6, 7)
        session.add(DigitalObject(record_id=local.id, label="Bản quét", page_count=1, licence="cc-by"))
        closed = create_record(session, RecordDraft(title="Tài liệu nội bộ", year=2022))
        session.add(DigitalObject(record_id=closed.id, label="Bản quét", page_count=1, licence="in-library"))
        ids = {"local": local.id, "hostile": hostile.id, "gone": gone.id, "shown": shown.id, "closed": closed.id}
    after_commit(app)
    return ids


def test_sitemap_index_points_to_record_and_digital_sitemaps(client, shelf):
    index = etree.fromstring(client.get("/sitemap.xml").data)
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    locations = [e.text for e in index.iterfind("s:sitemap/s:loc", SITEMAP)]
    assert locations == ["http://localhost/sitemaps/records-1.xml", "http://localhost/sitemaps/digital.xml"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", index.findtext("s:sitemap/s:lastmod", namespaces=SITEMAP))
    urlset = etree.fromstring(client.get("/sitemaps/records-1.xml").data)
    urls = [e.text for e in urlset.iterfind("s:url/s:loc", SITEMAP)]
    assert f"http://localhost/records/{shelf['local']}" in urls
    assert f"http://localhost/records/{shelf['gone']}" not in urls and len(urls) == 4
    shown = urlset.find(f"s:url[s:loc='http://localhost/records/{shelf['shown']}']", SITEMAP)
    assert shown.findtext("s:lastmod", namespaces=SITEMAP) == "2025-03-04T05:06:07Z"
    assert client.get("/sitemaps/records-2.xml").status_code == 404
    assert client.get("/sitemaps/records-0.xml").status_code == 404
    digital = [e.text for e in etree.fromstring(client.get("/sitemaps/digital.xml").data).iterfind("s:url/s:loc", SITEMAP)]
    assert digital[0] == "http://localhost/digital" and len(digital) == 2  # the open object only
    assert re.fullmatch(r"http://localhost/read/\d+/1", digital[1])


def test_sitemap_slices_hold_at_most_the_protocol_limit(app, client, shelf, monkeypatch):
    from app.views import sharing

    monkeypatch.setattr(sharing, "SITEMAP_URLS", 2)  # five record numbers: three slices of two
    index = etree.fromstring(client.get("/sitemap.xml").data)
    assert len(index.findall("s:sitemap", SITEMAP)) == 3 + 1
    sizes = [len(etree.fromstring(client.get(f"/sitemaps/records-{n}.xml").data)) for n in (1, 2, 3)]
    assert sizes == [2, 1, 1]  # the deleted one (number 3) is left out; no slice holds more than 2


def test_robots_names_the_sitemap(client):
    body = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in body and "Disallow: /staff/" in body


def json_ld(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_record_page_has_schema_org_json_ld(client, shelf):
    data = json_ld(client.get(f"/records/{shelf['local']}").get_data(as_text=True))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Book"
    assert data["name"] == TITLE_VI and data["isbn"] == "9780306406157" and data["datePublished"] == "2019"
    assert [a["name"] for a in data["author"]] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert data["inLanguage"] == ["vie"] and data["publisher"]["name"] == "Nxb. Hải Phòng"
    assert [s["name"] for s in data["about"]] == ["Cát Hải", "Lịch sử"]
    assert data["url"] == f"http://localhost/records/{shelf['local']}"
    offer = data["offers"][0]
    assert offer["offeredBy"]["name"] == "Thư viện Trung tâm" and offer["availability"] == "https://schema.org/InStock"


def test_a_hostile_title_stays_data(client, shelf):
    page = client.get(f"/records/{shelf['hostile']}").get_data(as_text=True)
    head = page.split("</head>")[0]
    assert "<script>alert(1)" not in page and "<!-- \"x\"" not in head
    assert head.count("</script>") == head.count("<script")  # no element closed early, none opened
    data = json_ld(page)
    assert data["name"] == HOSTILE and data["author"][0]["name"] == '</script>"Kẻ lạ"'


def test_json_for_a_script_block_escapes_what_could_end_it():
    from app.display.linked_data import safe_json

    text = str(safe_json({"name": "</script><!--&\u2028\u2029"}))
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"name": "</script><!--&\u2028\u2029"}


def coins_of(page: str) -> list[dict[str, list[str]]]:
    found = []
    for title in re.findall(r'<span class="Z3988" title="([^"]*)"', page):
        pairs: dict[str, list[str]] = {}
        for key, value in parse_qsl(unescape(title), keep_blank_values=True):
            pairs.setdefault(key, []).append(value)
        found.append(pairs)
    return found


def test_coins_on_record_page_carry_the_vietnamese_title(client, shelf):
    page = client.get(f"/records/{shelf['local']}").get_data(as_text=True)
    raw = re.search(r'<span class="Z3988" title="([^"]*)"', page).group(1)
    # UTF-8, percent-encoded: "Đ" is %C4%90; "&" inside the title is %26, the separators &amp;
    assert "rft.btitle=%C4%90%E1%BB%8Ba%20ch%C3%AD%20C%C3%A1t%20H%E1%BA%A3i%3A%20l%E1%BB%8Bch%20s%E1%BB%AD%20%26%20" in raw
    assert "&amp;rft.au=" in raw
    kev = coins_of(page)[0]
    assert kev["ctx_ver"] == ["Z39.88-2004"] and kev["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:book"]
    assert kev["rft.btitle"] == [TITLE_VI] and kev["rft.au"] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert kev["rft.isbn"] == ["9780306406157"] and kev["rft.date"] == ["2019"]
    assert f'<abbr class="unapi-id" title="{shelf["local"]}">' in page
    assert '<link rel="unapi-server" type="application/xml" title="unAPI" href="http://localhost/unapi">' in page


def test_results_page_has_coins_and_unapi_ids(client, shelf):
    page = client.get("/search", query_string={"q": "cát hải"}).get_data(as_text=True)
    assert f'<abbr class="unapi-id" title="{shelf["local"]}">' in page and 'rel="unapi-server"' in page
    assert coins_of(page)[0]["rft.btitle"] == [TITLE_VI]


def test_unapi(client, shelf):
    formats = etree.fromstring(client.get("/unapi").data)
    assert formats.tag == "formats" and {f.get("name") for f in formats} == {"marcxml", "marc", "oai_dc"}
    listed = client.get("/unapi", query_string={"id": shelf["local"]})
    assert listed.status_code == 300 and etree.fromstring(listed.data).get("id") == str(shelf["local"])
    marc = client.get("/unapi", query_string={"id": shelf["local"], "format": "marcxml"})
    assert marc.mimetype == "application/marcxml+xml"
    record = etree.fromstring(marc.data)
    ns = {"m": "http://www.loc.gov/MARC21/slim"}
    assert record.findtext("m:datafield[@tag='245']/m:subfield[@code='a']", namespaces=ns).startswith("Địa chí Cát Hải")
    dc = etree.fromstring(client.get("/unapi", query_string={"id": shelf["local"], "format": "oai_dc"}).data)
    assert dc.findtext("{http://purl.org/dc/elements/1.1/}title") == TITLE_VI
    iso = client.get("/unapi", query_string={"id": shelf["local"], "format": "marc"})
    assert iso.mimetype == "application/marc" and iso.data.endswith(b"\x1d") and "Cát Hải".encode() in iso.data
    assert client.get("/unapi", query_string={"id": shelf["local"], "format": "bibtex"}).status_code == 406
    assert client.get("/unapi", query_string={"id": shelf["gone"], "format": "marcxml"}).status_code == 404
    assert client.get("/unapi", query_string={"id": "99999999999999", "format": "marcxml"}).status_code == 404
    assert client.get("/unapi", query_string={"id": "abc"}).status_code == 404

"""SRU at /sru through HTTP: explain, searchRetrieve in both versions and both schemas, paging,
every diagnostic, escaping, deleted records, the rate limit, and yaz-client as a real client."""
from __future__ import annotations

import re
import subprocess

import pytest
from lxml import etree

from catalog.records.models import Record, RecordDraft, create_record
from tests.conftest import require_tool, serving

SRU1 = "http://www.loc.gov/zing/srw/"
SRU2 = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
NS = {"s1": SRU1, "s2": SRU2, "d1": "http://www.loc.gov/zing/srw/diagnostic/",
      "d2": "http://docs.oasis-open.org/ns/search-ws/diagnostic", "z": "http://explain.z3950.org/dtd/2.0/",
      "m": "http://www.loc.gov/MARC21/slim", "dc": "http://purl.org/dc/elements/1.1/",
      "sdc": "info:srw/schema/1/dc-schema"}
HOSTILE = 'Sách <b>&"Hà Nội"</b> ]]> </script><!--'
BOOKS = 55


@pytest.fixture
def catalogue(app):
    """55 "Lịch sử Việt Nam" books (1970 to 2024), one with an ISBN, one hostile title, one deleted."""
    from app.hooks import after_commit

    ids = {}
    with app.extensions["session_factory"].begin() as session:
        for n in range(BOOKS):
            record = create_record(session, RecordDraft(
                title=f"Lịch sử Việt Nam tập {n + 1}", authors=["Nguyễn Văn An"], subjects=["Lịch sử"],
                year=1970 + n, languages=["vie"], publisher="Nxb. Giáo dục", isbns=[] if n else ["0-306-40615-2"]))
            ids[n] = record.id
        ids["poems"] = create_record(session, RecordDraft(title="Thơ thiếu nhi", authors=["Trần Thị Bình"],
                                                          subjects=["Thơ"], year=2015, languages=["vie"])).id
        ids["hostile"] = create_record(session, RecordDraft(title=HOSTILE, year=2001, languages=["vie"])).id
        ids["gone"] = create_record(session, RecordDraft(title="Địa lý bị xoá", year=2002, languages=["vie"])).id
    after_commit(app)
    with app.extensions["session_factory"].begin() as session:  # deleted behind the index's back: it is stale
        import datetime as dt

        session.get(Record, ids["gone"]).deleted_at = dt.datetime(2024, 1, 1)
    return ids


@pytest.fixture
def sru(client, catalogue):
    def get(**args):
        response = client.get("/sru", query_string=args)
        assert response.status_code == 200 and response.mimetype == "text/xml", response.data[:300]
        return etree.fromstring(response.data)  # lxml: well-formed or it raises

    return get


def diagnostic(root) -> tuple[str, str]:
    ns = "d2" if root.nsmap.get(root.prefix) == SRU2 else "d1"
    found = root.find(f".//{ns}:diagnostic", NS)
    assert found is not None, etree.tostring(root)[:400]
    return found.findtext(f"{ns}:uri", namespaces=NS), found.findtext(f"{ns}:details", default="", namespaces=NS)


def positions(root, ns: str) -> list[int]:
    return [int(p.text) for p in root.iterfind(f".//{ns}:recordPosition", NS)]


def titles(root, ns: str) -> list[str]:
    return [r.findtext("m:datafield[@tag='245']/m:subfield[@code='a']", namespaces=NS)
            for r in root.iterfind(f".//{ns}:recordData/m:record", NS)]


def test_explain_by_default_is_sru_2_with_zeerex(sru):
    root = sru()
    assert root.tag == f"{{{SRU2}}}explainResponse" and root.findtext("s2:version", namespaces=NS) == "2.0"
    explain = root.find("s2:record/s2:recordData/z:explain", NS)
    assert explain.find("z:serverInfo", NS).get("protocol") == "SRU"
    assert explain.findtext("z:serverInfo/z:database", namespaces=NS) == "sru"
    assert explain.find("z:databaseInfo/z:description[@lang='vi']", NS).text.startswith("Mục lục chung")
    indexes = {(n.get("set"), n.text) for n in explain.iterfind("z:indexInfo/z:index/z:map/z:name", NS)}
    assert {("dc", "title"), ("dc", "creator"), ("dc", "subject"), ("bath", "isbn"), ("bath", "issn"),
            ("cql", "serverChoice"), ("dc", "date"), ("rec", "id")} <= indexes
    schemas = {s.get("name"): s.get("identifier") for s in explain.iterfind("z:schemaInfo/z:schema", NS)}
    assert schemas == {"marcxml": "info:srw/schema/1/marcxml-v1.1", "dc": "info:srw/schema/1/dc-v1.1"}
    assert explain.findtext("z:configInfo/z:setting[@type='maximumRecords']", namespaces=NS) == "50"


def test_explain_in_1_2(sru):
    root = sru(operation="explain", version="1.2")
    assert root.tag == f"{{{SRU1}}}explainResponse" and root.findtext("s1:version", namespaces=NS) == "1.2"
    assert root.find("s1:record/s1:recordData/z:explain", NS).find("z:serverInfo", NS).get("version") == "1.2"


def test_search_retrieve_1_2_marcxml_first_page(sru):
    root = sru(operation="searchRetrieve", version="1.2", query='dc.title = "lịch sử"', recordSchema="marcxml")
    assert root.tag == f"{{{SRU1}}}searchRetrieveResponse"
    assert root.findtext("s1:numberOfRecords", namespaces=NS) == str(BOOKS)
    assert positions(root, "s1") == list(range(1, 11))
    assert all(t.startswith("Lịch sử Việt Nam tập") for t in titles(root, "s1")) and len(titles(root, "s1")) == 10
    assert root.findtext("s1:nextRecordPosition", namespaces=NS) == "11"
    assert root.findtext(".//s1:recordSchema", namespaces=NS) == "info:srw/schema/1/marcxml-v1.1"
    assert root.findtext("s1:echoedSearchRetrieveRequest/s1:query", namespaces=NS) == 'dc.title = "lịch sử"'


def test_search_retrieve_2_0_without_operation(sru):
    root = sru(query="dc.creator = \"Trần Thị Bình\"")
    assert root.tag == f"{{{SRU2}}}searchRetrieveResponse"
    assert root.findtext("s2:numberOfRecords", namespaces=NS) == "1"
    assert titles(root, "s2") == ["Thơ thiếu nhi"]
    assert root.findtext(".//s2:recordXMLEscaping", namespaces=NS) == "xml"
    assert root.find("s2:nextRecordPosition", NS) is None


def test_paging_is_consistent_and_bounded(sru):
    query = 'dc.title = "lịch sử" sortBy dc.date'
    whole = positions(sru(version="1.2", operation="searchRetrieve", query=query, maximumRecords="20"), "s1")
    assert whole == list(range(1, 21))
    first = titles(sru(version="1.2", operation="searchRetrieve", query=query, maximumRecords="20"), "s1")
    middle = sru(version="1.2", operation="searchRetrieve", query=query, startRecord="7", maximumRecords="5")
    assert positions(middle, "s1") == [7, 8, 9, 10, 11]
    assert titles(middle, "s1") == first[6:11]  # an offset across two pages of the search
    assert middle.findtext("s1:nextRecordPosition", namespaces=NS) == "12"
    last = sru(version="1.2", operation="searchRetrieve", query=query, startRecord="51", maximumRecords="10")
    assert positions(last, "s1") == [51, 52, 53, 54, 55] and last.find("s1:nextRecordPosition", NS) is None
    capped = sru(version="1.2", operation="searchRetrieve", query=query, maximumRecords="5000")
    assert len(positions(capped, "s1")) == 50 and capped.findtext("s1:nextRecordPosition", namespaces=NS) == "51"
    count_only = sru(version="1.2", operation="searchRetrieve", query=query, maximumRecords="0")
    assert count_only.findtext("s1:numberOfRecords", namespaces=NS) == str(BOOKS)
    assert count_only.find("s1:records", NS) is None


def test_sort_by_date_descending(sru):
    root = sru(query='dc.title = "lịch sử" sortBy dc.date/sort.descending', maximumRecords="3")
    assert titles(root, "s2") == [f"Lịch sử Việt Nam tập {n}" for n in (55, 54, 53)]


def test_sort_keys_of_sru_1(sru):
    newest = sru(version="1.2", operation="searchRetrieve", query='dc.title = "lịch sử"', sortKeys="dc.date,,0",
                 maximumRecords="2")
    assert titles(newest, "s1") == ["Lịch sử Việt Nam tập 55", "Lịch sử Việt Nam tập 54"]
    oldest = sru(version="1.2", operation="searchRetrieve", query='dc.title = "lịch sử"', sortKeys="date",
                 maximumRecords="2")
    assert titles(oldest, "s1") == ["Lịch sử Việt Nam tập 1", "Lịch sử Việt Nam tập 2"]


def test_dublin_core_in_both_versions(sru):
    for version, ns in (("1.2", "s1"), ("2.0", "s2")):
        root = sru(version=version, operation="searchRetrieve", query="dc.subject = thơ", recordSchema="dc")
        dc = root.find(f".//{ns}:recordData/sdc:dc", NS)
        assert dc.findtext("dc:title", namespaces=NS) == "Thơ thiếu nhi"
        assert dc.findtext("dc:creator", namespaces=NS) == "Trần Thị Bình"
        assert root.findtext(f".//{ns}:recordSchema", namespaces=NS) == "info:srw/schema/1/dc-v1.1"
    by_uri = sru(query="dc.subject = thơ", recordSchema="info:srw/schema/1/dc-v1.1")
    assert by_uri.find(".//sdc:dc", NS) is not None


def test_record_packing_string(sru):
    root = sru(version="1.2", operation="searchRetrieve", query="bath.isbn = 9780306406157", recordPacking="string")
    data = root.find(".//s1:recordData", NS)
    assert len(data) == 0 and data.text.startswith("<record")  # text, not elements
    inner = etree.fromstring(data.text.encode("utf-8"))
    assert inner.findtext("m:datafield[@tag='245']/m:subfield[@code='a']", namespaces=NS) == "Lịch sử Việt Nam tập 1"
    root = sru(query="bath.isbn = 0-306-40615-2", recordXMLEscaping="string")
    assert root.findtext(".//s2:recordXMLEscaping", namespaces=NS) == "string"
    assert "Lịch sử Việt Nam tập 1" in root.findtext(".//s2:recordData", namespaces=NS)


def test_record_numbers_and_deleted_records(sru, catalogue):
    root = sru(query=f"rec.id = {catalogue['poems']}")
    assert titles(root, "s2") == ["Thơ thiếu nhi"]
    gone = sru(query=f"rec.id = {catalogue['gone']}")
    assert gone.findtext("s2:numberOfRecords", namespaces=NS) == "0" and gone.find(".//m:record", NS) is None
    # still in the search index (deleted without a sync): never shown all the same
    searched = sru(query='"địa lý"')
    assert searched.find(".//m:record", NS) is None


def test_catalogue_data_is_escaped(sru, catalogue, client):
    for packing in ("xml", "string"):
        root = sru(query=f"rec.id = {catalogue['hostile']}", recordXMLEscaping=packing, recordSchema="dc")
        if packing == "xml":
            assert root.findtext(".//dc:title", namespaces=NS) == HOSTILE
        else:
            inner = etree.fromstring(root.findtext(".//s2:recordData", namespaces=NS).encode("utf-8"))
            assert inner.findtext("dc:title", namespaces=NS) == HOSTILE
    echoed = sru(version="1.2", operation="searchRetrieve", query='dc.title = "<x>&amp;"')
    assert echoed.findtext("s1:echoedSearchRetrieveRequest/s1:query", namespaces=NS) == 'dc.title = "<x>&amp;"'


def test_masked_words_are_the_index_words(sru):
    root = sru(query="dc.title = lị*", maximumRecords="0")
    assert root.findtext("s2:numberOfRecords", namespaces=NS) == str(BOOKS)
    assert titles(sru(query="dc.title = thi?u"), "s2") == ["Thơ thiếu nhi"]
    assert sru(query="dc.title = zzq*").findtext("s2:numberOfRecords", namespaces=NS) == "0"


def test_same_answers_as_the_search_page(sru, client):
    api = client.get("/api/search", query_string={"q": '"lịch sử" year:2000-2010'}).get_json()
    root = sru(query='cql.serverChoice = "lịch sử" and dc.date within "2000 2010"')
    assert root.findtext("s2:numberOfRecords", namespaces=NS) == str(api["total"]) == "11"


@pytest.mark.parametrize("args, uri, details", [
    ({"version": "3.0"}, 5, "2.0"),
    ({"version": "1.0", "operation": "searchRetrieve", "query": "a"}, 5, "2.0"),
    ({"operation": "scan", "scanClause": "a"}, 4, "scan"),
    ({"operation": "searchRetrieve", "version": "1.2"}, 7, "query"),
    ({"query": "a", "frobnicate": "1"}, 8, "frobnicate"),
    ({"query": "a", "startRecord": "0"}, 6, "startRecord"),
    ({"query": "a", "startRecord": "x"}, 6, "startRecord"),
    ({"query": "a", "maximumRecords": "-1"}, 6, "maximumRecords"),
    ({"query": "a", "queryType": "pqf"}, 6, "queryType"),
    ({"query": "a", "sortKeys": "dc.title,,1 dc.date,,0"}, 84, "1"),
    ({"query": "a", "sortKeys": "dc.subject,,1"}, 88, "dc.subject"),
    ({"query": "a", "sortKeys": "dc.title,,0"}, 90, "0"),
    ({"query": ["a", "b"]}, 6, "query"),
    ({"query": "lịch sử"}, 10, "5"),
    ({"query": "x" * 1001}, 12, "1000"),
    ({"query": "(a or b"}, 13, "0"),
    ({"query": 'title = "a'}, 14, "8"),
    ({"query": "dc.bogus = a"}, 16, "dc.bogus"),
    ({"query": "dc.title <> a"}, 19, "<>"),
    ({"query": "dc.title = h*"}, 29, "2"),
    ({"query": "bath.isbn = 978*"}, 28, "978*"),
    ({"query": "a", "recordSchema": "mods"}, 66, "mods"),
    ({"query": "a", "recordXMLEscaping": "json"}, 71, "json"),
    ({"query": "dc.title = \"lịch sử\"", "startRecord": "56"}, 61, "56"),
])
def test_diagnostics(sru, args, uri, details):
    root = sru(**args)
    assert diagnostic(root) == (f"info:srw/diagnostic/1/{uri}", details)


def test_diagnostics_of_1_2_requests_are_in_1_2(sru):
    root = sru(version="1.2", operation="searchRetrieve", query="dc.bogus = a")
    assert root.tag == f"{{{SRU1}}}searchRetrieveResponse"
    assert diagnostic(root)[0] == "info:srw/diagnostic/1/16"
    assert root.findtext("s1:numberOfRecords", namespaces=NS) == "0"
    extension = sru(version="1.2", operation="searchRetrieve", query="dc.subject = thơ", **{"x-client-id": "koha"})
    assert extension.findtext("s1:numberOfRecords", namespaces=NS) == "1"  # x- parameters are ignored


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "SRU_RATE_LIMIT": "40/60"}


def test_anonymous_searching_is_rate_limited(client, catalogue):
    statuses = [client.get("/sru", query_string={"query": "a"}).status_code for _ in range(41)]
    assert statuses[:40] == [200] * 40 and statuses[40] == 429
    limited = client.get("/sru", query_string={"version": "1.2", "query": "a", "operation": "searchRetrieve"})
    root = etree.fromstring(limited.data)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert root.tag == f"{{{SRU1}}}searchRetrieveResponse" and diagnostic(root)[0] == "info:srw/diagnostic/1/2"


def yaz(url: str, *commands: str) -> str:
    """What yaz-client prints running these commands against url."""
    done = subprocess.run([require_tool("yaz-client"), url], input="\n".join([*commands, "quit", ""]),
                          capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


@pytest.mark.parametrize("mode", [[], ["sru get 1.2"], ["sru post 1.2"]], ids=["soap", "get", "post"])
def test_yaz_client_finds_and_shows_a_record(app, catalogue, mode):
    with serving(app) as server:
        output = yaz(f"http://127.0.0.1:{server.server_port}/sru", *mode,
                     'find ti="thơ thiếu nhi"', "show 1", "find ti=zzzznothing", "find dc.bogus=x")
    assert re.search(r"Number of hits: 1\b", output), output
    assert "Thơ thiếu nhi" in output and 'tag="245"' in output, output
    assert re.search(r"Number of hits: 0\b", output), output
    assert "Unsupported index" in output or "info:srw/diagnostic/1/16" in output, output


def test_srw_soap_requests(client, catalogue):
    envelope = ('<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
                '<zs:searchRetrieveRequest xmlns:zs="http://www.loc.gov/zing/srw/"><zs:version>1.2</zs:version>'
                "<zs:query>dc.subject = thơ</zs:query><zs:recordSchema>dc</zs:recordSchema>"
                "</zs:searchRetrieveRequest></S:Body></S:Envelope>")
    response = client.post("/sru", data=envelope.encode("utf-8"), content_type="text/xml")
    body = etree.fromstring(response.data).find("{http://schemas.xmlsoap.org/soap/envelope/}Body/s1:searchRetrieveResponse", NS)
    assert response.status_code == 200 and body.findtext("s1:numberOfRecords", namespaces=NS) == "1"
    assert body.findtext(".//dc:title", namespaces=NS) == "Thơ thiếu nhi"
    explain = client.post("/sru", content_type="text/xml", data=envelope.replace("searchRetrieveRequest", "explainRequest")
                          .replace("<zs:query>dc.subject = thơ</zs:query><zs:recordSchema>dc</zs:recordSchema>", ""))
    assert etree.fromstring(explain.data).find(".//s1:explainResponse//z:explain", NS) is not None
    for bad in (b"not xml", b"<a/>", b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'):
        fault = client.post("/sru", data=bad, content_type="text/xml")
        assert fault.status_code == 500 and b"faultstring" in fault.data and b"root:" not in fault.data
    form = client.post("/sru", data={"version": "1.2", "operation": "searchRetrieve", "query": "dc.subject = thơ"})
    assert etree.fromstring(form.data).findtext("s1:numberOfRecords", namespaces=NS) == "1"

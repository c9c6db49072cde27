"""OAI-PMH 2.0: every verb, paging, deletions, date ranges and every error code."""
from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest

from catalog.records import Record
from ingest.marc import oai
from tests.ingest.marc_fixtures import book, df, iso

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "m": "http://www.loc.gov/MARC21/slim"}


@pytest.fixture
def harvest(app, tmp_path, session_factory):
    path = tmp_path / "oai.mrc"
    path.write_bytes(iso(*[book(f"VN{i}", f"Sách số {i}", "Nguyễn Văn An", 2000 + i % 20) for i in range(1, 8)],
                         book("VN99", "Có bản ở thư viện", extra=[df("952", "  ", "p", "OAI-1", "a", "TTVH")])))
    from catalog.libraries import LibraryKind, save_library

    with session_factory.begin() as session:
        save_library(session, code="TTVH", name="Thư viện huyện", kind=LibraryKind.CULTURAL_CENTRE)
    assert app.test_cli_runner().invoke(args=["import-marc", str(path)]).exit_code == 0
    with session_factory.begin() as session:
        for record in session.query(Record):
            record.updated_at = dt.datetime(2024, 1, record.id, 10, 0, 0)
        session.get(Record, 3).deleted_at = dt.datetime(2024, 1, 3, 10, 0, 0)
    client = app.test_client()

    def get(**args):
        response = client.get("/oai", query_string=args)
        assert response.status_code == 200 and response.mimetype == "text/xml"
        return ElementTree.fromstring(response.data)

    return get


def error_code(root) -> str | None:
    error = root.find("o:error", NS)
    return error.get("code") if error is not None else None


def test_identify(harvest):
    root = harvest(verb="Identify")
    assert root.findtext("o:Identify/o:protocolVersion", namespaces=NS) == "2.0"
    assert root.findtext("o:Identify/o:deletedRecord", namespaces=NS) == "persistent"
    assert root.findtext("o:Identify/o:earliestDatestamp", namespaces=NS) == "2024-01-01T10:00:00Z"
    assert root.find("o:request", NS).get("verb") == "Identify"


def test_list_metadata_formats_and_sets(harvest):
    prefixes = [e.text for e in harvest(verb="ListMetadataFormats").iterfind(".//o:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "marc21"]
    assert error_code(harvest(verb="ListMetadataFormats", identifier="oai:hoclieu:record:999")) == "idDoesNotExist"
    assert [e.text for e in harvest(verb="ListSets").iterfind(".//o:setSpec", NS)] == ["library:TTVH"]


def test_get_record_in_both_formats(harvest):
    root = harvest(verb="GetRecord", identifier="oai:hoclieu:record:1", metadataPrefix="oai_dc")
    assert root.findtext(".//dc:title", namespaces=NS) == "Sách số 1"
    assert root.findtext(".//dc:creator", namespaces=NS) == "Nguyễn Văn An"
    assert root.findtext(".//o:datestamp", namespaces=NS) == "2024-01-01T10:00:00Z"
    marc = harvest(verb="GetRecord", identifier="oai:hoclieu:record:1", metadataPrefix="marc21")
    assert marc.find(".//m:record/m:datafield[@tag='245']/m:subfield[@code='a']", NS).text == "Sách số 1 /"
    deleted = harvest(verb="GetRecord", identifier="oai:hoclieu:record:3", metadataPrefix="oai_dc")
    assert deleted.find(".//o:header", NS).get("status") == "deleted" and deleted.find(".//o:metadata", NS) is None


def test_list_records_dates_sets_and_deleted(harvest):
    root = harvest(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2024-01-02", "until": "2024-01-04"})
    ids = [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]
    assert ids == ["oai:hoclieu:record:2", "oai:hoclieu:record:3", "oai:hoclieu:record:4"]
    seconds = harvest(verb="ListIdentifiers", metadataPrefix="marc21",
                      **{"from": "2024-01-02T10:00:00Z", "until": "2024-01-02T10:00:00Z"})
    assert [e.text for e in seconds.iterfind(".//o:identifier", NS)] == ["oai:hoclieu:record:2"]
    in_set = harvest(verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:TTVH")
    assert [e.text for e in in_set.iterfind(".//o:identifier", NS)] == ["oai:hoclieu:record:8"]


def test_resumption_token_pages(harvest, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 3)
    seen, args = [], {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    while True:
        root = harvest(**args)
        seen += [e.text for e in root.iterfind(".//o:identifier", NS)]
        token = root.find(".//o:resumptionToken", NS)
        if token is None or not token.text:
            break
        assert token.get("completeListSize") == "8"
        args = {"verb": "ListIdentifiers", "resumptionToken": token.text}
    assert seen == [f"oai:hoclieu:record:{i}" for i in range(1, 9)]


@pytest.mark.parametrize("args, code", [
    ({}, "badVerb"),
    ({"verb": "Dance"}, "badVerb"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-01-02T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:other:1"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "mods", "identifier": "oai:hoclieu:record:1"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "garbage!"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
])
def test_errors(harvest, args, code):
    root = harvest(**args)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find("o:request", NS).attrib == {}

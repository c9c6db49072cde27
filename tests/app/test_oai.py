"""OAI-PMH 2.0: every verb, paging, deletions, date ranges and every error code."""
from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

import pytest

from catalog.records.models import Record
from ingest.marc import oai
from tests.ingest.marc_fixtures import book, df, iso

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "m": "http://www.loc.gov/MARC21/slim"}
ID = "oai:hoclieu.localhost:record:"  # the test client's host is localhost: the default domain


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
    root = harvest(verb="GetRecord", identifier="oai:hoclieu:record:1", metadataPrefix="oai_dc")  # the older form
    assert root.findtext(".//dc:title", namespaces=NS) == "Sách số 1"
    assert root.findtext(".//dc:creator", namespaces=NS) == "Nguyễn Văn An"
    assert root.findtext(".//o:datestamp", namespaces=NS) == "2024-01-01T10:00:00Z"
    marc = harvest(verb="GetRecord", identifier=f"{ID}1", metadataPrefix="marc21")
    assert marc.find(".//m:record/m:datafield[@tag='245']/m:subfield[@code='a']", NS).text == "Sách số 1 /"
    deleted = harvest(verb="GetRecord", identifier="oai:hoclieu:record:3", metadataPrefix="oai_dc")
    assert deleted.find(".//o:header", NS).get("status") == "deleted" and deleted.find(".//o:metadata", NS) is None


def test_list_records_dates_sets_and_deleted(harvest):
    root = harvest(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2024-01-02", "until": "2024-01-04"})
    ids = [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]
    assert ids == [f"{ID}2", f"{ID}3", f"{ID}4"]
    seconds = harvest(verb="ListIdentifiers", metadataPrefix="marc21",
                      **{"from": "2024-01-02T10:00:00Z", "until": "2024-01-02T10:00:00Z"})
    assert [e.text for e in seconds.iterfind(".//o:identifier", NS)] == [f"{ID}2"]
    in_set = harvest(verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:TTVH")
    assert [e.text for e in in_set.iterfind(".//o:identifier", NS)] == [f"{ID}8"]


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
    assert seen == [f"{ID}{i}" for i in range(1, 9)]


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
    # issue 12.7: impossible dates answered 500
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-45"}, "badArgument"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2020-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T25:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "0000-01-01"}, "badArgument"),
])
def test_errors(harvest, args, code):
    root = harvest(**args)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find("o:request", NS).attrib == {}


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999"])
def test_huge_identifiers_do_not_exist(harvest, number):
    """Issue 12.7: a number past the database's integer range answered 500 (OverflowError, or out of range)."""
    for identifier in (f"oai:hoclieu:record:{number}", f"{ID}{number}"):
        assert error_code(harvest(verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)) == "idDoesNotExist"
        assert error_code(harvest(verb="ListMetadataFormats", identifier=identifier)) == "idDoesNotExist"
    token = oai._token("oai_dc", "", "", "", int(number))
    assert error_code(harvest(verb="ListRecords", resumptionToken=token)) == "badResumptionToken"


def test_until_the_last_day_of_year_9999(harvest):
    """The day after 9999-12-31 is past Python's dates: until then means every record."""
    for until in ("9999-12-31", "9999-12-31T23:59:59Z"):
        root = harvest(verb="ListIdentifiers", metadataPrefix="oai_dc", until=until)
        assert len(root.findall(".//o:header", NS)) == 8, until


# The patterns of OAI-PMH.xsd (emailType) and oai-identifier.xsd (repositoryIdentifierType,
# sampleIdentifierType), anchored as XML Schema patterns are.
EMAIL_TYPE = r"\S+@(\S+\.)+\S+"
DOMAIN_TYPE = r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+"
SAMPLE_TYPE = r"oai:" + DOMAIN_TYPE + r":[a-zA-Z0-9\-_\.!~\*'\(\);/\?:@&=\+$,%]+"
OAI_ID = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"


def identify(root) -> dict:
    found = {e.tag.split("}")[1]: e.text for e in root.find("o:Identify", NS)}
    found.update({e.tag.split("}")[1]: e.text for e in root.iter() if e.tag.startswith(OAI_ID)})
    return found


def test_identify_passes_the_schemas_by_default(harvest):
    """Issue 12.16: adminEmail librarian@localhost and repositoryIdentifier hoclieu failed the OAI-PMH schemas."""
    found = identify(harvest(verb="Identify"))
    assert re.fullmatch(EMAIL_TYPE, found["adminEmail"]), found["adminEmail"]
    assert re.fullmatch(DOMAIN_TYPE, found["repositoryIdentifier"]), found["repositoryIdentifier"]
    assert re.fullmatch(SAMPLE_TYPE, found["sampleIdentifier"]), found["sampleIdentifier"]
    assert found["sampleIdentifier"] == f"oai:{found['repositoryIdentifier']}:record:1"
    headers = harvest(verb="ListIdentifiers", metadataPrefix="oai_dc").iterfind(".//o:identifier", NS)
    assert {e.text.rsplit(":", 1)[0] for e in headers} == {f"oai:{found['repositoryIdentifier']}:record"}


def test_identify_takes_the_configured_address_and_domain(harvest, app_overrides):
    from app import create_app

    app = create_app({**app_overrides, "OAI_ADMIN_EMAIL": "thuvien@example.vn, it@example.vn",
                      "OAI_REPOSITORY_IDENTIFIER": "thuvien.example.vn"})
    try:
        root = ElementTree.fromstring(app.test_client().get("/oai?verb=Identify").data)
        assert [e.text for e in root.iterfind(".//o:adminEmail", NS)] == ["thuvien@example.vn", "it@example.vn"]
        assert identify(root)["repositoryIdentifier"] == "thuvien.example.vn"
        record = ElementTree.fromstring(app.test_client().get(
            "/oai", query_string={"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                  "identifier": "oai:thuvien.example.vn:record:2"}).data)
        assert record.findtext(".//o:header/o:identifier", namespaces=NS) == "oai:thuvien.example.vn:record:2"
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()


def test_identify_derives_the_domain_from_the_host(harvest, app):
    root = ElementTree.fromstring(app.test_client().get("/oai?verb=Identify", base_url="http://thuvien.huyen.vn:8080").data)
    assert identify(root)["repositoryIdentifier"] == "thuvien.huyen.vn"
    for host in ("127.0.0.1:5000", "192.168.1.10", "[::1]:5000", "thuvien"):
        root = ElementTree.fromstring(app.test_client().get("/oai?verb=Identify", base_url=f"http://{host}").data)
        assert identify(root)["repositoryIdentifier"] == "hoclieu.localhost", host


@pytest.mark.parametrize("settings, key", [
    ({"OAI_ADMIN_EMAIL": "librarian@localhost"}, "OAI_ADMIN_EMAIL"),
    ({"OAI_REPOSITORY_IDENTIFIER": "hoclieu"}, "OAI_REPOSITORY_IDENTIFIER"),
])
def test_identify_settings_that_fail_the_schemas_refuse_start_up(app_overrides, settings, key):
    from app import ConfigurationError, create_app

    with pytest.raises(ConfigurationError, match=key):
        create_app({**app_overrides, **settings})


def test_post_is_answered_like_get_with_csrf_on(harvest, app_overrides):
    """Issue 12.16: POST /oai (application/x-www-form-urlencoded) was refused by the site-wide CSRF check."""
    from app import create_app

    app = create_app({**app_overrides, "WTF_CSRF_ENABLED": True})
    try:
        client = app.test_client()
        for args in ({"verb": "Identify"}, {"verb": "ListMetadataFormats"}, {"verb": "ListSets"},
                     {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
                     {"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2024-01-02"},
                     {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{ID}1"}, {"verb": "Dance"}):
            posted = client.post("/oai", data=args)
            assert posted.status_code == 200 and posted.mimetype == "text/xml", args
            got = client.get("/oai", query_string=args)
            same_moment = re.compile(rb"<responseDate>[^<]*</responseDate>")
            assert same_moment.sub(b"", posted.data) == same_moment.sub(b"", got.data), args
        assert client.post("/login", data={"username": "x", "password": "y"}).status_code == 400, "CSRF still on"
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()

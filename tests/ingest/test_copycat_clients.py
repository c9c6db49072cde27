"""The copy-cataloguing clients against real servers: yaz-ztest (Z39.50 and SRU), a local HTTP
server answering garbage, HTML, slowly, or a fixed SRU/Dublin Core answer, a black hole and a
closed port. Each target's trouble is its own message; the others' candidates still come."""
from __future__ import annotations

import time

import pytest

from ingest.copycat.queries import Query, parse_query, to_cql, to_pqf
from ingest.copycat.records import read_iso2709, with_source
from ingest.copycat.search import TargetSpec, search_all, search_target
from ingest.copycat.zoom import Connection, ZoomError
from ingest.marc.export import to_iso2709
from ingest.marc.mapping import draft_from_marc
from tests.copycat_servers import DC_ANSWER, SRU_ANSWER, black_hole, closed_port, http_answering, yaz_ztest
from tests.ingest.marc_fixtures import book, marc8_iso

ISBN = "9791234567896"  # yaz-ztest answers a term with leading digits with that many hits


@pytest.fixture
def ztest(tmp_path):
    with yaz_ztest(tmp_path) as port:
        yield port


def z3950(port: int, **kw) -> TargetSpec:
    return TargetSpec(1, kw.pop("name", "ztest"), "z3950", "127.0.0.1", port, kw.pop("database", "Default"),
                      source_code=kw.pop("source_code", "ZTEST"), timeout=kw.pop("timeout", 3), **kw)


def sru(port: int, database: str = "Default", **kw) -> TargetSpec:
    return TargetSpec(2, kw.pop("name", "sru"), "sru", "127.0.0.1", port, database, kw.pop("record_syntax", "marcxml"),
                      source_code=kw.pop("source_code", ""), timeout=kw.pop("timeout", 3), **kw)


def test_queries_from_a_scanned_isbn_and_from_title_and_author():
    assert parse_query(" 0-262-51087-1 ") == Query(isbn="9780262510875")
    scanned = parse_query("9780262510875")
    assert to_pqf(scanned) == '@or @attr 1=7 "9780262510875" @attr 1=7 "0262510871"'
    assert to_cql(scanned) == "bath.isbn=9780262510875 or bath.isbn=0262510871"
    typed = parse_query('Truyện "Kiều"', "Nguyễn Du")
    assert to_pqf(typed) == '@and @attr 1=4 @attr 4=1 "Truyện \\"Kiều\\"" @attr 1=1003 @attr 4=1 "Nguyễn Du"'
    assert to_cql(typed) == 'dc.title="Truyện \\"Kiều\\"" and dc.creator="Nguyễn Du"'
    assert parse_query("9780262510876").title == "9780262510876"  # a wrong check digit is no ISBN


def test_zoom_binding_searches_yaz_ztest_and_fetches_iso2709(ztest):
    with Connection("127.0.0.1", ztest, database="Default", timeout=3) as connection:
        fetched = connection.search(f'@attr 1=7 "{ISBN}"', limit=3)
    assert fetched.hits == int(ISBN)
    assert len(fetched.records) == 3 and all(r.endswith(b"\x1d") for r in fetched.records)
    record, warnings = read_iso2709(fetched.records[0])
    assert record["245"]["a"] == "How to program a computer" and warnings == []


def test_zoom_binding_reports_a_diagnostic_and_a_refused_connection(ztest):
    with pytest.raises(ZoomError) as refused:
        with Connection("127.0.0.1", ztest, database="Nowhere", timeout=3) as connection:
            connection.search(f"@attr 1=7 {ISBN}")
    assert refused.value.code == 109  # Bib-1: database unavailable
    with pytest.raises(ZoomError) as closed:
        Connection("127.0.0.1", closed_port(), timeout=2)
    assert closed.value.code == 10000


def test_z3950_and_sru_candidates_carry_their_source(ztest):
    results = search_all([z3950(ztest), sru(ztest, name="ztest-sru")], parse_query(ISBN))
    assert [r.is_ok for r in results] == [True, True]
    z, s = results
    assert len(z.candidates) == 10 and z.hits == int(ISBN)
    first = z.candidates[0]
    assert first.draft.title == "How to program a computer" and first.draft.authors == ["Jack Collins"]
    assert {"003": "ZTEST"} in first.marc["fields"]
    assert {"035": {"ind1": " ", "ind2": " ", "subfields": [{"a": "(ZTEST)11224466"}]}} in first.marc["fields"]
    assert first.draft.control_source == "ZTEST" and first.draft.system_numbers == ["(ZTEST)11224466"]
    assert s.candidates and s.candidates[0].draft.title == "How to program a computer"
    assert {"003": "ztest-sru"} in s.candidates[0].marc["fields"]  # no org code: the target's name


def test_a_diagnostic_of_the_target_is_its_own_message(ztest):
    result = search_target(z3950(ztest, database="Nowhere"), parse_query(ISBN))
    assert not result.is_ok and result.candidates == []
    assert "diagnostic 109" in result.problems[0].message
    dc = search_target(sru(ztest, record_syntax="dc"), parse_query(ISBN))  # yaz-ztest has no DC records
    assert dc.candidates == [] and "info:srw/diagnostic/1/63" in dc.problems[0].message


def test_broken_targets_each_say_why_while_the_good_one_answers(ztest):
    html = b"<!DOCTYPE html><html><body><h1>Welcome to our library</h1></body></html>"
    with http_answering(html, content_type="text/html") as (html_port, _), \
            http_answering(b"\x00\x01garbage\xff" * 50, content_type="application/octet-stream") as (junk_port, _), \
            http_answering(b"<other/>") as (xml_port, _), \
            http_answering(SRU_ANSWER.encode(), delay=5) as (slow_port, _), \
            black_hole() as hole:
        targets = [z3950(ztest), sru(html_port, name="html"), sru(junk_port, name="junk"), sru(xml_port, name="xml"),
                   sru(slow_port, name="slow", timeout=1), z3950(hole, name="hole", timeout=1),
                   z3950(closed_port(), name="closed"), z3950(junk_port, name="http-not-z3950")]
        started = time.monotonic()
        results = {r.target.name: r for r in search_all(targets, parse_query(ISBN))}
        elapsed = time.monotonic() - started
    assert elapsed < 4, elapsed  # the slow and the black-holed targets were cut at their limit
    assert len(results["ztest"].candidates) == 10
    said = {name: " ".join(p.message for p in r.problems) for name, r in results.items() if name != "ztest"}
    assert "web page (HTML)" in said["html"]
    assert "not XML" in said["junk"]
    assert "not an SRU search answer (<other>)" in said["xml"]
    assert "did not answer within 1 seconds" in said["slow"]
    assert "did not answer within 1 seconds" in said["hole"]
    assert "Cannot connect" in said["closed"]
    assert "could not be read as Z39.50" in said["http-not-z3950"]
    assert all(not results[name].candidates for name in said)


def test_a_fixed_sru_answer_and_dublin_core_become_drafts():
    with http_answering(SRU_ANSWER.format(control="VN123", isbn="9786041234567", author="Nguyễn Du",
                                          title="Truyện Kiều").encode()) as (port, seen), \
            http_answering(DC_ANSWER.encode()) as (dc_port, _):
        marc, dc = search_all([sru(port, "sru", source_code="VNTVQG"), sru(dc_port, "sru", record_syntax="dc",
                                                                         name="dc")],
                              parse_query("9786041234567"))
    assert "operation=searchRetrieve" in seen[0] and "recordSchema=marcxml" in seen[0]
    assert "query=bath.isbn%3D9786041234567" in seen[0] and "version=1.2" in seen[0]
    draft = marc.candidates[0].draft
    assert (draft.title, draft.authors, draft.year, draft.publisher) == ("Truyện Kiều", ["Nguyễn Du"], 2020, "Giáo dục")
    assert draft.system_numbers == ["(VNTVQG)VN123"]
    dc_draft = dc.candidates[0].draft
    assert dc_draft.title == "Địa lý huyện đảo Cát Hải"
    assert dc_draft.authors == ["Trần Văn Bình", "Lê Thị Hoa"] and dc_draft.isbns == ["9786049999994"]
    assert dc_draft.year == 2018 and dc_draft.languages == ["vie"] and dc_draft.subjects == ["Địa lý"]


def test_marc8_and_undeclared_character_sets_read_right_and_say_so():
    record = book("VN8", "Lịch sử Việt Nam", "Trần Trọng Kim", leader="00000nam  2200000 a 4500")
    utf8 = to_iso2709(record)
    read, warnings = read_iso2709(marc8_iso(record), "marc-8")
    assert draft_from_marc(read).title == "Lịch sử Việt Nam" and warnings == []
    read, warnings = read_iso2709(utf8, "marc-8")  # declared MARC-8, really UTF-8
    assert draft_from_marc(read).title == "Lịch sử Việt Nam"
    assert [w.message for w in warnings] == ["The leader says MARC-8 but the text is UTF-8; it was read as UTF-8."]
    latin = to_iso2709(book("L1", "Cafe Noel")).replace(b"Cafe Noel", "Café Noël".encode("latin-1"))
    read, _warnings = read_iso2709(latin, "iso-8859-1")
    assert draft_from_marc(read).title == "Café Noël"


def test_with_source_keeps_one_035_and_replaces_003():
    marc = {"leader": "x", "fields": [{"001": "42"}, {"003": "OLD"}, {"245": {"ind1": "0", "ind2": "0",
                                                                              "subfields": [{"a": "T"}]}}]}
    once = with_source(marc, "VNTVQG")
    assert with_source(once, "VNTVQG") == once
    assert [next(iter(f)) for f in once["fields"]] == ["001", "003", "035", "245"]
    assert once["fields"][1] == {"003": "VNTVQG"}


def test_sru_2_0_answers_are_read_too(ztest):
    target = sru(ztest, sru_version="2.0")
    from ingest.copycat.search import worker_request

    assert "version=2.0" in worker_request(target, parse_query(ISBN))["url"]
    result = search_target(target, parse_query(ISBN))
    assert result.is_ok and result.candidates[0].draft.authors == ["Jack Collins"]


def test_a_target_declared_marc8_sending_utf8_is_read_right_and_noted(ztest):
    """yaz-ztest's 24th record is UTF-8 (leader 'a', "Ø"); a target declared MARC-8 reads it as
    UTF-8 all the same and says so on that candidate only."""
    declared = search_target(z3950(ztest, charset="marc-8"), Query(title="24"), limit=24)
    noted = {c.position: [w.message for w in c.warnings] for c in declared.candidates if c.warnings}
    assert noted == {24: ["The leader says MARC-8 but the text is UTF-8; it was read as UTF-8."]}
    as_sent = search_target(z3950(ztest), Query(title="24"), limit=24)
    assert len(as_sent.candidates) == 24 and not any(c.warnings for c in as_sent.candidates)
    assert declared.candidates[23].marc == as_sent.candidates[23].marc


def test_an_sru_answer_with_entity_declarations_is_refused_unread():
    """A hostile target (a billion-laughs entity bomb) is refused by the hardened parser the
    harvester uses, with its own message; nothing of it is read."""
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><numberOfRecords>&b;</numberOfRecords>'
            b'</searchRetrieveResponse>')
    with http_answering(bomb) as (port, _):
        [result] = search_all([sru(port, name="bomb")], parse_query(ISBN))
    assert result.candidates == []
    assert "declares a document type or entities" in " ".join(p.message for p in result.problems)

"""Dublin Core files read by content (ingest/harvest/files.py) and mapped to drafts through MARC:
OAI-PMH responses, DC XML, CSV; hostile and broken input."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.harvest.errors import DcFileError
from ingest.harvest.files import read_dc_file, sniff
from ingest.marc.pipeline import prepare

DATA = Path(__file__).resolve().parent.parent / "data" / "dc"


def drafts(path: Path):
    return [prepare(result) for result in read_dc_file(path)]


def test_an_oai_pmh_listrecords_response_maps_every_dc_element():
    prepared = drafts(DATA / "listrecords_oai_dc.xml")
    # the deleted header is no record; the empty <oai_dc:dc> is rejected with its reason
    assert [p.result.ordinal for p in prepared] == [1, 2, 3]
    first = prepared[0].draft
    assert first.title == "Lịch sử huyện đảo Cát Hải"
    assert first.authors == ["Nguyễn Văn An", "Trần Thị Bình"]  # never inverted
    assert first.subjects == ["Lịch sử địa phương", "Hải Phòng"]
    assert first.year == 2019 and first.publisher == "Nxb. Hải Phòng"
    assert first.languages == ["vie"] and first.record_type == "book"
    assert first.isbns == ["9786040000002"]
    assert first.links == [{"url": "https://thuvien.example.vn/records/101", "text": ""}]
    assert first.summary == "Tóm tắt lịch sử huyện đảo qua các thời kỳ"  # ISBD full stop dropped, as from MARC
    assert "CC BY 4.0" in first.notes
    assert first.system_numbers == ["(OAI)oai:thuvien.example.vn:record:101"]
    assert [w.template for w in prepared[0].result.warnings if "javascript" in w.message]  # unsafe link left out
    assert not any("javascript" in str(link) for link in first.links)
    image = prepared[1].draft
    assert (image.record_type, image.year, image.languages) == ("image", 2021, ["vie"])
    assert prepared[2].draft is None and "neither Dublin Core" in prepared[2].result.error.message


def test_simple_dc_files_with_one_or_many_records():
    many = drafts(DATA / "simpledc_many.xml")
    assert [p.draft.title for p in many] == ["Sổ tay thư viện trường học", "Handbook of reading rooms"]
    assert many[0].draft.languages == ["vie"] and many[1].draft.languages == ["eng"]
    one = drafts(DATA / "simpledc_one.xml")
    assert [(p.draft.title, p.draft.publisher, p.draft.year) for p in one] == [("Truyện cổ tích Việt Nam",
                                                                              "Nxb. Kim Đồng", 2015)]


def test_a_csv_with_bom_splits_repeated_values_and_rejects_a_row_that_is_not_utf8():
    prepared = drafts(DATA / "records.csv")
    assert prepared[0].draft.title == "Nghề cá ven bờ"
    assert prepared[0].draft.subjects == ["Thủy sản", "Nghề cá"]
    assert prepared[0].draft.isbns == ["9786040000019"]
    assert prepared[1].draft.links[0]["url"] == "https://example.vn/lua"
    assert prepared[2].draft is None and "not valid UTF-8" in prepared[2].result.error.message
    assert prepared[2].result.offset > prepared[1].result.offset > prepared[0].result.offset > 0


@pytest.mark.parametrize("name, kind", [("listrecords_oai_dc.xml", "oai"), ("simpledc_many.xml", "dcxml"),
                                        ("simpledc_one.xml", "dcxml"), ("records.csv", "csv")])
def test_the_kind_is_known_by_content_whatever_the_name(tmp_path, name, kind):
    renamed = tmp_path / "upload.mrc"
    renamed.write_bytes((DATA / name).read_bytes())
    assert sniff(renamed) == kind


def test_marcxml_and_plain_text_are_not_dublin_core(tmp_path):
    marc = tmp_path / "a.xml"
    marc.write_text('<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500'
                    '</leader></record></collection>')
    text = tmp_path / "notes.txt"
    text.write_text("just some words\nand more\n")
    assert sniff(marc) is None and sniff(text) is None
    with pytest.raises(DcFileError, match="not Dublin Core"):
        list(read_dc_file(text))


@pytest.mark.parametrize("doc", [
    # XXE: an external entity naming a local file
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<r xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&x;</dc:title></r>',
    # billion laughs
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><r xmlns:dc="http://purl.org/dc/elements/1.1/">'
    '<dc:title>&c;</dc:title></r>',
])
def test_hostile_xml_is_refused_unread(tmp_path, doc):
    path = tmp_path / "evil.xml"
    path.write_text(doc)
    with pytest.raises(DcFileError, match="document type or entities"):
        list(read_dc_file(path))


def test_a_file_cut_short_keeps_the_records_before_the_cut(tmp_path):
    whole = (DATA / "simpledc_many.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(whole[:whole.index(b"Handbook")])
    results = list(read_dc_file(cut))
    assert results[0].record is not None
    assert results[-1].error is not None and "cut short" in results[-1].error.message
    broken = tmp_path / "broken.xml"
    broken.write_bytes(whole[:whole.index(b"<dc:title>") + 6])
    with pytest.raises(DcFileError, match="not well-formed"):
        list(read_dc_file(broken))


def test_an_oai_error_answer_is_a_file_error(tmp_path):
    path = tmp_path / "error.xml"
    path.write_text('<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
                    '<responseDate>2026-01-01T00:00:00Z</responseDate><request>http://x/oai</request>'
                    '<error code="noRecordsMatch">Nothing.</error></OAI-PMH>')
    with pytest.raises(DcFileError, match="noRecordsMatch"):
        list(read_dc_file(path))


def test_a_getrecord_answer_with_marc21_metadata_reads_as_marc(tmp_path):
    path = tmp_path / "getrecord.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        '<responseDate>2026-11-30T10:00:00Z</responseDate><request verb="GetRecord">http://x.example/oai</request>'
        "<GetRecord><record><header><identifier>oai:x.example:record:7</identifier>"
        "<datestamp>2026-11-01T00:00:00Z</datestamp></header><metadata>"
        '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>'
        '<controlfield tag="001">VN7</controlfield><datafield tag="020" ind1=" " ind2=" ">'
        '<subfield code="a">9786040000019</subfield></datafield><datafield tag="245" ind1="1" ind2="0">'
        '<subfield code="a">Tắt đèn /</subfield><subfield code="c">Ngô Tất Tố.</subfield></datafield>'
        "</record></metadata></record></GetRecord></OAI-PMH>", encoding="utf-8")
    assert sniff(path) == "oai"
    [prepared] = drafts(path)
    assert (prepared.draft.title, prepared.draft.control_number, prepared.draft.isbns) == \
        ("Tắt đèn", "VN7", ["9786040000019"])

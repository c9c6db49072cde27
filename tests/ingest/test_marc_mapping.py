"""MARC21 -> draft mapping and draft -> MARC write-back (lossless), with Vietnamese records."""
from __future__ import annotations

import unicodedata

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from catalog.records.models import RecordDraft
from ingest.marc.isbn import find_isbn, find_issn, is_valid_isbn, isbn10_to_13, normalise_isbn
from ingest.marc.mapping import draft_from_marc
from ingest.marc.writeback import write_draft
from ingest.marc.marcjson import marc_json_to_record, record_to_marc_json


def df(tag: str, ind: str, *pairs: str) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]),
                 subfields=[Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])


def vietnamese_record(decomposed: bool = False) -> pymarc.Record:
    record = pymarc.Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    record.fields = [
        Field(tag="001", data="VN-0001"),
        Field(tag="003", data="VNNL"),
        Field(tag="008", data="230101s2019    vm            000 0 vie d"),
        df("020", "  ", "a", "604-2-12345-? (bìa mềm) : 45000đ"),
        df("020", "  ", "a", "0-306-40615-2"),
        df("022", "  ", "a", "0317-8471"),
        df("035", "  ", "a", "(OCoLC)12345"),
        df("041", "0 ", "a", "vieeng"),
        df("082", "04", "a", "895.922/34", "2", "23"),
        df("084", "  ", "a", "V23", "2", "bbk"),
        df("090", "  ", "a", "895.92", "b", "NG-A"),
        df("100", "0 ", "a", "Nguyễn Văn An,", "e", "tác giả."),
        df("700", "1 ", "a", "Trần, Thị Bình.", "e", "dịch"),
        df("245", "10", "a", "Thư viện xã :", "b", "hướng dẫn hoạt động /", "c", "Nguyễn Văn An chủ biên."),
        df("250", "  ", "a", "Tái bản lần thứ 2."),
        df("264", " 1", "a", "H. :", "b", "Nxb. Giáo dục,", "c", "2019."),
        df("300", "  ", "a", "200 tr. ;", "c", "21 cm."),
        df("490", "0 ", "a", "Tủ sách cơ sở ;", "v", "5"),
        df("500", "  ", "a", "Đầu bìa sách ghi: Bộ Văn hoá."),
        df("520", "  ", "a", "Hướng dẫn tổ chức thư viện ở xã."),
        df("650", " 7", "a", "Thư viện", "x", "Quản lý", "2", "bttvqg"),
        df("653", "  ", "a", "Thư viện xã"),
        df("856", "40", "u", "https://example.org/tv", "y", "Bản điện tử"),
        df("952", "  ", "p", "TVH-0001", "a", "TTVH", "b", "TTVH", "o", "895.92 NG-A"),
    ]
    if decomposed:
        for field in record.fields:
            if not field.control_field:
                field.subfields = [Subfield(s.code, unicodedata.normalize("NFD", s.value)) for s in field.subfields]
    return record


@pytest.mark.parametrize("decomposed", [False, True])
def test_vietnamese_record_maps_every_field_nfc(decomposed):
    draft = draft_from_marc(vietnamese_record(decomposed))
    assert draft.title == "Thư viện xã"
    assert unicodedata.is_normalized("NFC", draft.title)
    assert draft.subtitle == "hướng dẫn hoạt động"
    assert draft.responsibility == "Nguyễn Văn An chủ biên"
    # Names as written: never inverted, both forms kept.
    assert draft.authors == ["Nguyễn Văn An", "Trần, Thị Bình"]
    assert draft.subjects == ["Thư viện -- Quản lý", "Thư viện xã"]
    assert draft.isbns == ["9780306406157"]
    assert draft.issns == ["0317-8471"]
    assert draft.languages == ["vie", "eng"]
    assert (draft.place, draft.publisher, draft.year) == ("H.", "Nxb. Giáo dục", 2019)
    assert draft.edition == "Tái bản lần thứ 2"
    assert draft.physical_description == "200 tr. ; 21 cm"
    assert draft.series == ["Tủ sách cơ sở ; 5"]
    assert draft.notes == ["Đầu bìa sách ghi: Bộ Văn hóa"]
    assert draft.summary == "Hướng dẫn tổ chức thư viện ở xã"
    assert draft.classifications == [{"scheme": "ddc", "number": "895.92234", "edition": "23"},
                                     {"scheme": "bbk", "number": "V23"}]
    assert draft.call_number == "895.92 NG-A"
    assert draft.links == [{"url": "https://example.org/tv", "text": "Bản điện tử"}]
    assert (draft.control_number, draft.control_source) == ("VN-0001", "VNNL")
    assert draft.system_numbers == ["(OCoLC)12345"]
    assert draft.record_type == "book"


def test_year_falls_back_to_008_and_type_from_leader():
    record = pymarc.Record(leader="00000cas a2200000 a 4500", force_utf8=True)
    record.fields = [Field(tag="008", data="230101c19989999vm            000 0 vie d"), df("245", "00", "a", "Tạp chí")]
    draft = draft_from_marc(record)
    assert draft.year == 1998 and draft.record_type == "serial"
    record.leader = pymarc.Leader("00000ngm a2200000 a 4500")
    assert draft_from_marc(record).record_type == "video"


def test_isbn_rules():
    assert is_valid_isbn("0-306-40615-2") and not is_valid_isbn("0-306-40615-3")
    assert isbn10_to_13("0306406152") == "9780306406157"
    assert normalise_isbn("978-0-306-40615-7") == "9780306406157"
    assert normalise_isbn("979-0-306-40615-7") is None
    assert find_isbn("0-8044-2957-X (pbk.) : $12.00") == "9780804429573"
    assert find_isbn("không có") is None
    assert find_issn("ISSN 0317-8471 (in)") == "0317-8471" and find_issn("0317-8472") is None


def test_marc_json_round_trip_is_utf8_nfc():
    record = vietnamese_record(decomposed=True)
    data = record_to_marc_json(record)
    assert data["leader"][9] == "a"
    assert data["fields"][0] == {"001": "VN-0001"}
    title = next(f["245"] for f in data["fields"] if "245" in f)
    assert title["subfields"][0] == {"a": "Thư viện xã :"}
    assert unicodedata.is_normalized("NFC", title["subfields"][0]["a"])
    assert record_to_marc_json(marc_json_to_record(data)) == data
    binary = marc_json_to_record(data).as_marc()
    again = next(iter(pymarc.MARCReader(binary, to_unicode=True)))
    assert record_to_marc_json(again) == data


def test_unchanged_draft_keeps_marc_identical():
    data = record_to_marc_json(vietnamese_record())
    draft = draft_from_marc(marc_json_to_record(data))
    assert write_draft(draft, data) == data


def test_edited_draft_changes_only_its_fields():
    data = record_to_marc_json(vietnamese_record())
    draft = draft_from_marc(marc_json_to_record(data))
    draft.title = "Thư viện làng"
    draft.authors = ["Nguyễn Văn An", "Lê Văn Cường"]
    draft.isbns = ["9780306406157", "9786040000000"]
    draft.year = 2020
    written = write_draft(draft, data)
    again = draft_from_marc(marc_json_to_record(written))
    assert again.title == "Thư viện làng" and again.subtitle == "hướng dẫn hoạt động"
    assert again.authors == ["Nguyễn Văn An", "Lê Văn Cường"]
    assert again.isbns[0] == "9780306406157" and again.year == 2020
    tags = [next(iter(f)) for f in written["fields"]]
    # Fields the draft does not cover survive untouched (Koha holdings, 084 with its scheme).
    assert {"952": data["fields"][-1]["952"]} in written["fields"]
    assert "084" in tags
    kept_100 = next(f["100"] for f in written["fields"] if "100" in f)
    assert kept_100["subfields"][-1] == {"e": "tác giả."}


def test_new_draft_without_base_builds_a_record():
    draft = RecordDraft(title="Truyện Kiều", authors=["Nguyễn Du"], year=1820, languages=["vie"],
                        publisher="Nxb. Văn học", place="H.", subjects=["Thơ -- Việt Nam"], record_type="book")
    data = write_draft(draft)
    assert data["leader"][6:10] == "am a"
    back = draft_from_marc(marc_json_to_record(data))
    assert (back.title, back.authors, back.year, back.languages, back.subjects, back.publisher) == (
        "Truyện Kiều", ["Nguyễn Du"], 1820, ["vie"], ["Thơ -- Việt Nam"], "Nxb. Văn học")

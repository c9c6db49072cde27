"""The permissive readers: encodings, broken records, positions, MARCXML variants."""
from __future__ import annotations

import io
import unicodedata

import pytest

from ingest.marc.errors import MarcFileError
from ingest.marc.mapping import draft_from_marc
from ingest.marc.reader import detect_format, read_file, read_iso2709, read_marcxml
from tests.ingest.marc_fixtures import book, iso, marc8_iso, marcxml

TITLE = "Những người khốn khổ ở đường Đồng Khởi"


def _read(data: bytes):
    return list(read_iso2709(io.BytesIO(data), "test.mrc"))


def test_utf8_and_marc8_vietnamese_read_the_same():
    record = book("1", TITLE, "Trần Thị Thuỷ")
    from_utf8 = _read(iso(record))[0]
    from_marc8 = _read(marc8_iso(record))[0]
    assert from_utf8.warnings == [] and from_marc8.warnings == []
    for result in (from_utf8, from_marc8):
        draft = draft_from_marc(result.record)
        assert draft.title == TITLE
        assert draft.authors == ["Trần Thị Thủy"]
        assert unicodedata.is_normalized("NFC", result.record["245"]["a"])


def test_utf8_bytes_under_a_marc8_leader_are_read_as_utf8_with_a_warning():
    data = bytearray(iso(book("1", TITLE)))
    data[9] = ord(" ")  # leader/09 blank: claims MARC-8
    result = _read(bytes(data))[0]
    assert draft_from_marc(result.record).title == TITLE  # not "NhÆ°̃ng" garbage
    assert [w.message for w in result.warnings] == ["The leader says MARC-8 but the text is UTF-8; it was read as UTF-8."]


def test_marc8_bytes_under_a_utf8_leader_are_converted():
    data = bytearray(marc8_iso(book("1", TITLE)))
    data[9] = ord("a")
    result = _read(bytes(data))[0]
    assert draft_from_marc(result.record).title == TITLE
    assert "it was converted from MARC-8" in result.warnings[0].message


def test_bad_records_do_not_stop_the_file_and_keep_their_position():
    first, second, third = iso(book("1", "Một")), iso(book("2", "Hai")), iso(book("3", "Ba"))
    broken = second[:30] + b"XX" + second[32:]  # directory entry damaged
    truncated = third[:-40]
    results = _read(first + broken + b"\r\n" + truncated)
    assert [r.ordinal for r in results] == [1, 2, 3]
    assert results[0].record is not None and results[0].offset == 0
    assert results[1].record is None and results[1].offset == len(first)
    assert "directory is damaged" in results[1].error.message
    assert results[2].record is None and "cut short" in results[2].error.message
    assert results[2].raw == truncated


def test_wrong_lengths_still_read():
    data = bytearray(iso(book("1", "Sách")))
    data[0:5] = b"00999"
    result = _read(bytes(data))[0]
    assert draft_from_marc(result.record).title == "Sách"
    assert "wrong record length" in result.warnings[0].message


@pytest.mark.parametrize("namespace", [True, False])
def test_marcxml_with_or_without_namespace(namespace):
    data = marcxml(book("1", TITLE), book("2", "Hai"), namespace=namespace)
    results = list(read_marcxml(io.BytesIO(data), "x.xml"))
    assert [draft_from_marc(r.record).title for r in results] == [TITLE, "Hai"]


def test_marcxml_broken_record_is_isolated(tmp_path):
    good = marcxml(book("1", "Một"), book("2", "Hai"), book("3", "Ba"))
    broken = good.replace(b"<subfield code=\"a\">Hai", b"<subfield code=\"a\">Hai & <b>", 1)
    path = tmp_path / "broken.xml"
    path.write_bytes(broken)
    results = list(read_file(path))
    assert [r.record is not None for r in results] == [True, False, True]
    assert "not well-formed XML" in results[1].error.message
    assert results[1].offset == broken.index(b"<record", results[0].offset + 1)


def test_single_record_marcxml(tmp_path):
    path = tmp_path / "one.xml"
    path.write_bytes(b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>'
                     b'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Truy\xe1\xbb\x87n Ki\xe1\xbb\x81u</subfield>'
                     b'</datafield></record>')
    assert detect_format(path) == "marcxml"
    assert draft_from_marc(next(read_file(path)).record).title == "Truyện Kiều"


def test_format_is_detected_by_content_not_extension(tmp_path):
    path = tmp_path / "records.txt"
    path.write_bytes(iso(book("1", "Một")))
    assert detect_format(path) == "iso2709"


@pytest.mark.parametrize("content, reason", [
    (b"", "is empty"), (b"\n\n  ", "is empty"), (b"Title,Author\nA,B\n", "is not MARC"),
    (b"<html><body>no</body></html>", "holds no MARCXML"),
])
def test_unreadable_files_are_clear_errors(tmp_path, content, reason):
    path = tmp_path / "bad.mrc"
    path.write_bytes(content)
    with pytest.raises(MarcFileError) as info:
        detect_format(path)
    assert reason in info.value.message and "bad.mrc" in info.value.message


def test_missing_file(tmp_path):
    with pytest.raises(MarcFileError, match="does not exist"):
        detect_format(tmp_path / "nothing.mrc")


def _raw_record(fields: list[tuple[str, bytes]]) -> bytes:
    """ISO 2709 bytes from (tag, field bytes without terminator), leader/09 blank (MARC-8)."""
    directory, body = b"", b""
    for tag, data in fields:
        data += b"\x1e"
        directory += f"{tag}{len(data):04d}{len(body):05d}".encode()
        body += data
    base = 24 + len(directory) + 1
    return f"{base + len(body) + 1:05d}nam  22{base:05d} a 4500".encode() + directory + b"\x1e" + body + b"\x1d"


def test_marc8_cjk_in_an_otherwise_ascii_record_is_decoded():
    # EACC (ESC $ 1) in 880, as cjk3.marc has it: every byte is ASCII, the escapes make it CJK.
    data = _raw_record([("001", b"cjk-1"), ("245", b"10\x1f6880-01\x1faLu Xun /"),
                        ("880", b"10\x1f6245-01/$1\x1fa\x1b$1'av\x1b(B  \x1b$1![g\x1b(B /")])
    (result,) = _read(data)
    assert result.error is None and result.warnings == []
    assert result.record["880"]["a"] == "鲁  迅 /"
    assert result.record["245"]["a"] == "Lu Xun /"


def test_subfield_codes_marc21slim_allows_are_kept():
    data = _raw_record([("001", b"sf-1"), ("245", b"10\x1faTitle\x1f<angle\x1f.dot"), ("500", b"  \x1f\x7fbad")])
    (result,) = _read(data)
    assert [(s.code, s.value) for s in result.record["245"].subfields] == [("a", "Title"), ("<", "angle"), (".", "dot")]
    assert [(s.code, s.value) for s in result.record["500"].subfields] == [("?", "bad")]
    assert [w.params["tag"] for w in result.warnings] == ["500"]


def test_a_cut_cjk_character_is_reported_not_written_to_stderr(capfd):
    data = _raw_record([("001", b"cjk-2"), ("245", b"10\x1fa\x1b$1!Bg'O\x1b(B /")])  # 5 bytes: one whole character
    (result,) = _read(data)
    assert result.record["245"]["a"] == "方 /"
    assert [w.template for w in result.warnings] == [
        "A MARC-8 escape sequence is broken; unreadable characters were replaced by \u201c\ufffd\u201d."]
    assert capfd.readouterr().err == ""

"""Small MARC fixtures built in code: Vietnamese records in UTF-8 and MARC-8, broken ones."""
from __future__ import annotations

import unicodedata

import pymarc
from pymarc import Field, Indicators, Subfield
from pymarc import marc8_mapping

from ingest.marc.export import to_iso2709

_ANSEL = {chr(uni): code for code, (uni, _c) in marc8_mapping.CODESETS[0x45].items()}


def marc8(text: str) -> bytes:
    """Encode Vietnamese text as MARC-8 (ANSEL): combining marks before their base letter."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out += ch.encode("ascii")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], list(decomposed[1:])
        if "\u031b" in marks:  # horn: ơ ư are letters of their own in ANSEL
            marks.remove("\u031b")
            base = unicodedata.normalize("NFC", base + "\u031b")
        for mark in marks:
            out.append(_ANSEL[mark])
        out += base.encode("ascii") if base.isascii() else bytes([_ANSEL[base]])
    return bytes(out)


def df(tag: str, ind: str, *pairs: str) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]),
                 subfields=[Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])


def book(control: str, title: str, author: str = "Nguyễn Văn An", year: int = 2019, *, isbn: str = "",
         source: str = "VNNL", extra: list[Field] | None = None, leader: str = "00000nam a2200000 a 4500") -> pymarc.Record:
    record = pymarc.Record(leader=leader, force_utf8=True)
    fields = []
    if control:
        fields += [Field(tag="001", data=control), Field(tag="003", data=source)]
    fields.append(Field(tag="008", data=f"230101s{year}    vm            000 0 vie d"))
    if isbn:
        fields.append(df("020", "  ", "a", isbn))
    fields += [df("041", "0 ", "a", "vie"), df("100", "0 ", "a", author),
               df("245", "10", "a", title + " /", "c", author + "."),
               df("264", " 1", "a", "H. :", "b", "Nxb. Giáo dục,", "c", str(year)),
               df("300", "  ", "a", "120 tr. ;", "c", "21 cm"),
               df("650", " 7", "a", "Văn học thiếu nhi")]
    record.fields = fields + list(extra or [])
    record.fields.sort(key=lambda f: f.tag)
    return record


def iso(*records: pymarc.Record) -> bytes:
    """UTF-8 ISO 2709 bytes of the records."""
    return b"".join(to_iso2709(r) for r in records)


def marc8_iso(record: pymarc.Record) -> bytes:
    """The record as MARC-8 ISO 2709 (leader/09 blank), encoded by hand."""
    directory, body, offset = b"", b"", 0
    for field in record.fields:
        if field.control_field:
            data = marc8(field.data) + b"\x1e"
        else:
            data = (field.indicator1 + field.indicator2).encode() + b"".join(
                b"\x1f" + s.code.encode() + marc8(s.value) for s in field.subfields) + b"\x1e"
        directory += f"{field.tag}{len(data):04d}{offset:05d}".encode()
        body += data
        offset += len(data)
    base = 24 + len(directory) + 1
    leader = f"{base + len(body) + 1:05d}nam  22{base:05d} a 4500".encode()
    return leader + directory + b"\x1e" + body + b"\x1d"


def marcxml(*records: pymarc.Record, namespace: bool = True) -> bytes:
    from ingest.marc.export import to_marcxml

    ns = ' xmlns="http://www.loc.gov/MARC21/slim"' if namespace else ""
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<collection' + ns.encode() + b">\n"
            + b"\n".join(to_marcxml(r) for r in records) + b"\n</collection>\n")


def noisy_file() -> bytes:
    """158 records with warnings of three kinds: 130 holdings without a barcode, 25 UTF-8 records
    whose leader says MARC-8, 3 holdings with an unknown library code (one code is markup)."""
    records = [book(f"NB{i}", f"Sách không mã vạch {i}", extra=[df("952", "  ", "a", "TTVH")])
               for i in range(130)]
    said_marc8 = [utf8_said_marc8(book(f"M8{i}", f"Địa lý Việt Nam {i}")) for i in range(25)]
    codes = ["KHONGCO", "<script>alert(1)</script>", "XYZ"]
    unknown = [book(f"UL{i}", f"Thư viện lạ {i}", extra=[df("952", "  ", "a", code, "p", f"LA-{i}")])
               for i, code in enumerate(codes)]
    return iso(*records) + b"".join(said_marc8) + iso(*unknown)


def utf8_said_marc8(record: pymarc.Record) -> bytes:
    """UTF-8 ISO 2709 whose leader/09 says MARC-8 (blank), as some systems write it."""
    data = iso(record)
    return data[:9] + b" " + data[10:]

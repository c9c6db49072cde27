"""MARC21 -> RecordDraft: the fields the catalogue shows, searches and matches on.

Vietnamese personal names are kept as written, never inverted: "Nguyễn Văn An" and the Library of
Congress style "Nguyễn, Văn An" both stay as they are (search treats them as one heading).
The reverse direction (a draft written back into MARC) lives in ingest/marc/writeback.py.
"""
from __future__ import annotations

import re

import pymarc

from catalog.records.models import RecordDraft
from ingest.marc.isbn import find_isbn, find_issn

NAME_TAGS = ("100", "110", "111", "700", "710", "711")
SUBJECT_TAGS = ("600", "610", "611", "630", "648", "650", "651", "653", "654", "655", "656", "657", "658", "662")
NOTE_SKIP = ("520",)
NAME_CODES = {"100": "abcdq", "700": "abcdq", "110": "abcdn", "710": "abcdn", "111": "acdenq", "711": "acdenq"}
SUBJECT_CODES = "abcdvxyzt"
_ABBREVIATIONS = {
    "nxb", "tp", "tr", "ed", "eds", "co", "inc", "ltd", "jr", "sr", "st", "vol", "no", "pp", "tb", "xb",
    "dr", "mr", "mrs", "ms", "ths", "ts", "gs", "pgs", "q", "t", "h", "etc", "ill", "col", "ca", "cf", "al",
}
_TRAILING = re.compile(r"[\s/:;,=+]+$")
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
_LANGUAGE = re.compile(r"^[a-z]{3}$")
# LDR/06 type of record (and LDR/07 bibliographic level for serials).
_TYPES = {
    "a": "book", "t": "manuscript", "c": "music", "d": "music", "j": "music", "i": "sound",
    "e": "map", "f": "map", "g": "video", "k": "image", "o": "kit", "p": "mixed", "m": "computer_file",
    "r": "other",
}
SCHEMES = {"082": "ddc", "080": "udc", "050": "lcc", "060": "nlm", "084": "other"}


def clean(text: str | None) -> str:
    """A subfield value without ISBD end punctuation (" /", " :", " ;", ",", "=") and spaces.

    A final full stop goes too unless it ends an abbreviation or initial ("Nxb.", "H.", "A.")."""
    text = _TRAILING.sub("", (text or "").strip())
    if text.endswith(".") and not text.endswith(".."):
        word = text.rsplit(None, 1)[-1][:-1]
        if not (len(word) == 1 and word.isalpha()) and "." not in word and word.lower() not in _ABBREVIATIONS:
            text = _TRAILING.sub("", text[:-1])
    return text


def joined(field: pymarc.Field, codes: str, sep: str = " ") -> str:
    """The field's subfields `codes`, cleaned and joined (also how writeback compares a field)."""
    return clean(sep.join(clean(s.value) for s in field.subfields if s.code in codes and s.value and s.value.strip()))


def _first(record: pymarc.Record, tag: str, code: str) -> str:
    for field in record.get_fields(tag):
        value = field.get(code)
        if value and value.strip():
            return clean(value)
    return ""


def record_type(leader: str) -> str:
    """LDR/06-07: "a" + "s"/"i" is a serial; the rest by LDR/06 alone."""
    kind, level = (leader + "  ")[6:8]
    if kind == "a" and level in "bis" and level != " ":
        return "serial"
    return _TYPES.get(kind, "other" if kind.strip() else "book")


def title_parts(record: pymarc.Record) -> tuple[str, str, str]:
    """245 $a (+ $n $p parts), $b remainder, $c statement of responsibility."""
    for field in record.get_fields("245"):
        title = joined(field, "anp", " ")
        title = re.sub(r"\s+\.\s+", ". ", title)
        return title, joined(field, "b"), joined(field, "c")
    return "", "", ""


def fallback_title(record: pymarc.Record) -> str:
    """A title for records without 245 (authority and holdings records): uniform title or heading."""
    preferred = ("130", "240", "246", "100", "110", "111", "150", "151", "155", "148", "180")
    others = sorted({f.tag for f in record.fields if f.tag[:1] in "12" and f.tag not in preferred and not f.control_field})
    for tag in (*preferred, *others):
        for field in record.get_fields(tag):
            text = joined(field, "abcdefghklmnpqrstvxyz")
            if text:
                return text
    return ""


def names(record: pymarc.Record) -> list[str]:
    """Authors from 100/110/111 then 700/710/711, as written (never inverted), without repeats."""
    found: list[str] = []
    for field in record.get_fields(*NAME_TAGS):
        name = joined(field, NAME_CODES[field.tag])
        if name and name not in found:
            found.append(name)
    return found


def subjects(record: pymarc.Record) -> list[str]:
    """6XX headings, subdivisions joined with " -- "."""
    found: list[str] = []
    for field in record.get_fields(*SUBJECT_TAGS):
        heading = " -- ".join(clean(s.value) for s in field.subfields if s.code in SUBJECT_CODES and clean(s.value))
        if heading and heading not in found:
            found.append(heading)
    return found


def languages(record: pymarc.Record) -> list[str]:
    """008/35-37 then every 041 $a (codes run together like "vieeng" are split in threes)."""
    found: list[str] = []
    fixed = record.get("008")
    if fixed is not None and fixed.data and len(fixed.data) >= 38:
        code = fixed.data[35:38].lower()
        if _LANGUAGE.match(code) and code not in ("und", "zxx", "mul"):
            found.append(code)
    for field in record.get_fields("041"):
        for value in field.get_subfields("a"):
            value = re.sub(r"[^a-zA-Z]", "", value).lower()
            for code in (value[i:i + 3] for i in range(0, len(value), 3)):
                if _LANGUAGE.match(code) and code not in found:
                    found.append(code)
    return found


def publication(record: pymarc.Record) -> tuple[str, str, int | None]:
    """Place, publisher, year: 264 with ind2 1 (publication), else 260, else 008/07-10 for the year."""
    fields = [f for f in record.get_fields("264") if f.indicator2 == "1"] + record.get_fields("260", "264")
    place = publisher = ""
    year = None
    for field in fields:
        place = place or joined(field, "a", " ; ")
        publisher = publisher or joined(field, "b", " ; ")
        if year is None:
            match = _YEAR.search(" ".join(field.get_subfields("c")))
            year = int(match.group(1)) if match else None
    if year is None:
        fixed = record.get("008")
        if fixed is not None and fixed.data and len(fixed.data) >= 11 and fixed.data[7:11].isdigit():
            value = int(fixed.data[7:11])
            year = value if 1000 <= value <= 2100 else None
    return place, publisher, year


def classifications(record: pymarc.Record) -> list[dict[str, str]]:
    """082 (DDC, edition in $2), 080, 050, 084 (scheme named by $2)."""
    found: list[dict[str, str]] = []
    for field in record.get_fields("082", "080", "050", "060", "084"):
        number = " ".join(s.value.strip() for s in field.subfields if s.code in "ab" and s.value.strip())
        number = number.replace("/", "")  if field.tag == "082" else number
        if not number:
            continue
        source = (field.get("2") or "").strip()
        entry = {"scheme": SCHEMES[field.tag], "number": number}
        if field.tag == "084":
            entry["scheme"] = source.lower() or "other"
        elif source:
            entry["edition"] = source
        if entry not in found:
            found.append(entry)
    return found


def call_number(record: pymarc.Record) -> str:
    """090 $a $b (local call number), else the first 852 $h $i, else 099."""
    for tag, codes in (("090", "ab"), ("852", "hi"), ("099", "a")):
        for field in record.get_fields(tag):
            number = " ".join(s.value.strip() for s in field.subfields if s.code in codes and s.value.strip())
            if number:
                return number
    return ""


def links(record: pymarc.Record) -> list[dict[str, str]]:
    """856 $u with $y / $3 / $z as the link text."""
    found: list[dict[str, str]] = []
    for field in record.get_fields("856"):
        for url in field.get_subfields("u"):
            text = field.get("y") or field.get("3") or field.get("z") or ""
            if url.strip():
                found.append({"url": url.strip(), "text": clean(text)})
    return found


def identifiers(record: pymarc.Record) -> tuple[list[str], list[str], list[str]]:
    """ISBNs (020 $a, as ISBN-13), ISSNs (022 $a) and system numbers (035 $a)."""
    isbns: list[str] = []
    for value in (v for f in record.get_fields("020") for v in f.get_subfields("a")):
        isbn = find_isbn(value)
        if isbn and isbn not in isbns:
            isbns.append(isbn)
    issns: list[str] = []
    for value in (v for f in record.get_fields("022") for v in f.get_subfields("a")):
        issn = find_issn(value)
        if issn and issn not in issns:
            issns.append(issn)
    systems: list[str] = []
    for value in (v for f in record.get_fields("035") for v in f.get_subfields("a")):
        value = value.strip()
        if value and value not in systems:
            systems.append(value)
    return isbns, issns, systems


class _Indexed:
    """A record's fields by tag, looked up once (pymarc scans every field on each get_fields)."""

    def __init__(self, record: pymarc.Record) -> None:
        self.leader, self.fields = record.leader, record.fields
        self.by_tag: dict[str, list] = {}
        for field in record.fields:
            self.by_tag.setdefault(field.tag, []).append(field)

    def get_fields(self, *tags: str) -> list:
        if len(tags) == 1:
            return list(self.by_tag.get(tags[0], ()))
        wanted = set(tags)
        return [f for f in self.fields if f.tag in wanted]

    def get(self, tag: str, default=None):
        found = self.by_tag.get(tag)
        return found[0] if found else default


def draft_from_marc(record: pymarc.Record) -> RecordDraft:
    """Map a MARC21 record to a draft (NFC, canonical tones); the MARC itself is kept aside whole."""
    record = _Indexed(record)
    title, subtitle, responsibility = title_parts(record)
    place, publisher, year = publication(record)
    isbns, issns, systems = identifiers(record)
    control = record.get("001")
    source = record.get("003")
    return RecordDraft(
        title=title or fallback_title(record),
        subtitle=subtitle,
        responsibility=responsibility,
        authors=names(record),
        subjects=subjects(record),
        publisher=publisher,
        place=place,
        year=year,
        languages=languages(record),
        record_type=record_type(str(record.leader)),
        isbns=isbns,
        issns=issns,
        classifications=classifications(record),
        call_number=call_number(record),
        summary=" ".join(joined(f, "ab") for f in record.get_fields("520")).strip(),
        series=[s for s in (joined(f, "av", " ; ") for f in record.get_fields("490", "830")) if s],
        edition=" ".join(joined(f, "ab") for f in record.get_fields("250")).strip(),
        physical_description=" ; ".join(clean(" ".join(s.value.strip() for s in f.subfields if s.code in "abcefg"))
                                        for f in record.get_fields("300")).strip(),
        notes=[n for n in (joined(f, "abcdefghijklmnopqrstuvwxyz") for f in record.fields
                           if f.tag.startswith("5") and f.tag not in NOTE_SKIP and not f.control_field) if n],
        links=links(record),
        control_number=(control.data or "").strip() if control is not None else "",
        control_source=(source.data or "").strip() if source is not None else "",
        system_numbers=systems,
    ).normalised()


"""Records fetched from a target read into MARC, then into drafts through ingest/marc: ISO 2709
(with the target's declared character set checked against the bytes), MARCXML, and Dublin Core
(mapped to the MARC fields the copy-cataloguing form shows). Also the copied record's source:
003 and 035."""
from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import pymarc
from pymarc import Field, Indicators, Subfield

from catalog.errors import N_
from ingest.marc.charsets import nfc
from ingest.marc.isbn import find_isbn
from ingest.marc.marcjson import DEFAULT_LEADER
from ingest.marc.reader import MarcRecordError, decode_iso2709, read_marcxml
from ingest.marc.results import Problem
from ingest.marc.units import RECORD_END

_LEADER_CODE = {"utf-8": b"a", "marc-8": b" "}
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def read_iso2709(raw: bytes, charset: str = "auto") -> tuple[pymarc.Record, list[Problem]]:
    """One ISO 2709 record in the declared character set ("auto": as LDR/09 says); a mismatch
    between the declaration and the bytes is read correctly and reported. MarcRecordError when
    the bytes are not MARC."""
    warnings: list[Problem] = []
    data = raw.rstrip(b"\r\n\x00")
    if not data.endswith(RECORD_END):
        data += RECORD_END
    if len(data) > 24 and charset in _LEADER_CODE:
        data = data[:9] + _LEADER_CODE[charset] + data[10:]
    elif len(data) > 24 and charset == "iso-8859-1":
        data = data[:9] + b"a" + data[10:24] + data[24:].decode("latin-1").encode("utf-8")
    return decode_iso2709(data, warnings), warnings


def read_marcxml_element(element: ElementTree.Element) -> tuple[pymarc.Record, list[Problem]]:
    """A MARCXML <record> element from an SRU answer (MarcRecordError when it has no fields)."""
    snippet = ElementTree.tostring(element, encoding="utf-8")
    result = next(iter(read_marcxml(io.BytesIO(snippet), "sru")), None)
    if result is None or result.record is None:
        problem = result.error if result is not None and result.error else Problem(N_("The record has no fields."))
        raise MarcRecordError(problem.template, **problem.params)
    return result.record, result.warnings


def _texts(element: ElementTree.Element, name: str) -> list[str]:
    found = [nfc(" ".join((child.text or "").split())) for child in element.iter()
             if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == name]
    return [text for text in found if text]


def _df(tag: str, ind: str, *pairs: str) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]),
                 subfields=[Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])


def read_dublin_core(element: ElementTree.Element) -> tuple[pymarc.Record, list[Problem]]:
    """A Dublin Core record (srw_dc / oai_dc) as MARC: title 245, creators 100/700, subjects 650,
    publisher and date 264, ISBN 020, links 856, language 041, description 520."""
    titles = _texts(element, "title")
    if not titles:
        raise MarcRecordError(N_("The Dublin Core record has no title."))
    record = pymarc.Record(leader=DEFAULT_LEADER, force_utf8=True)
    fields: list[Field] = []
    identifiers = _texts(element, "identifier")
    for value in identifiers:
        isbn = find_isbn(value)
        if isbn:
            fields.append(_df("020", "  ", "a", isbn))
    languages = [v.lower() for v in _texts(element, "language") if len(v) == 3 and v.isalpha()]
    if languages:
        fields.append(_df("041", "0 ", *[x for code in languages for x in ("a", code)]))
    creators = _texts(element, "creator")
    if creators:
        fields.append(_df("100", "0 ", "a", creators[0]))
    fields.append(_df("245", "00", "a", titles[0]))
    publishers, dates = _texts(element, "publisher"), _texts(element, "date")
    years = [m.group(1) for d in dates for m in [_YEAR.search(d)] if m]
    if publishers or years:
        pairs = (["b", publishers[0]] if publishers else []) + (["c", years[0]] if years else [])
        fields.append(_df("264", " 1", *pairs))
    fields += [_df("520", "  ", "a", text) for text in _texts(element, "description")[:3]]
    fields += [_df("650", " 4", "a", text) for text in _texts(element, "subject")]
    fields += [_df("700", "0 ", "a", name) for name in creators[1:] + _texts(element, "contributor")]
    fields += [_df("856", "40", "u", v) for v in identifiers if v.startswith(("http://", "https://"))]
    record.fields = fields
    return record, []


def with_source(marc: dict, code: str) -> dict:
    """The MARC-in-JSON with 003 = the source's code and 035 $a "(code)001" (kept once), so that
    the record says where it was copied from and a later copy of it matches it."""
    fields = [dict(f) for f in marc.get("fields", [])]
    control = next((str(f["001"]).strip() for f in fields if "001" in f), "")
    fields = [f for f in fields if "003" not in f]
    if control:
        number = f"({code}){control}"
        has_it = any("035" in f and any(s.get("a") == number for s in f["035"].get("subfields", []))
                     for f in fields)
        if not has_it:
            at = next((i for i, f in enumerate(fields) if next(iter(f)) > "035"), len(fields))
            fields.insert(at, {"035": {"ind1": " ", "ind2": " ", "subfields": [{"a": number}]}})
    at = next((i for i, f in enumerate(fields) if next(iter(f)) > "003"), len(fields))
    fields.insert(at, {"003": code})
    return {**marc, "fields": fields}

"""Dublin Core -> MARC21 (the LC crosswalk, trimmed to what the catalogue shows), so that a DC
record goes through the MARC import's mapping, matching, conflict report and export unchanged.

title -> 245 (more titles 246), creator -> 100/700, contributor -> 700, subject -> 653,
description -> 520, publisher -> 260 $b, date -> 260 $c and 008/07-10, type -> leader/06,
language -> 041 and 008/35-37, identifier -> 020 (ISBN), 022 (ISSN), 856 (http/https links only),
024 (anything else), rights -> 540, format -> 300, relation -> 490, source/coverage -> 500; the
OAI identifier of a harvested record -> 035 "(OAI)…".
"""
from __future__ import annotations

import re
import unicodedata

import pymarc
from pymarc import Field, Indicators, Subfield

from catalog.errors import N_
from ingest.marc.isbn import find_isbn, find_issn
from ingest.marc.results import Problem

DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format",
            "identifier", "source", "language", "relation", "coverage", "rights")
# DCMI Type vocabulary (and hoclieu's own record types, as its /oai writes them) -> LDR/06.
_TYPES = {
    "text": "a", "book": "a", "serial": "a", "image": "k", "stillimage": "k", "movingimage": "g", "video": "g",
    "sound": "i", "music": "j", "software": "m", "dataset": "m", "interactiveresource": "m",
    "computer_file": "m", "map": "e", "cartographic": "e", "physicalobject": "r", "kit": "o", "collection": "p",
    "mixed": "p", "manuscript": "t", "event": "r", "service": "m", "other": "r",
}
# ISO 639-1 -> 639-2/B for the languages a district library meets.
_LANGUAGES = {"vi": "vie", "en": "eng", "fr": "fre", "zh": "chi", "ru": "rus", "ja": "jpn", "ko": "kor",
              "de": "ger", "km": "khm", "lo": "lao", "th": "tha", "es": "spa"}
_NAMES = {"vietnamese": "vie", "tiếng việt": "vie", "english": "eng", "tiếng anh": "eng", "french": "fre"}
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = ("http", "https")


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def clean_text(value: str | None) -> str:
    """NFC, control characters out, single spaces."""
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(ch if ch.isprintable() or ch in "\t\n" else " " for ch in text)
    return " ".join(text.split())


def dc_values(element) -> dict[str, list[str]]:
    """The DC elements under a container (<oai_dc:dc>, <record>, <metadata>), by element name."""
    values: dict[str, list[str]] = {}
    for child in element.iter():
        if child is element or not isinstance(child.tag, str):
            continue
        namespace = child.tag[1:].split("}", 1)[0] if child.tag.startswith("{") else ""
        name = local(child.tag).lower()
        if namespace in (DC_NS, DCTERMS_NS, "") and name in ELEMENTS:
            text = clean_text("".join(child.itertext()))
            if text:
                values.setdefault(name, []).append(text)
    return values


def _language(value: str) -> str:
    text = value.strip().lower().split("-")[0].split("_")[0]
    if re.fullmatch(r"[a-z]{3}", text):
        return text
    return _LANGUAGES.get(text) or _NAMES.get(value.strip().lower(), "")


def link_scheme(url: str) -> str:
    """The scheme a browser would read (controls and spaces dropped, lower case), '' for none."""
    compact = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    found = _SCHEME.match(compact)
    return found.group(1).lower() if found else ""


def _identifier(value: str, fields: list[Field], warnings: list[Problem]) -> None:
    text = value.strip()
    lowered = text.lower()
    scheme = link_scheme(text)
    if scheme in SAFE_SCHEMES:
        fields.append(Field("856", Indicators("4", "0"), [Subfield("u", text)]))
        return
    if lowered.startswith(("isbn", "urn:isbn")) or (find_isbn(text) and not scheme):
        isbn = find_isbn(text)
        if isbn:
            fields.append(Field("020", Indicators(" ", " "), [Subfield("a", isbn)]))
            return
    if lowered.startswith(("issn", "urn:issn")):
        issn = find_issn(text)
        if issn:
            fields.append(Field("022", Indicators(" ", " "), [Subfield("a", issn)]))
            return
    if scheme and scheme not in ("urn", "doi", "info", "hdl", "oai", "ark"):
        warnings.append(Problem(N_("The identifier “{value}” is a link of a kind that is not allowed ({scheme}:); "
                                   "it was left out."), {"value": text[:120], "scheme": scheme}))
        return
    fields.append(Field("024", Indicators("8", " "), [Subfield("a", text[:500])]))


def marc_from_dc(values: dict[str, list[str]], *, oai_identifier: str = "") -> tuple[pymarc.Record, list[Problem]]:
    """A MARC21 record for these DC values, and what was left out (unsafe links)."""
    warnings: list[Problem] = []
    kind = next((_TYPES[t] for t in (re.sub(r"[^a-z_]", "", v.lower()) for v in values.get("type", ())) if t in _TYPES),
                "a")
    languages = [code for code in dict.fromkeys(_language(v) for v in values.get("language", ())) if code]
    dates = values.get("date", [])
    year = next((m.group(1) for m in (_YEAR.search(d) for d in dates) if m), "")
    fixed = f"{'':6}{'s' if year else 'n'}{year or 'uuuu'}{'':4}xx {'':17}{(languages or ['und'])[0]} d"
    fields: list[Field] = [Field("008", data=fixed[:40].ljust(40))]
    if oai_identifier:
        fields.append(Field("035", Indicators(" ", " "), [Subfield("a", f"(OAI){oai_identifier}"[:255])]))
    identifiers: list[Field] = []
    for value in values.get("identifier", []):
        _identifier(value, identifiers, warnings)
    fields += sorted((f for f in identifiers if f.tag != "856"), key=lambda f: f.tag)
    if languages:
        fields.append(Field("041", Indicators("0", " "), [Subfield("a", code) for code in languages]))
    creators = values.get("creator", [])
    if creators:
        fields.append(Field("100", Indicators("0", " "), [Subfield("a", creators[0])]))
    titles = values.get("title", [])
    if titles:
        fields.append(Field("245", Indicators("1" if creators else "0", "0"), [Subfield("a", titles[0])]))
    fields += [Field("246", Indicators("3", "3"), [Subfield("a", t)]) for t in titles[1:]]
    publication = [Subfield("b", p) for p in values.get("publisher", [])[:1]] + [Subfield("c", d) for d in dates[:1]]
    if publication:
        fields.append(Field("260", Indicators(" ", " "), publication))
    fields += [Field("300", Indicators(" ", " "), [Subfield("a", v)]) for v in values.get("format", [])[:3]]
    fields += [Field("490", Indicators("0", " "), [Subfield("a", v)]) for v in values.get("relation", [])
               if not link_scheme(v)]
    fields += [Field("500", Indicators(" ", " "), [Subfield("a", v)])
               for v in values.get("source", []) + values.get("coverage", [])]
    fields += [Field("520", Indicators(" ", " "), [Subfield("a", v)]) for v in values.get("description", [])]
    fields += [Field("540", Indicators(" ", " "), [Subfield("a", v)]) for v in values.get("rights", [])]
    fields += [Field("653", Indicators(" ", " "), [Subfield("a", v)]) for v in values.get("subject", [])]
    fields += [Field("700", Indicators("0", " "), [Subfield("a", v)]) for v in creators[1:]]
    fields += [Field("700", Indicators("0", " "), [Subfield("a", v), Subfield("e", "contributor")])
               for v in values.get("contributor", [])]
    fields += [f for f in identifiers if f.tag == "856"]
    record = pymarc.Record(leader=f"00000n{kind}m a2200000 i 4500", force_utf8=True)
    record.fields = fields
    return record, warnings

"""What search engines and reference managers read in our pages: schema.org JSON-LD on a record
page, COinS (OpenURL 1.0 KEV in <span class="Z3988">) and unAPI ids on record and results pages.

Catalogue data goes into a <script type="application/ld+json"> block: JSON with <, >, & and the
line separators written as \\u escapes, so a title holding "</script>" or "<!--" cannot end the
block or start markup. The block is data, never run (the CSP's script-src does not apply to it).
"""
from __future__ import annotations

import json
from urllib.parse import quote

from markupsafe import Markup

from catalog.records.models import Record

# MARC record types (Record.record_type) -> schema.org types; the rest are CreativeWork.
SCHEMA_TYPES = {"book": "Book", "serial": "Periodical", "map": "Map", "music": "MusicComposition",
                "sound": "AudioObject", "video": "VideoObject", "image": "VisualArtwork"}
KEV_GENRES = {"book": "book", "serial": "journal"}


def safe_json(data: object) -> Markup:
    """JSON that can stand inside a <script> element whatever the strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                          ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)


def record_json_ld(record: Record, url: str, holdings: list[tuple[str, str, str]]) -> Markup:
    """schema.org Book (or CreativeWork, ...) for a record page; holdings are (library name,
    call number, availability word) and become offers at each library."""
    data: dict[str, object] = {
        "@context": "https://schema.org", "@type": SCHEMA_TYPES.get(record.record_type, "CreativeWork"),
        "@id": url, "url": url,
        "name": record.title + (f" : {record.subtitle}" if record.subtitle else ""),
    }
    if record.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in record.authors]
    if record.isbns and data["@type"] == "Book":
        data["isbn"] = record.isbns[0] if len(record.isbns) == 1 else list(record.isbns)
    if record.issns:
        data["issn"] = list(record.issns)
    if record.year:
        data["datePublished"] = str(record.year)
    if record.languages:
        data["inLanguage"] = list(record.languages)
    if record.publisher:
        data["publisher"] = {"@type": "Organization", "name": record.publisher}
    if record.subjects:
        data["about"] = [{"@type": "Thing", "name": s} for s in record.subjects]
    if record.summary:
        data["description"] = record.summary
    if record.edition:
        data["bookEdition"] = record.edition
    if holdings:
        data["offers"] = [{"@type": "Offer", "price": "0", "priceCurrency": "VND",
                           "availability": availability, "offeredBy": {"@type": "Library", "name": library},
                           **({"sku": call_number} if call_number else {})}
                          for library, call_number, availability in holdings]
    return safe_json(data)


def coins(*, title: str, authors: list[str], year: int | None, publisher: str = "", isbns: list[str] | None = None,
          record_type: str = "book", url: str = "", language: list[str] | None = None) -> str:
    """The title attribute of a COinS span (OpenURL 1.0 KEV, UTF-8 percent-encoded)."""
    genre = KEV_GENRES.get(record_type, "book")
    journal = genre == "journal"
    pairs = [("ctx_ver", "Z39.88-2004"),
             ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal" if journal else "info:ofi/fmt:kev:mtx:book"),
             ("rfr_id", "info:sid/hoclieu"), ("rft.genre", genre), ("rft.jtitle" if journal else "rft.btitle", title)]
    pairs += [("rft.au", name) for name in authors]
    if year:
        pairs.append(("rft.date", str(year)))
    if publisher and not journal:
        pairs.append(("rft.pub", publisher))
    pairs += [("rft.isbn", isbn) for isbn in (isbns or [])[:1]]
    pairs += [("rft.language", code) for code in (language or [])[:1]]
    if url:
        pairs.append(("rft_id", url))
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in pairs if value)

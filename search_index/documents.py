"""Index documents built from catalog rows (catalog.records.indexing.IndexRow): text fields, facet values,
sort keys and the plain data a hit shows (stored, so a results page needs no database query)."""
from __future__ import annotations

from collections import OrderedDict

from catalog.records.indexing import IndexRow, version_of
from catalog.text import isbn_forms, normalise
from search_index.analysis import VALUE_SEP, autocomplete_key

AVAILABLE = "available"
UNAVAILABLE = "unavailable"
NO_COPIES = "none"
SUMMARY_STORED = 600


def name_forms(name: str) -> list[str]:
    """A heading and, for "Nguyễn, Văn An", its uninverted form "Nguyễn Văn An" (same syllables)."""
    name = normalise(name)
    forms = [name]
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        if family and given and " " not in family:
            forms.append(f"{family} {given}")
    return forms


def holdings(row: IndexRow) -> list[dict]:
    """Copies per library where they are now: code, name, copies, available."""
    per_library: OrderedDict[str, dict] = OrderedDict()
    for copy in row.copies:
        entry = per_library.setdefault(
            copy.library_code, {"library": copy.library_code, "name": copy.library_name, "copies": 0, "available": 0}
        )
        entry["copies"] += 1
        entry["available"] += copy.status == AVAILABLE
    return list(per_library.values())


def availability(row: IndexRow) -> str:
    if not row.copies:
        return NO_COPIES
    return AVAILABLE if any(c.status == AVAILABLE for c in row.copies) else UNAVAILABLE


def _joined(values) -> str:
    return VALUE_SEP.join(v for v in values if v)


def build_document(row: IndexRow) -> dict:
    """The Whoosh document of one live record."""
    f = row.fields
    title = " : ".join(part for part in (f["title"], f["subtitle"]) if part)
    authors = [normalise(a) for a in f["authors"]]
    subjects = [normalise(s) for s in f["subjects"]]
    classes = [c.get("number", "") for c in f["classifications"] if isinstance(c, dict)]
    body = [*f["series"], f["publisher"], f["place"], f["edition"], f["summary"], *f["notes"]]
    isbns = [form for value in f["isbns"] for form in isbn_forms(value)]
    year = f["year"]
    has_digital = row.digital_objects > 0
    data = {
        "title": title,
        "authors": authors,
        "year": year,
        "type": f["record_type"],
        "language": list(f["languages"]),
        "has_digital": has_digital,
        "holdings": holdings(row),
        "subjects": subjects,
        "publisher": f["publisher"],
        "summary": normalise(f["summary"])[:SUMMARY_STORED],
    }
    doc = {
        "id": str(row.id),
        "version": version_of(row.updated_at),
        "data": data,
        "title": title,
        "title_f": title,
        "author": "\n".join([*authors, f["responsibility"]]),
        "author_f": "\n".join([*authors, f["responsibility"]]),
        "subject": "\n".join(subjects),
        "subject_f": "\n".join(subjects),
        "body_f": "\n".join(b for b in body if b),
        "isbn": _joined([*isbns, *(v.replace("-", "").upper() for v in f["isbns"])]),
        "issn": _joined(v.replace("-", "").upper() for v in f["issns"]),
        "callno": _joined(normalise(v).lower() for v in [f["call_number"], *classes]),
        "title_sort": row.title_sort or "",
        "ac_title": autocomplete_key(title) if title else "",
        "ac_author": _joined(autocomplete_key(form) for a in authors for form in name_forms(a)),
        "ac_subject": _joined(autocomplete_key(s) for s in subjects),
        "facet_type": f["record_type"] or "other",
        "facet_language": _joined(f["languages"]),
        "facet_subject": _joined(subjects),
        "facet_library": _joined(sorted({c.library_code for c in row.copies} | {c.home_code for c in row.copies})),
        "facet_availability": availability(row),
        "facet_digital": "yes" if has_digital else "no",
    }
    if row.pages:
        doc["pages_f"] = "\n".join(text for _number, text in row.pages)
    if year is not None:
        doc["year"] = int(year)
        doc["facet_decade"] = str(int(year) // 10 * 10)
    return {key: value for key, value in doc.items() if value != ""}

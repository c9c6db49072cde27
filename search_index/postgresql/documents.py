"""Search document rows for PostgreSQL, built in Python from the same analysis as the Whoosh
index (search_index.analysis, search_index.documents): the database's text search
configuration and locale play no part, so folding is exactly catalog.text's.

The tsvectors are written as literals with positions and weights:
- exact:  title A, authors B, subjects C (NFC, canonical tones, lower case);
- folded: the same groups folded (no marks, đ -> d) plus the free text (series, publisher,
  place, edition, summary, notes) as D;
- pages:  the folded text of the digital pages;
- title_words: the folded title alone (GIN answers `title:` with no recheck of weights).
Each value of a group starts VALUE_GAP positions after the previous one, so a phrase never
runs from one author (or page) into the next.
"""
from __future__ import annotations

from search_index.analysis import WORD, autocomplete_key, fold_word, prepared
from search_index.documents import build_document, name_forms

# The version of what a document holds; raise it with any change that older documents would
# answer wrongly (`check-index` then asks for `reindex`).
SCHEMA_VERSION = "pg1"
VALUE_GAP = 8
MAX_POSITION = 16383  # PostgreSQL keeps positions up to this
MAX_POSITIONS = 256  # positions kept per lexeme
MAX_LEXEME = 255  # longer "words" (garbage) are left out; no query can reasonably hold them
# PostgreSQL refuses a tsvector over 1 MB, which would fail the record's own transaction: a vector
# stops taking new words (a huge OCR'd book's noise, mostly) once it is about this big.
MAX_VECTOR_BYTES = 900_000
WORD_FIELDS = ("title", "author", "subject", "body", "pages")


class Vector:
    """A tsvector being built: lexeme -> positions (with a weight letter)."""

    def __init__(self) -> None:
        self.where: dict[str, list[str]] = {}
        self.position = 0
        self.size = 0  # about the bytes PostgreSQL will need

    def add(self, terms: list[str], weight: str = "") -> None:
        position = self.position
        for term in terms:
            position += 1
            if len(term) > MAX_LEXEME:
                continue
            found = self.where.get(term)
            if found is None:
                if self.size > MAX_VECTOR_BYTES:
                    continue
                found = self.where[term] = []
                self.size += len(term.encode("utf-8")) + 8
            if len(found) < MAX_POSITIONS:
                found.append(f"{min(position, MAX_POSITION)}{weight}")
                self.size += 2
        self.position = position + VALUE_GAP

    def literal(self) -> str:
        return " ".join(f"'{term}':{','.join(dict.fromkeys(at))}" for term, at in self.where.items())


def _tokens(text: str) -> list[str]:
    return WORD.findall(prepared(text)) if text else []


def document_values(row) -> tuple[dict, list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(the search_document row, its (word, field) vocabulary, its (kind, key, shown) completions)
    for one live record (catalog.records.indexing.IndexRow)."""
    doc = build_document(row)
    data = doc["data"]
    fields = row.fields
    exact, folded, pages, title_words = Vector(), Vector(), Vector(), Vector()
    words: set[tuple[str, str]] = set()

    def group(values: list[str], weight: str, name: str, *, with_exact: bool = True) -> None:
        for value in values:
            tokens = _tokens(value)
            if with_exact:
                exact.add([t.lower() for t in tokens], weight)
            terms = [fold_word(t) for t in tokens]
            folded.add(terms, weight)
            words.update((t, name) for t in terms if len(t) <= MAX_LEXEME)

    title_tokens = _tokens(doc.get("title", ""))
    title_words.add([fold_word(t) for t in title_tokens])
    group([doc.get("title", "")], "A", "title")
    group([*data["authors"], fields["responsibility"]], "B", "author")
    group(data["subjects"], "C", "subject")
    body = [*fields["series"], fields["publisher"], fields["place"], fields["edition"], fields["summary"],
            *fields["notes"]]
    group([b for b in body if b], "D", "body", with_exact=False)
    for _number, text in row.pages:
        pages.add([fold_word(t) for t in _tokens(text)])
    words.update((t, "pages") for t in pages.where)
    codes = [f"isbn:{v}" for v in _split(doc.get("isbn"))] + [f"issn:{v}" for v in _split(doc.get("issn"))] + \
        [f"callno:{v}" for v in _split(doc.get("callno"))]
    facets = [f"{name[len('facet_'):]}:{value}" for name in sorted(k for k in doc if k.startswith("facet_"))
              for value in _split(doc[name])]
    values = {
        "record_id": row.id,
        "version": doc["version"],
        "written_by": SCHEMA_VERSION,
        "data": data,
        "exact": exact.literal(),
        "folded": folded.literal(),
        "pages": pages.literal(),
        "title_words": title_words.literal(),
        "codes": list(dict.fromkeys(codes)),
        "facets": list(dict.fromkeys(facets)),
        "year": doc.get("year"),
        "newest_key": -doc["year"] if 0 < (doc.get("year") or 0) < 100_000 else 1,
        "title_sort": row.title_sort or "",
        "title_len": min(len(title_tokens), 32_000),
    }
    completions = []
    title = doc.get("title", "")
    if title:
        completions.append(("title", title))
    completions += [("author", form) for a in data["authors"] for form in name_forms(a)]
    completions += [("subject", s) for s in data["subjects"]]
    rows = []
    for kind, value in dict.fromkeys(completions):
        key, _sep, shown = autocomplete_key(value).partition("\x1f")
        if key:
            rows.append((kind, key[:400], shown[:400]))
    return values, sorted(words), rows


def _split(value) -> list[str]:
    from search_index.analysis import VALUE_SEP

    return [part for part in (value or "").split(VALUE_SEP) if part]

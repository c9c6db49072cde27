"""CQL masking (* for any letters, ? for one) as the index's own words: a masked word becomes
the words of the index that fit it, the most used first, so that our query language (which has
no wildcards) can search them as an OR group."""
from __future__ import annotations

import re
from pathlib import Path

from search_index.analysis import folded_term
from search_index.schema import FOLDED_FIELDS
from search_index.writer import open_index

MIN_STEM = 2  # letters before the first mask: "h*" would walk a whole field's words
MAX_SCANNED = 20_000  # words looked at per field, at most


def masked_words(index_dir: Path | str, field: str | None, pattern: str, limit: int) -> list[str]:
    """Folded words of `field` (a text group such as "title", or None: every text field and the
    page text) that match `pattern`, the most used first, at most `limit`."""
    folded = folded_term(pattern)
    stem = re.split(r"[*?]", folded, maxsplit=1)[0]
    shape = re.compile("".join(r"\w*" if ch == "*" else r"\w" if ch == "?" else re.escape(ch) for ch in folded))
    fields = (field + "_f",) if field else FOLDED_FIELDS
    counts: dict[str, int] = {}
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            for name in fields:
                if name not in reader.schema:
                    continue
                for scanned, raw in enumerate(reader.expand_prefix(name, stem)):
                    if scanned >= MAX_SCANNED:
                        break
                    word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    if shape.fullmatch(word):
                        counts[word] = counts.get(word, 0) + reader.doc_frequency(name, word)
    finally:
        ix.close()
    return [word for word, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]

"""Snippets with the query's words marked (<mark>), matched folded so marks typed or not agree.

The text is HTML-escaped here; the only markup in a snippet is <mark>...</mark>."""
from __future__ import annotations

import html
import re

from catalog.text import fold, normalise
from search_index.analysis import WORD, fold_word

SNIPPET_CHARS = 180


def mark_words(text: str, words: list[str], *, limit: int = SNIPPET_CHARS) -> str | None:
    """A window of `text` around the first query word, words marked; None when none occurs."""
    text = re.sub(r"\s+", " ", normalise(text)).strip()
    wanted = {fold(w) for w in words if w}
    if not text or not wanted:
        return None
    spans = [(m.start(), m.end()) for m in WORD.finditer(text) if fold_word(m.group(0)) in wanted]
    if not spans:
        return None
    start = max(0, spans[0][0] - limit // 3)
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space - end < 20 else end
    out = ["…" if start else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def snippet_for(data: dict, words: list[str]) -> str:
    """The best snippet of a hit: summary, subjects or title with the words marked; else the
    start of the summary."""
    for text in (data.get("summary", ""), "; ".join(data.get("subjects", [])), data.get("title", "")):
        marked = mark_words(text, words)
        if marked:
            return marked
    summary = data.get("summary", "")
    return html.escape(summary[:SNIPPET_CHARS]) + ("…" if len(summary) > SNIPPET_CHARS else "")

"""Snippets with the query's words marked, matched folded so marks typed or not agree.

A snippet is plain data, never HTML: a tuple of (text, is_match) segments ("spans"), for example
(("…ký ức ", False), ("làng", True), (" ", False), ("chài", True)). Whoever shows it escapes
the text (the web app's templates do; app/search.py makes the JSON's string)."""
from __future__ import annotations

import re
from typing import Callable

from catalog.text import fold, normalise
from search_index.analysis import WORD, fold_word

SNIPPET_CHARS = 180
Span = tuple[str, bool]
Snippet = tuple[Span, ...]


def _spans(text: str, matched: list[tuple[int, int]], start: int, end: int) -> Snippet:
    """`text[start:end]` cut into spans at the matched (start, end) ranges, with … where cut."""
    out: list[Span] = [("…", False)] if start else []
    cursor = start
    for s, e in matched:
        if s < start or e > end:
            continue
        if s > cursor:
            out.append((text[cursor:s], False))
        out.append((text[s:e], True))
        cursor = e
    if end > cursor:
        out.append((text[cursor:end], False))
    if end < len(text):
        out.append(("…", False))
    return _merged(out)


def _merged(spans: list[Span]) -> Snippet:
    """Neighbouring unmatched spans joined (so "…" and the text after it are one span)."""
    out: list[Span] = []
    for text, is_match in spans:
        if out and not is_match and not out[-1][1]:
            out[-1] = (out[-1][0] + text, False)
        else:
            out.append((text, is_match))
    return tuple(out)


def mark_words(text: str, words: list[str], *, limit: int = SNIPPET_CHARS) -> Snippet | None:
    """A window of `text` around the first query word, the words marked; None when none occurs."""
    text = re.sub(r"\s+", " ", normalise(text)).strip()
    wanted = {fold(w) for w in words if w}
    if not text or not wanted:
        return None
    found = [(m.start(), m.end()) for m in WORD.finditer(text) if fold_word(m.group(0)) in wanted]
    if not found:
        return None
    start = max(0, found[0][0] - limit // 3)
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space - end < 20 else end
    return _spans(text, found, start, end)


def mark_all(text: str, matches: Callable[[str], bool]) -> Snippet:
    """The whole of `text` (an excerpt already cut), the words `matches(folded word)` marked."""
    found = [(m.start(), m.end()) for m in WORD.finditer(text) if matches(fold_word(m.group(0)))]
    return _spans(text, found, 0, len(text)) if text else ()


def snippet_for(data: dict, words: list[str]) -> Snippet:
    """The best snippet of a hit: summary, subjects or title with the words marked; else the
    start of the summary."""
    for text in (data.get("summary", ""), "; ".join(data.get("subjects", [])), data.get("title", "")):
        marked = mark_words(text, words)
        if marked:
            return marked
    summary = data.get("summary", "")
    if not summary:
        return ()
    return ((summary[:SNIPPET_CHARS] + ("…" if len(summary) > SNIPPET_CHARS else ""), False),)


def has_match(snippet: Snippet | None) -> bool:
    """Whether any span of the snippet is a matched word."""
    return bool(snippet) and any(is_match for _text, is_match in snippet)


def plain_text(snippet: Snippet | None) -> str:
    """The snippet's text without its marks."""
    return "".join(text for text, _is_match in snippet or ())

"""Vietnamese-aware analysis (shared/VIETNAMESE.md): every text field is indexed twice.

- exact: NFC, canonical tone placement, lower case ("Hoà" -> "hòa").
- folded: every mark removed and đ/Đ/Ð -> d ("Đường" -> "duong"), built on catalog.text.fold
  rather than Whoosh's accent_map (which also folds letters other languages need).

Syllables are the tokens (spaces separate Vietnamese syllables); phrases keep their positions.
Text is normalised before tokenising, so decomposed (NFD) input gives the same tokens as NFC.
"""
from __future__ import annotations

import re

from whoosh.analysis import Filter, LowercaseFilter, Token, Tokenizer

from catalog.text import fold, has_normal_marks, normalise

WORD = re.compile(r"\w+")
# Separator of multi-valued exact fields (facet values, autocomplete keys).
VALUE_SEP = "\x1e"
# Common English function words: optional in queries, so "the history of vietnam" still finds
# "History of Vietnam", and a folded Vietnamese "thể"/"the" never has to match them. Words that are
# also common Vietnamese syllables or names once folded ("an", "to", "in", "on", "a") stay required.
ENGLISH_STOP_WORDS = frozenset(
    "and are as by for from into is of or the this that with".split()
)


_FOLDED: dict[str, str] = {}


def prepared(value: str) -> str:
    """The text in the normal form the index uses; cheap for text that already is (stored
    records are normalised when saved), so bulk indexing does not pay for it twice."""
    return value if has_normal_marks(value) else normalise(value)


def fold_word(word: str) -> str:
    """catalog.text.fold for one token, memoised (the vocabulary is small; folding is not)."""
    folded = _FOLDED.get(word)
    if folded is None:
        if len(_FOLDED) > 500_000:
            _FOLDED.clear()
        folded = _FOLDED[word] = fold(word)
    return folded


class SyllableTokenizer(Tokenizer):
    """Words of normalised text (NFC, canonical tones), with positions and character offsets."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        text = prepared(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, match in enumerate(WORD.finditer(text)):
            token.text = match.group(0)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class FoldFilter(Filter):
    """Remove every mark and map đ to d (already lower case after catalog.text.fold)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_word(token.text)
            yield token


class ValueTokenizer(Tokenizer):
    """Each VALUE_SEP-separated value is one token, kept as written (facet values)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        parts = value.split(VALUE_SEP) if tokenize else [value]
        for pos, part in enumerate(p for p in parts if p):
            token.text = part
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            yield token


def exact_analyzer():
    """Normalised, lower-cased syllables (marks kept)."""
    return SyllableTokenizer() | LowercaseFilter()


def folded_analyzer():
    """Normalised syllables without marks (đ -> d)."""
    return SyllableTokenizer() | FoldFilter()


def value_analyzer():
    """Whole values (multi-valued facets and autocomplete keys)."""
    return ValueTokenizer()


def exact_term(word: str) -> str:
    """The exact-field form of one query word."""
    return normalise(word).lower()


def folded_term(word: str) -> str:
    """The folded-field form of one query word."""
    return fold(normalise(word))


def autocomplete_key(value: str) -> str:
    """Key sorted by its folded form, so a folded prefix finds it: "duong ve|Đường về"."""
    shown = normalise(value)
    return " ".join(WORD.findall(fold(shown))) + "\x1f" + shown

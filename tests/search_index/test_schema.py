"""The schema's one-pass field types give exactly the postings Whoosh's analyzer pipeline gives."""
from __future__ import annotations

import random
import unicodedata

import pytest
from whoosh.fields import ID, TEXT

from search_index.analysis import VALUE_SEP, exact_analyzer, folded_analyzer, value_analyzer
from search_index.schema import SyllableText, Values, build_schema

PIECES = ["Hoà", "hòa", "Bình", "hoặc", "THUỶ", "khoẻ", "Đường", "Ðà", "Nẵng", "Việt", "nam", "nam", "Nguyễn,",
          "Văn", "An", "quý", "1975", "ISBN", "978-604", "(tái bản)", " - ", ".", ":", "\n", "  ", "\t", "x_y", "ñ"]


def texts(count: int):
    rng = random.Random(11)
    for _ in range(count):
        text = " ".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        yield unicodedata.normalize("NFD", text) if rng.random() < 0.25 else text


@pytest.mark.parametrize("folded", [False, True])
@pytest.mark.parametrize("phrase", [False, True])
def test_syllable_text_postings_equal_the_analyzer_pipeline(folded, phrase):
    fast = SyllableText(folded=folded, field_boost=2.5, phrase=phrase)
    slow = TEXT(analyzer=folded_analyzer() if folded else exact_analyzer(), field_boost=2.5, phrase=phrase)
    for text in texts(500):
        assert sorted(fast.index(text)) == sorted(slow.index(text)), repr(text)


def test_values_postings_equal_the_value_analyzer():
    fast, slow = Values(), ID(analyzer=value_analyzer())
    rng = random.Random(5)
    for _ in range(300):
        parts = [rng.choice(["book", "vie", "", "Thủy sản", "TTVH", "eng", "duong ve\x1fĐường về"])
                 for _ in range(rng.randint(0, 5))]
        value = VALUE_SEP.join(parts)
        assert sorted(fast.index(value)) == sorted(slow.index(value)), repr(value)


def test_the_schema_uses_the_one_pass_fields():
    schema = build_schema()
    assert isinstance(schema["title"], SyllableText) and not schema["title"].folded
    assert isinstance(schema["title_f"], SyllableText) and schema["title_f"].folded
    assert isinstance(schema["facet_subject"], Values)

"""Vietnamese text rules (shared/VIETNAMESE.md) in catalog.text."""
from __future__ import annotations

import unicodedata

import pytest

from catalog.text import (
    canonical_tones, fold, folded_words, has_marks, isbn_forms, nfc, normalise, sort_key, sort_string, words,
)


def test_nfc_joins_decomposed_marks_and_maps_eth_to_d_bar():
    assert nfc(unicodedata.normalize("NFD", "Việt")) == "Việt"
    assert nfc("Ðà Nẵng") == "Đà Nẵng"
    assert nfc(None) == ""


@pytest.mark.parametrize("text, folded", [
    ("Đường", "duong"), ("đi chợ", "di cho"), ("Ðà Nẵng", "da nang"), ("ệ", "e"),
    (unicodedata.normalize("NFD", "Nguyễn Việt"), "nguyen viet"), ("Thư viện", "thu vien"), ("", ""),
])
def test_fold_removes_every_mark_and_maps_d_bar(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("old, new", [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoà Bình", "Hòa Bình"),
                                      ("hoàng", "hoàng"), ("quý", "quý"), ("huỳnh", "huỳnh"), ("hoặc", "hoặc"),
                                      ("Ngoặt", "Ngoặt"), ("khoệ", "khoệ"), ("thuỵ", "thụy")])
def test_canonical_tones_uses_the_traditional_placement(old, new):
    assert canonical_tones(old) == new
    assert canonical_tones(new) == new


def test_words_and_folded_words_are_normalised_syllables():
    assert words("  Hoà   bình, Việt Nam! ") == ["hòa", "bình", "việt", "nam"]
    assert words(unicodedata.normalize("NFD", "Thuỷ lợi")) == ["thủy", "lợi"]
    assert folded_words("Đường về quê") == ["duong", "ve", "que"]
    assert normalise("a\u00a0  b") == "a b"


def test_normalise_returns_already_normal_text_unchanged_and_fixes_the_rest():
    """normalise() skips text that is already NFC, canonical and evenly spaced; what it returns
    must be what the full treatment (NFC, tone placement, collapsed spaces) gives, for any text."""
    import random

    rng = random.Random(7)
    pieces = ["hoà", "hòa", "hoặc", "thuỷ", "thủy", "khoẻ", "Ðà", "quý", "uy", "oa", "Việt", "nam", ".", ",", "a",
              " ", "  ", "\t", "\u00a0", "\n", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.3:
            text = unicodedata.normalize("NFD", text)
        expected = " ".join(canonical_tones(text).split())
        assert normalise(text) == expected, repr(text)


def test_has_marks():
    assert has_marks("đi") and has_marks("Việt") and not has_marks("Viet Nam") and not has_marks("")


@pytest.mark.parametrize("value, forms", [
    ("0-306-40615-2", ["9780306406157", "0306406152"]),
    ("978-0-306-40615-7 (pbk.)", ["9780306406157", "0306406152"]),
    ("0-19-852663-6", ["9780198526636", "0198526636"]),
    ("979-10-90636-07-1", ["9791090636071"]),
    ("080442957X", ["9780804429573", "080442957X"]),
    ("not an isbn", []),
])
def test_isbn_forms_give_both_lengths(value, forms):
    assert isbn_forms(value) == forms


def test_sort_key_follows_the_vietnamese_alphabet():
    words_in_order = ["an", "ăn", "ấn", "bàn", "dao", "đào", "em", "êm", "ong", "ông", "ơn", "ung", "ưng"]
    shuffled = list(reversed(words_in_order))
    assert sorted(shuffled, key=sort_key) == words_in_order
    assert sorted(shuffled, key=sort_string) == words_in_order

"""The relevance collection: queries a resident types and the records that must come first, on
every search backend (the contract suite's `catalogue` fixture: each available backend in turn)."""
from __future__ import annotations

import unicodedata

import pytest

from tests.search_index.contract.conftest import backend_name, catalogue  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def collection(catalogue):  # noqa: F811
    return catalogue


def search(collection, text, **kwargs):
    return collection.backend.search(text, **kwargs)


def ranked(collection, text, **kwargs) -> list[str]:
    return collection.ranked(text, **kwargs)


# (query, the records expected first, in any order)
TOP = [
    # Marks typed: the exact spelling first.
    ("đường", ["duong_ve"]),
    ("dương", ["duong_cam"]),
    ("đương đại", ["duong_dai"]),
    # Old and new tone placement, both ways.
    ("hoà bình", ["hoa_binh"]),
    ("hòa bình", ["hoa_binh"]),
    ("thuỷ lợi", ["thuy_loi"]),
    ("thủy lợi", ["thuy_loi"]),
    ("sức khỏe", ["suc_khoe"]),
    ("sức khoẻ", ["suc_khoe"]),
    # No marks, đ typed as d, and the look-alike Eth.
    ("duong ve que me", ["duong_ve"]),
    ("di cho tet", ["di_cho"]),
    ("Ði chợ", ["di_cho"]),
    ("thu vien truong hoc", ["thu_vien"]),
    # Names in both forms.
    ("nguyen van an", ["duong_ve", "lang_chai"]),
    ("Nguyễn Văn An", ["duong_ve", "lang_chai"]),
    ("Nguyễn, Văn An", ["duong_ve", "lang_chai"]),
    ('author:"Nguyễn Văn An"', ["duong_ve", "lang_chai"]),
    # ISBN-10 and -13 of the same book, with or without hyphens.
    ("0306406152", ["tin_hoc"]),
    ("978-0-306-40615-7", ["tin_hoc"]),
    ("isbn:0-306-40615-2", ["tin_hoc"]),
    ("isbn:9780198526636", ["oxford"]),
    # Phrases.
    ('"cát bà"', ["cat_ba"]),
    ("cat ba", ["cat_ba"]),
    # English, and English stop words that must not drown Vietnamese.
    ("the gioi", ["the_gioi"]),
    ("thế giới", ["the_gioi"]),
    ("the history of vietnam", ["history_vn"]),
    ("history of vietnam", ["history_vn"]),
    ("world of the sea", ["the_world"]),
    # Words inside digitised pages, OCR marks wrong or missing.
    ("quyết định thành lập thư viện", ["van_kien"]),
    ("thanh lap thu vien xa", ["van_kien"]),
]


@pytest.mark.parametrize("text, expected", TOP, ids=[q for q, _ in TOP])
def test_expected_records_come_first(collection, text, expected):
    found = ranked(collection, text)
    assert sorted(found[: len(expected)]) == sorted(expected), found


# (query, records that must be found, records that must not)
FOUND = [
    ("duong", {"duong_ve", "duong_cam", "duong_dai", "hoa_binh"}, set()),
    ("đường", {"duong_ve", "duong_cam", "duong_dai"}, {"di_cho"}),
    ('"cát bà"', {"cat_ba"}, {"cat_hai"}),
    ("cat ba", {"cat_ba", "cat_hai"}, set()),
    ("nguyen van an", {"duong_ve", "lang_chai"}, {"van_anh"}),
    ("history of vietnam", {"history_vn", "vn_history"}, {"the_book"}),
    ("the gioi", {"the_gioi"}, {"the_world", "the_book"}),
    ("văn học -anh", {"duong_ve"}, {"van_anh"}),
    ("văn học NOT anh", {"duong_ve"}, {"van_anh"}),
    ("đường OR cát", {"duong_ve", "cat_ba", "cat_hai"}, {"di_cho"}),
    ("title:làng", {"lang_chai"}, {"duong_ve"}),
    ("subject:lịch sử", {"hoa_binh"}, set()),
    ("year:2015-2020", {"duong_ve", "duong_dai", "di_cho", "the_gioi"}, {"thuy_loi", "history_vn"}),
    ("year:1995", {"hoa_binh"}, {"oxford"}),
    ("đường OR isbn:0-19-852663-6", {"duong_ve", "oxford"}, {"di_cho"}),
    ("isbn:0306406152 OR year:1999", {"tin_hoc", "oxford"}, {"duong_ve"}),
]


@pytest.mark.parametrize("text, wanted, unwanted", FOUND, ids=[q for q, *_ in FOUND])
def test_queries_find_what_they_must_and_nothing_they_must_not(collection, text, wanted, unwanted):
    found = set(ranked(collection, text))
    assert wanted <= found, found
    assert not (unwanted & found), found


@pytest.mark.parametrize("text", ["Đường về quê mẹ", "Văn học Việt Nam", "hoà bình", "Ký ức làng chài"])
def test_a_decomposed_query_behaves_exactly_like_its_composed_twin(collection, text):
    composed = ranked(collection, text)
    assert composed  # two empty lists would prove nothing
    assert ranked(collection, unicodedata.normalize("NFD", text)) == composed


def test_hits_found_inside_pages_say_which_pages(collection):
    result = search(collection, "quyết định")
    assert [hit.id for hit in result.hits] == [collection.ids["van_kien"]]
    assert result.hits[0].has_digital


@pytest.mark.parametrize("text, suggestion", [
    ("duong ve", "đường về"),
    ("thu vein", "thư viện"),
    ("lcih su", "lịch sử"),  # two letters swapped: one edit
    ("thuy loi", "thủy lợi"),
    ("history", None),
    ("hitsory", "history"),
])
def test_did_you_mean(collection, text, suggestion):
    assert search(collection, text).suggestion == suggestion


def test_snippets_mark_the_words_folded(collection):
    hit = search(collection, "lang chai").hits[0]
    spans = list(hit.snippet)
    at = spans.index(("làng", True))
    assert spans[at:at + 3] == [("làng", True), (" ", False), ("chài", True)]

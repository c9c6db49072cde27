"""Contract: what a search finds and in which order, on the relevance collection (read only)."""
from __future__ import annotations

import unicodedata

import pytest

from search_index.backend import Completion, FacetValue, SearchResult, plain_text
from tests.search_index.collection import RECORDS

# -- Vietnamese text (shared/VIETNAMESE.md) -------------------------------------------------------


def test_a_query_without_marks_finds_every_marked_form(catalogue):
    found = set(catalogue.ranked("duong"))
    assert {"duong_ve", "duong_cam", "duong_dai", "hoa_binh"} <= found


@pytest.mark.parametrize("text, first", [("đường", "duong_ve"), ("dương", "duong_cam"), ("đương đại", "duong_dai")])
def test_the_exact_marks_rank_before_folded_look_alikes(catalogue, text, first):
    found = catalogue.ranked(text)
    assert found[0] == first, found


def test_marks_typed_still_find_the_folded_matches_below_the_exact_one(catalogue):
    found = catalogue.ranked("đường")
    assert found[0] == "duong_ve" and {"duong_cam", "duong_dai"} <= set(found[1:]) and "di_cho" not in found


@pytest.mark.parametrize("old, new", [("hoà bình", "hòa bình"), ("thuỷ lợi", "thủy lợi"), ("sức khoẻ", "sức khỏe")])
def test_both_tone_placements_find_the_same_record_first(catalogue, old, new):
    assert catalogue.ranked(old)[0] == catalogue.ranked(new)[0] != ""


@pytest.mark.parametrize("text", ["Đường về quê mẹ", "Văn học Việt Nam", "hoà bình", "Ký ức làng chài"])
def test_decomposed_input_behaves_like_composed(catalogue, text):
    composed = catalogue.ranked(text)
    assert composed
    assert catalogue.ranked(unicodedata.normalize("NFD", text)) == composed


@pytest.mark.parametrize("text", ["Ði chợ", "di cho tet", "Đi chợ"])
def test_d_with_stroke_and_its_look_alike_eth_fold_to_d(catalogue, text):
    assert catalogue.ranked(text)[0] == "di_cho"


@pytest.mark.parametrize("text", ["Nguyễn Văn An", "Nguyễn, Văn An", "nguyen van an", 'author:"Nguyễn Văn An"'])
def test_names_are_found_in_both_orders(catalogue, text):
    found = catalogue.ranked(text)
    assert sorted(found[:2]) == ["duong_ve", "lang_chai"], found
    assert "van_anh" not in found


@pytest.mark.parametrize("text, key", [("0306406152", "tin_hoc"), ("978-0-306-40615-7", "tin_hoc"),
                                       ("isbn:0-306-40615-2", "tin_hoc"), ("isbn:9780198526636", "oxford"),
                                       ("0-19-852663-6", "oxford")])
def test_isbn_10_and_13_find_the_same_book(catalogue, text, key):
    assert catalogue.ranked(text) == [key]


def test_english_stop_words_do_not_drown_vietnamese(catalogue):
    assert catalogue.ranked("the history of vietnam")[0] == "history_vn"
    found = set(catalogue.ranked("the gioi"))
    assert "the_gioi" in found and not ({"the_world", "the_book"} & found)


# -- the query language (search_index.parsing) ----------------------------------------------------

LANGUAGE = [
    ('"cát bà"', {"cat_ba"}, {"cat_hai"}),
    ("cat ba", {"cat_ba", "cat_hai"}, set()),
    ("title:làng", {"lang_chai"}, {"duong_ve"}),
    ("subject:lịch sử", {"hoa_binh"}, set()),
    ("year:2015-2020", {"duong_ve", "duong_dai", "di_cho", "the_gioi"}, {"thuy_loi", "history_vn"}),
    ("year:1995", {"hoa_binh"}, {"oxford"}),
    ("đường OR cát", {"duong_ve", "cat_ba", "cat_hai"}, {"di_cho"}),
    ("văn học NOT anh", {"duong_ve"}, {"van_anh"}),
    ("văn học -anh", {"duong_ve"}, {"van_anh"}),
    ("isbn:0306406152 OR year:1999", {"tin_hoc", "oxford"}, {"duong_ve"}),
    ("language:eng history", {"history_vn", "vn_history"}, {"duong_ve"}),
]


@pytest.mark.parametrize("text, wanted, unwanted", LANGUAGE, ids=[q for q, *_ in LANGUAGE])
def test_the_query_language(catalogue, text, wanted, unwanted):
    found = set(catalogue.ranked(text))
    assert wanted <= found, found
    assert not (unwanted & found), found


@pytest.mark.parametrize("text", ['"unbalanced', "title:", "year:abc", ")))(((", "OR", "x" * 2000, "-", "NOT"])
def test_odd_input_never_fails_and_is_explained(catalogue, text):
    result = catalogue.backend.search(text)
    assert isinstance(result, SearchResult) and result.total >= 0
    if text in ('"unbalanced', "title:", "year:abc", "x" * 2000):
        assert result.notes, "the page says what was done with it"


# -- facets, filters, sorting, paging -------------------------------------------------------------


def test_facets_count_the_matching_records(catalogue):
    result = catalogue.backend.search("")
    languages = {v.value: v.count for v in result.facets["language"]}
    assert languages == {"vie": sum(1 for r in RECORDS.values() if r["languages"] == ["vie"]),
                         "eng": sum(1 for r in RECORDS.values() if r["languages"] == ["eng"])}
    assert result.total == len(RECORDS) and not result.total_approximate and not result.facets_approximate
    decades = {v.value: v.count for v in result.facets["decade"]}
    assert decades["2010"] == sum(1 for r in RECORDS.values() if 2010 <= r["year"] < 2020)
    assert [v.count for v in result.facets["language"]] == sorted(languages.values(), reverse=True)


def test_a_filter_narrows_and_is_marked_selected(catalogue):
    result = catalogue.backend.search("", filters=[("language", "eng")])
    eng = sum(1 for r in RECORDS.values() if r["languages"] == ["eng"])
    assert result.total == eng and len(result.hits) == eng
    assert FacetValue("eng", eng, True) in result.facets["language"]
    both = catalogue.backend.search("", filters=[("language", "eng"), ("language", "vie")])
    assert both.total == len(RECORDS), "values of one facet are OR-ed"
    narrow = catalogue.backend.search("", filters=[("language", "eng"), ("decade", "2010")])
    assert narrow.total == sum(1 for r in RECORDS.values() if r["languages"] == ["eng"] and 2010 <= r["year"] < 2020)


def test_an_unknown_filter_value_finds_nothing(catalogue):
    assert catalogue.backend.search("", filters=[("language", "xyz")]).total == 0


def test_sorting_by_year_and_paging(catalogue):
    newest = catalogue.backend.search("", sort="newest", per_page=5)
    years = [hit.year for hit in newest.hits]
    assert years == sorted(years, reverse=True) and years[0] == max(r["year"] for r in RECORDS.values())
    oldest = catalogue.backend.search("", sort="oldest", per_page=3, page=2)
    assert [hit.year for hit in oldest.hits] == sorted(r["year"] for r in RECORDS.values())[3:6]
    assert oldest.page == 2 and oldest.pages == -(-len(RECORDS) // 3)
    assert catalogue.backend.search("", page=99).hits == []


def test_hits_carry_plain_data(catalogue):
    hit = catalogue.backend.search("Đường về quê mẹ").hits[0]
    assert (hit.title, hit.authors, hit.year, hit.type, hit.language) == (
        "Đường về quê mẹ", ["Nguyễn, Văn An"], 2015, "book", ["vie"])
    assert hit.holdings and {"library", "name", "copies", "available"} <= set(hit.holdings[0])


# -- snippets, suggestions, autocomplete ----------------------------------------------------------


def test_snippets_are_spans_with_the_words_marked_folded(catalogue):
    hit = catalogue.backend.search("lang chai").hits[0]
    spans = list(hit.snippet)
    assert all(isinstance(text, str) and isinstance(is_match, bool) for text, is_match in spans)
    at = spans.index(("làng", True))
    assert spans[at:at + 3] == [("làng", True), (" ", False), ("chài", True)]
    assert "<mark>" not in plain_text(hit.snippet)


@pytest.mark.parametrize("text, suggestion", [("duong ve", "đường về"), ("thu vein", "thư viện"),
                                              ("lcih su", "lịch sử"), ("hitsory", "history"), ("history", None)])
def test_did_you_mean(catalogue, text, suggestion):
    assert catalogue.backend.search(text).suggestion == suggestion
    assert catalogue.backend.suggest(text) == suggestion


def test_autocomplete_by_folded_prefix(catalogue):
    found = catalogue.backend.autocomplete("duong v")
    assert Completion("Đường về quê mẹ", "title", 1) in found
    authors = catalogue.backend.autocomplete("nguyen van", limit=10)
    assert ("Nguyễn Văn An", "author") in {(c.value, c.kind) for c in authors}
    assert catalogue.backend.autocomplete("") == [] and catalogue.backend.autocomplete("zzzq") == []
    assert len(catalogue.backend.autocomplete("t", limit=2)) <= 2


def test_highlight_marks_page_text(catalogue):
    spans = catalogue.backend.highlight("Quyet đinh thành lâp thư viện xã", ["quyết", "định"])
    assert spans[:3] == (("Quyet", True), (" ", False), ("đinh", True))
    assert catalogue.backend.highlight("nothing here", ["quyết"]) is None

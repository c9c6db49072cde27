"""Facet counting: the three ways of counting (few values; many values with few or many matches)
give the same counts; past VISIT_LIMIT values the result says its counts may be incomplete."""
from __future__ import annotations

import pytest

from search_index import facets
from search_index.query import search


@pytest.mark.parametrize("text", ["", "duong", "văn học", "the"])
def test_every_way_of_counting_gives_the_same_facets(collection, monkeypatch, text):
    index_dir, _ids = collection
    plain = search(index_dir, text).facets
    assert plain["language"] and plain["decade"]  # something to compare: equal empty lists prove nothing
    monkeypatch.setattr(facets, "MANY_VALUES", 0)
    for tally in (False, True):  # value by value in frequency order, then per matching document
        monkeypatch.setattr(facets, "_prefer_tally", lambda *_args, tally=tally: tally)
        facets.clear_caches()
        found = search(index_dir, text)
        assert found.facets == plain and not found.facets_approximate
    facets.clear_caches()


def test_counting_few_values_one_by_one_says_it_is_approximate(collection, monkeypatch):
    index_dir, _ids = collection
    exact = search(index_dir, "").facets
    monkeypatch.setattr(facets, "MANY_VALUES", 0)
    monkeypatch.setattr(facets, "_prefer_tally", lambda *_args: False)
    monkeypatch.setattr(facets, "VISIT_LIMIT", 1)
    facets.clear_caches()
    try:
        found = search(index_dir, "")
    finally:
        facets.clear_caches()
    assert found.facets_approximate
    assert len(exact["language"]) > 1 and found.facets["language"] == exact["language"][:1]  # the most frequent


def test_postings_read_block_by_block_are_whooshs(collection, tmp_path):
    from whoosh import fields, index as whoosh_index

    from search_index.schema import FOLDED_FIELDS
    from search_index.writer import open_index

    index_dir, _ids = collection
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        checked = 0
        for field in ("facet_language", "facet_subject", *FOLDED_FIELDS):
            for term in list(reader.lexicon(field))[:40]:
                assert facets.term_docs(reader, field, term) == list(reader.postings(field, term).all_ids())
                checked += 1
    ix.close()
    assert checked > 40
    # Many blocks (128 postings a block), several segments, deleted documents.
    many = whoosh_index.create_in(str(tmp_path), fields.Schema(word=fields.KEYWORD))
    for first in (0, 700):
        with many.writer() as writer:
            for n in range(first, first + 700):
                writer.add_document(word="all " + ("odd" if n % 2 else "even"))
    with many.writer() as writer:
        writer.delete_document(5)
    with many.searcher() as searcher:
        reader = searcher.reader()
        for term in ("all", "odd", "even"):
            found = facets.term_docs(reader, "word", term)
            assert found == list(reader.postings("word", term).all_ids()) and len(found) >= 699
    many.close()


def test_positions_and_bits_round_trip():
    numbers = [0, 1, 7, 8, 63, 64, 1000, 99_999]
    assert facets.positions(facets.bits_of(numbers)) == sorted(numbers, reverse=True)
    assert facets.positions(0) == []
    dense = list(range(0, 5000, 3)) + [5001]  # the dense path (binary digits parsed)
    assert facets.positions(facets.bits_of(dense)) == sorted(dense, reverse=True)
    assert facets.bits_of(dense) == sum(1 << n for n in dense)


def test_the_lowest_documents_of_a_large_set_are_cut_without_listing_them():
    import random

    from search_index.ranking import _lowest

    numbers = sorted(random.Random(3).sample(range(1_000_000), 50_000))
    bits = facets.bits_of(numbers)
    for wanted in (1, 700, 3000):
        low = _lowest(bits, len(numbers), wanted)
        chosen = sorted(facets.positions(low))
        assert wanted <= len(chosen) <= wanted + wanted // 8 + 8
        assert chosen == numbers[:len(chosen)]  # the lowest ones, all of them below the cut

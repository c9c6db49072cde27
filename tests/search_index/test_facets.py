"""Facet counting: the three ways of counting (few values; many values with few or many matches)
give the same counts."""
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
    for few in (0, 10**9):  # value by value in frequency order, then per matching document
        monkeypatch.setattr(facets, "FEW_MATCHES", few)
        facets.clear_caches()
        assert search(index_dir, text).facets == plain
    facets.clear_caches()


def test_positions_and_bits_round_trip():
    numbers = [0, 1, 7, 8, 63, 64, 1000, 99_999]
    assert facets.positions(facets.bits_of(numbers)) == sorted(numbers, reverse=True)
    assert facets.positions(0) == []

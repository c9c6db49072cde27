"""The per-generation search cache: right answers after commits, on an empty index, and after a
rebuild swapped in."""
from __future__ import annotations

from catalog.records.models import RecordDraft, create_record
from search_index.query import search
from search_index.rebuild import reindex
from search_index.writer import sync


def add_records(session_factory, titles: list[str]) -> None:
    with session_factory.begin() as session:
        for title in titles:
            create_record(session, RecordDraft(title=title, languages=["vie"]))


def test_a_word_first_searched_after_a_commit_is_found_in_old_and_new_segments(session_factory, index):
    add_records(session_factory, [f"Sách hay số {n}" for n in range(40)])
    sync(session_factory, index)
    assert search(index, "sach").total == 40  # cached for this generation
    add_records(session_factory, ["Sách mới về nuôi tôm"])
    sync(session_factory, index)  # a new segment beside the old one
    assert search(index, "tom").total == 1  # the first search of the new generation
    # A later search, in another request, of a word cached before the commit.
    result = search(index, "sach", per_page=50)
    assert result.total == 41
    assert "Sách mới về nuôi tôm" in [hit.title for hit in result.hits]
    assert {f.value: f.count for f in result.facets["language"]} == {"vie": 41}


def test_an_empty_index_answers_with_no_hits(index):
    result = search(index, "sach")
    assert (result.total, result.hits, result.suggestion) == (0, [], None)
    assert all(values == [] for values in result.facets.values())
    assert search(index, "").total == 0


def test_a_rebuilt_index_is_not_answered_from_the_old_ones_cache(session_factory, index):
    add_records(session_factory, [f"Địa chí Cát Hải tập {n}" for n in range(5)])
    sync(session_factory, index)
    assert search(index, "cat hai").total == 5
    add_records(session_factory, ["Địa chí Cát Bà"])
    reindex(session_factory, index)
    assert search(index, "cat hai").total == 5
    assert [hit.title for hit in search(index, "cat ba").hits] == ["Địa chí Cát Bà"]
    assert {f.value: f.count for f in search(index, "dia chi").facets["language"]} == {"vie": 6}


def test_listed_facet_values_carried_across_commits_count_as_a_fresh_cache(session_factory, index, monkeypatch):
    from search_index import facets
    from search_index.writer import remove_documents

    monkeypatch.setattr(facets, "DENSE_SHARE", 10**9)  # every value as a list of documents, not a bit set
    with session_factory.begin() as session:
        ids = [create_record(session, RecordDraft(title=f"Nuôi cá số {n}", languages=["vie" if n % 3 else "eng"],
                                                  subjects=[f"Thủy sản {n % 4}"])).id for n in range(30)]
    sync(session_factory, index)
    before = search(index, "", filters=[("subject", "Thủy sản 1")])
    assert before.total == 8
    with session_factory.begin() as session:
        create_record(session, RecordDraft(title="Nuôi cá mới", languages=["eng"], subjects=["Thủy sản 1", "Mới"]))
    sync(session_factory, index)
    remove_documents(index, ids[:6])  # documents deleted in the old segment
    carried = search(index, "nuoi", filters=[("language", "eng")])
    carried_all = search(index, "")
    facets.clear_caches()
    fresh = search(index, "nuoi", filters=[("language", "eng")])
    fresh_all = search(index, "")
    assert (carried.total, carried.facets) == (fresh.total, fresh.facets)
    assert carried_all.facets == fresh_all.facets and carried_all.total == 25
    assert {f.value: f.count for f in fresh_all.facets["subject"]}["Thủy sản 1"] == 7



def test_a_worker_started_later_reads_the_cache_file_of_the_generation(session_factory, index):
    from search_index import facets

    with session_factory.begin() as session:
        for n in range(30):
            create_record(session, RecordDraft(title=f"Sách nuôi tôm {n}", languages=["vie" if n % 3 else "eng"],
                                               subjects=[f"Thủy sản {n % 4}"], year=1990 + n))
    sync(session_factory, index)
    facets.clear_caches()
    first = search(index, "sach tom", filters=[("subject", "Thủy sản 2")])
    assert len(list((index / "search-cache").glob("*.bin"))) == 1  # written by the worker that built the cache

    def answers():
        found = search(index, "sach tom", filters=[("subject", "Thủy sản 2")])
        return found.total, [hit.id for hit in found.hits], found.facets

    orders = {sort: [hit.id for hit in search(index, "sach", sort=sort, per_page=50).hits] for sort in ("newest", "oldest", "title")}
    assert len(list((index / "search-cache").glob("*.order-*.bin"))) == 3
    facets.clear_caches()  # another worker, or this one restarted
    assert answers() == (7, [hit.id for hit in first.hits], first.facets)
    assert {sort: [hit.id for hit in search(index, "sach", sort=sort, per_page=50).hits] for sort in orders} == orders
    assert orders["newest"][0] == orders["oldest"][-1] and len(orders["title"]) == 30
    assert [cache.from_file for cache in facets._CACHES.values()] == [True]
    add_records(session_factory, ["Sách nuôi tôm mới"])  # a new generation: the older file is adopted
    sync(session_factory, index)
    facets.clear_caches()
    adopted = answers()
    assert [cache.previous is not None and cache.previous.ix is None for cache in facets._CACHES.values()] == [True]
    for path in (index / "search-cache").glob("*.bin"):
        path.write_bytes(b"not a cache file")  # damaged: ignored, the cache is built from the index
    facets.clear_caches()
    assert answers() == adopted
    facets.clear_caches()


def test_a_closed_backend_lets_go_of_its_caches(session_factory, index, tmp_path):
    """A process whose site moved to another backend (switch-search-backend) does not keep the
    Whoosh caches (hundreds of MB at a million records); asked again, it builds them anew."""
    from search_index import facets
    from search_index.whoosh_backend import WhooshBackend

    add_records(session_factory, [f"Ca dao xứ Đông {n}" for n in range(5)])
    sync(session_factory, index)
    backend = WhooshBackend(session_factory=session_factory, database_url="", data_dir=tmp_path, index_dir=index)
    assert backend.search("ca dao").total == 5

    def held() -> int:
        return len([key for key in facets._CACHES if key[0] == str(index.resolve())])

    assert held() == 1
    backend.close()
    assert held() == 0
    assert backend.search("ca dao").total == 5

"""The Whoosh backend keeps its index open: a search reads the table of contents once (it read it
three times: index_exists, open_dir, then the searcher), and still sees every commit, a rebuild
swapped in and a folder made again."""
from __future__ import annotations

import shutil

from whoosh.index import TOC

from catalog.records.models import RecordDraft, create_record
from search_index.whoosh_backend import WhooshBackend


def add(session_factory, title: str) -> int:
    with session_factory.begin() as session:
        return create_record(session, RecordDraft(title=title)).id


def test_a_search_reads_the_table_of_contents_once(session_factory, db_url, tmp_path, monkeypatch):
    backend = WhooshBackend(session_factory=session_factory, database_url=db_url, data_dir=tmp_path)
    add(session_factory, "Lịch sử xã Cát Hải")
    backend.sync()
    backend.search("cat hai")  # the first search opens the index
    reads = []
    original = TOC.read.__func__

    def counted(cls, *args, **kwargs):
        reads.append(args[1] if len(args) > 1 else kwargs.get("indexname"))
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(TOC, "read", classmethod(counted))
    assert backend.search("cat hai").total == 1
    assert len(reads) == 1


def test_the_kept_index_sees_commits_a_rebuild_and_a_folder_made_again(session_factory, db_url, tmp_path):
    backend = WhooshBackend(session_factory=session_factory, database_url=db_url, data_dir=tmp_path)
    first = add(session_factory, "Địa chí Hải Phòng")
    backend.sync()
    assert [h.id for h in backend.search("hai phong").hits] == [first]
    second = add(session_factory, "Hải Phòng xưa và nay")
    backend.index_records([second])
    assert {h.id for h in backend.search("hai phong").hits} == {first, second}
    assert backend.rebuild() == 2
    assert backend.search("hai phong").total == 2
    shutil.rmtree(backend.index_dir)
    assert backend.search("hai phong").total == 0, "a missing index is made again, empty"
    assert backend.rebuild() == 2 and backend.search("hai phong").total == 2

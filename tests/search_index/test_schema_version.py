"""The index records the schema version it was written with (search_index.schema.SCHEMA_VERSION);
an index written by another version (or by code that recorded none) asks for a rebuild."""
from __future__ import annotations

from whoosh import index as whoosh_index

from catalog.records.models import RecordDraft, create_record
from search_index.schema import SCHEMA_VERSION, VERSION_ATTRIBUTE, build_schema
from search_index.whoosh_backend import WhooshBackend
from search_index.writer import INDEX_NAME


def write_index_of_version(index_dir, version: str | None) -> None:
    """An empty index as another version of the code would have written it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    schema = build_schema()
    if version is None:
        delattr(schema, VERSION_ATTRIBUTE)
    else:
        setattr(schema, VERSION_ATTRIBUTE, version)
    whoosh_index.create_in(str(index_dir), schema, indexname=INDEX_NAME)


def backend_on(session_factory, db_url, tmp_path) -> WhooshBackend:
    return WhooshBackend(session_factory=session_factory, database_url=db_url, data_dir=tmp_path / "data")


def test_a_new_index_records_this_version(session_factory, db_url, tmp_path):
    backend = backend_on(session_factory, db_url, tmp_path)
    backend.sync()
    check = backend.check()
    assert (check.schema_version, check.expected_schema_version, check.needs_rebuild) == (
        SCHEMA_VERSION, SCHEMA_VERSION, False)
    assert check.is_clean and backend.health().schema_version == SCHEMA_VERSION


def test_an_index_of_another_version_needs_a_rebuild_and_commits_do_not_hide_it(session_factory, db_url, tmp_path):
    backend = backend_on(session_factory, db_url, tmp_path)
    write_index_of_version(backend.index_dir, "0")
    with session_factory.begin() as session:
        record_id = create_record(session, RecordDraft(title="Lịch sử Đảng bộ xã")).id
    backend.index_records([record_id])  # a commit carries the schema it found on
    check = backend.check()
    assert (check.missing, check.stale, check.orphaned) == ([], [], [])
    assert (check.schema_version, check.needs_rebuild, check.is_clean) == ("0", True, False)
    health = backend.health()
    assert (health.status, health.needs_rebuild, health.schema_version) == ("ok", True, "0"), \
        "searches still answer: /healthz stays up, its detail says so"
    assert backend.rebuild() == 1
    check = backend.check()
    assert (check.schema_version, check.needs_rebuild, check.is_clean) == (SCHEMA_VERSION, False, True)
    assert [h.id for h in backend.search("lich su dang bo").hits] == [record_id]


def test_an_index_that_recorded_no_version_needs_a_rebuild(session_factory, db_url, tmp_path):
    backend = backend_on(session_factory, db_url, tmp_path)
    write_index_of_version(backend.index_dir, None)
    check = backend.check()
    assert (check.schema_version, check.needs_rebuild) == (None, True)

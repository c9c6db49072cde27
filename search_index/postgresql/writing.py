"""Writing search documents: one batch of catalog rows (catalog.records.indexing.IndexRow) into
search_document, search_word and search_completion, inside the caller's transaction (a record's
own, upkeep.py; or a sync's, a rebuild's batch)."""
from __future__ import annotations

from sqlalchemy import Text, bindparam, cast, delete, select, text
from sqlalchemy.dialects.postgresql import TSVECTOR, insert
from sqlalchemy.orm import Session

from catalog.pgsearch.models import search_completion, search_document
from search_index.postgresql.documents import document_values

_UPSERT = None


def _upsert():
    global _UPSERT
    if _UPSERT is None:
        statement = insert(search_document).values(
            record_id=bindparam("record_id"), version=bindparam("version"), written_by=bindparam("written_by"),
            data=bindparam("data"), exact=cast(bindparam("exact", type_=Text), TSVECTOR),
            folded=cast(bindparam("folded", type_=Text), TSVECTOR),
            pages=cast(bindparam("pages", type_=Text), TSVECTOR),
            title_words=cast(bindparam("title_words", type_=Text), TSVECTOR), codes=bindparam("codes"),
            facets=bindparam("facets"), year=bindparam("year"), newest_key=bindparam("newest_key"),
            title_sort=bindparam("title_sort"),
            title_len=bindparam("title_len"))
        _UPSERT = statement.on_conflict_do_update(
            index_elements=[search_document.c.record_id],
            set_={name: statement.excluded[name] for name in (
                "version", "written_by", "data", "exact", "folded", "pages", "title_words", "codes", "facets", "year", "newest_key", "title_sort",
                "title_len")})
    return _UPSERT


def write_rows(session: Session, rows) -> tuple[int, int]:
    """Documents of the live rows added or replaced, those of the others removed; returns
    (indexed, removed)."""
    if not rows:
        return 0, 0
    connection = session.connection()
    ids = [row.id for row in rows]
    dead = [row.id for row in rows if not row.is_live]
    removed = 0
    if dead:
        removed = connection.execute(
            delete(search_document).where(search_document.c.record_id.in_(dead))).rowcount or 0
    connection.execute(delete(search_completion).where(search_completion.c.record_id.in_(ids)))
    documents, words, completions = [], set(), []
    for row in rows:
        if not row.is_live:
            continue
        values, row_words, row_completions = document_values(row)
        documents.append(values)
        words.update(row_words)
        completions += [{"record_id": row.id, "kind": k, "key": key, "shown": shown}
                        for k, key, shown in row_completions]
    if documents:
        connection.execute(_upsert(), documents)
    if completions:
        connection.execute(search_completion.insert(), completions)
    if words:
        # Sorted, so two transactions adding the same new words take their locks in one order.
        ordered = sorted(words)
        connection.execute(
            text("INSERT INTO search_word (word, field) SELECT * FROM unnest(CAST(:words AS text[]), "
                 "CAST(:fields AS text[])) ON CONFLICT DO NOTHING"),
            {"words": [w for w, _f in ordered], "fields": [f for _w, f in ordered]})
    return len(documents), removed


def remove_documents(session: Session, record_ids: list[int]) -> int:
    """Delete the documents of these records; how many there were."""
    if not record_ids:
        return 0
    connection = session.connection()
    connection.execute(delete(search_completion).where(search_completion.c.record_id.in_(record_ids)))
    return connection.execute(
        delete(search_document).where(search_document.c.record_id.in_(record_ids))).rowcount or 0


def indexed_versions(session: Session) -> dict[int, str]:
    """{record id: version} of every document."""
    return dict(session.execute(select(search_document.c.record_id, search_document.c.version)).all())

"""What the search index needs from the database, loaded in batches (no per-record queries).

The database is the truth: a record carries `index_stale`/`stale_since`; the index side reads
rows with `index_rows()`, writes them, then clears the flag with `mark_indexed_versions()` only
where `stale_since` is still the value it read (a change committed meanwhile stays stale)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from catalog.digital.models import DigitalObject, Page, query_terms, text_holds_terms
from catalog.copies.items import Item, ItemStatus
from catalog.libraries import Library
from catalog.records.models import DRAFT_FIELDS, Record
from catalog.text import sort_string


class InsidePage(NamedTuple):
    """A digital page holding a query's words: its number, its text and its object."""
    number: int
    text: str
    object_id: int


@dataclasses.dataclass
class CopyRow:
    status: str
    home_code: str
    home_name: str
    library_code: str
    library_name: str


@dataclasses.dataclass
class IndexRow:
    """One record as the index sees it: shown fields, copies, and the text of its digital pages."""

    id: int
    fields: dict
    title_sort: str
    updated_at: dt.datetime | None
    stale_since: dt.datetime | None
    is_live: bool
    copies: list[CopyRow]
    digital_objects: int
    pages: list[tuple[int, str]]


def index_rows(session: Session, record_ids: list[int], *, with_pages: bool = True) -> list[IndexRow]:
    """Rows for these records in four queries (records, copies, libraries, digital pages)."""
    if not record_ids:
        return []
    names = (*DRAFT_FIELDS, "title_sort", "updated_at", "stale_since", "deleted_at", "merged_into_id")
    records = session.execute(  # plain rows, not ORM objects: bulk indexing reads 100,000s of them
        select(Record.id, *(getattr(Record, name) for name in names))
        .where(Record.id.in_(record_ids)).order_by(Record.id)
    ).all()
    libraries = {lib.id: lib for lib in session.scalars(select(Library))}
    copies: dict[int, list[CopyRow]] = defaultdict(list)
    for record_id, status, home_id, current_id in session.execute(
        select(Item.record_id, Item.status, Item.home_library_id, Item.current_library_id)
        .where(Item.record_id.in_(record_ids)).order_by(Item.id)
    ):
        home, current = libraries[home_id], libraries[current_id]
        copies[record_id].append(CopyRow(ItemStatus(status).value, home.code, home.name, current.code, current.name))
    objects: dict[int, int] = dict(session.execute(
        select(DigitalObject.record_id, func.count(DigitalObject.id))
        .where(DigitalObject.record_id.in_(record_ids)).group_by(DigitalObject.record_id)
    ).all())
    pages: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if with_pages and objects:
        for record_id, number, text in session.execute(
            select(DigitalObject.record_id, Page.number, Page.text)
            .join(Page, Page.object_id == DigitalObject.id)
            .where(DigitalObject.record_id.in_(list(objects)), Page.text != "")
            .order_by(DigitalObject.record_id, DigitalObject.id, Page.number)
        ):
            pages[record_id].append((number, text))
    rows = []
    for record in records:
        fields = dict(zip(DRAFT_FIELDS, record[1:1 + len(DRAFT_FIELDS)]))
        rows.append(IndexRow(
            id=record.id,
            fields=fields,
            # Computed afresh, so that `reindex` also repairs keys stored under an older format.
            title_sort=sort_string(fields.get("title"))[:512],
            updated_at=record.updated_at,
            stale_since=record.stale_since,
            is_live=record.deleted_at is None and record.merged_into_id is None,
            copies=copies.get(record.id, []),
            digital_objects=objects.get(record.id, 0),
            pages=pages.get(record.id, []),
        ))
    return rows


def live_record_ids(session: Session) -> list[int]:
    """Records that belong in the index (not deleted, not merged)."""
    return list(session.scalars(
        select(Record.id).where(Record.deleted_at.is_(None), Record.merged_into_id.is_(None)).order_by(Record.id)
    ))


def record_versions(session: Session) -> dict[int, tuple[bool, str]]:
    """For every live record: (is it marked stale, its updated_at as the index stores it)."""
    query = select(Record.id, Record.index_stale, Record.updated_at).where(
        Record.deleted_at.is_(None), Record.merged_into_id.is_(None)
    )
    return {rid: (bool(stale), version_of(updated)) for rid, stale, updated in session.execute(query)}


def record_states(session: Session) -> dict[int, tuple[dt.datetime | None, dt.datetime | None, bool, bool]]:
    """For every record: (stale_since, updated_at, is it marked stale, is it live), to see which
    changed since a rebuild read them."""
    query = select(Record.id, Record.stale_since, Record.updated_at, Record.index_stale, Record.deleted_at,
                   Record.merged_into_id)
    return {rid: (since, updated, bool(stale), deleted is None and merged is None)
            for rid, since, updated, stale, deleted, merged in session.execute(query)}


def has_live_records(session: Session) -> bool:
    """Whether any record belongs in the index (the health check: an empty index is then wrong)."""
    return session.scalar(
        select(Record.id).where(Record.deleted_at.is_(None), Record.merged_into_id.is_(None)).limit(1)
    ) is not None


def version_of(moment: dt.datetime | None) -> str:
    """The version string stored in the index for a record changed at `moment`."""
    return moment.isoformat(timespec="microseconds") if moment else ""


def mark_indexed_versions(session: Session, versions: list[tuple[int, dt.datetime | None]]) -> None:
    """Clear `index_stale` for each (record id, stale_since read before indexing) pair whose
    stale_since is unchanged: a change committed while the index was written stays stale."""
    dated = [{"rid": rid, "since": since} for rid, since in versions if since is not None]
    undated = [rid for rid, since in versions if since is None]
    if dated:
        statement = (
            update(Record)
            .where(and_(Record.id == bindparam("rid"), Record.stale_since == bindparam("since")))
            .values(index_stale=False)
            .execution_options(synchronize_session=False)
        )
        session.connection().execute(statement, dated)
    for start in range(0, len(undated), 500):
        session.execute(
            update(Record)
            .where(Record.id.in_(undated[start:start + 500]), Record.stale_since.is_(None))
            .values(index_stale=False)
            .execution_options(synchronize_session=False)
        )


def mark_all_stale(session: Session, *, now: dt.datetime) -> int:
    """Flag every record for re-indexing (used by `reindex` to rebuild from the database)."""
    result = session.execute(
        update(Record).values(index_stale=True, stale_since=now).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def pages_with_words(session: Session, record_ids: list[int], words: list[str]) -> dict[int, list[InsidePage]]:
    """For each record, its digital pages where search inside finds the query's words (every word,
    folded, as catalog.digital.models.search_inside matches them), in reading order. A page holding only
    some of the words is not given: search inside would not show it."""
    terms = query_terms(" ".join(words))
    found: dict[int, list[InsidePage]] = defaultdict(list)
    if not terms or not record_ids:
        return {}
    for record_id, object_id, number, text in session.execute(
        select(DigitalObject.record_id, DigitalObject.id, Page.number, Page.text)
        .join(Page, Page.object_id == DigitalObject.id)
        .where(DigitalObject.record_id.in_(record_ids), Page.text != "")
        .order_by(DigitalObject.record_id, DigitalObject.id, Page.number)
    ):
        if text_holds_terms(text, terms):
            found[record_id].append(InsidePage(number, text, object_id))
    return dict(found)


_SPACE = re.compile(r"\s+")


def page_excerpt(text: str, limit: int = 400) -> str:
    """Page text with white space collapsed, cut to `limit` characters."""
    return _SPACE.sub(" ", text).strip()[:limit]

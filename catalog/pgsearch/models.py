"""Tables of the PostgreSQL full-text search backend (search_index.postgresql), kept in the
catalogue's own database so that a record and its search document change in one transaction.

- search_document: one row per live record: the data a hit shows (jsonb), tsvectors built in
  Python from search_index.analysis (exact: title A, author B, subject C; folded: the same plus
  the free text D; pages: the folded page text), codes and facet values as text[] ("isbn:…",
  "language:vie"), the folded title alone again (title_words: `title:` and the
  ranking's title tier without rechecking weights), the year, the newest-first order as a plain
  ascending key (minus the year; years unknown after), the Vietnamese sort key and the title's length in words.
- search_word: the folded words of the documents, per field group (did you mean, CQL masking),
  with a pg_trgm index.
- search_completion: titles, authors and subjects by folded key (autocomplete).

On SQLite the tables exist (one schema for both) but nothing uses them: the backend refuses
to run there.
"""
from __future__ import annotations

from sqlalchemy import JSON, Column, DDL, ForeignKey, Index, Integer, SmallInteger, String, Table, Text, event, text
from sqlalchemy.dialects import postgresql

from catalog.db import Base

_TSVECTOR = postgresql.TSVECTOR().with_variant(Text(), "sqlite")
_TEXTS = postgresql.ARRAY(Text()).with_variant(JSON(), "sqlite")
_JSON = postgresql.JSONB().with_variant(JSON(), "sqlite")

search_document = Table(
    "search_document", Base.metadata,
    Column("record_id", Integer, ForeignKey("record.id", ondelete="CASCADE"), primary_key=True),
    Column("version", String(40), nullable=False),
    Column("written_by", String(16), nullable=False),
    Column("data", _JSON, nullable=False),
    Column("exact", _TSVECTOR, nullable=False),
    Column("folded", _TSVECTOR, nullable=False),
    Column("pages", _TSVECTOR, nullable=False),
    Column("title_words", _TSVECTOR, nullable=False),
    Column("codes", _TEXTS, nullable=False),
    Column("facets", _TEXTS, nullable=False),
    Column("year", Integer),
    Column("newest_key", Integer, nullable=False),
    # A key made for code point order (catalog.text.sort_string): compared byte by byte ("C").
    Column("title_sort", Text(collation="C").with_variant(Text(), "sqlite"), nullable=False),
    Column("title_len", SmallInteger, nullable=False),
    Index("ix_search_document_exact", "exact", postgresql_using="gin"),
    Index("ix_search_document_folded", "folded", postgresql_using="gin"),
    Index("ix_search_document_title_words", "title_words", postgresql_using="gin"),
    Index("ix_search_document_codes", "codes", postgresql_using="gin"),
    Index("ix_search_document_facets", "facets", postgresql_using="gin"),
    Index("ix_search_document_year", "year"),
    Index("ix_search_document_newest_key", "newest_key", "record_id"),
)

# Every word of a document, fields and pages together, in one GIN index: a query's plain words
# are one index condition ("a & b") instead of an OR of two columns per word. An expression
# index, so the words are not stored twice; queries spell it as search_index.postgresql.query.WORDS.
Index("ix_search_document_words", search_document.c.folded.op("||")(search_document.c.pages),
      postgresql_using="gin").ddl_if(dialect="postgresql")
# The other orders of search_index.postgresql.query.ORDERS, spelt as they are there: a broad
# query's first page is an index walk, not a sort of every match.
# (Spelt as PostgreSQL gives them back, so that comparing the models with the migrations finds
# them equal.)
Index("ix_search_document_oldest",
      text("(\nCASE\n    WHEN year > 0 AND year < 100000 THEN year\n    ELSE 1000000000\nEND)"),
      search_document.c.record_id.desc()).ddl_if(dialect="postgresql")
Index("ix_search_document_title", text("(title_sort = ''::text)"), search_document.c.title_sort,
      search_document.c.record_id).ddl_if(dialect="postgresql")

search_word = Table(
    "search_word", Base.metadata,
    Column("word", String(255), primary_key=True),
    Column("field", String(8), primary_key=True),
    Index("ix_search_word_trigrams", "word", postgresql_using="gin", postgresql_ops={"word": "gin_trgm_ops"}),
)

search_completion = Table(
    "search_completion", Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("record.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("key", String(400), nullable=False),
    Column("shown", String(400), nullable=False),
    Index("ix_search_completion_record_id", "record_id"),
    Index("ix_search_completion_key", "kind", "key", postgresql_ops={"key": "text_pattern_ops"}),
)

# The trigram operator class comes with pg_trgm (a trusted extension: the database owner may add it).
event.listen(Base.metadata, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))

"""pgfast: one GIN index over a search document's fields and pages together; the sort orders indexed

The words of a query become one index condition (`(folded || pages) @@ 'a & b'`) instead of
an OR of two indexes per word, so the index on the pages alone is dropped; the "oldest" and
"title" orders of a broad query walk an index instead of sorting every match (the title's sort
key compared byte by byte, as the order always did, so that its index serves). The new indexes
on PostgreSQL only (the tables exist on SQLite, but nothing searches them there).

Revision ID: 0970_pgfast
Revises: 0970_switch
Create Date: 2026-12-02 18:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0970_pgfast'
down_revision = '0970_switch'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_search_document_pages', table_name='search_document')
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_search_document_words ON search_document USING gin ((folded || pages))")
    op.execute("CREATE INDEX ix_search_document_oldest ON search_document "
               "((CASE WHEN year > 0 AND year < 100000 THEN year ELSE 1000000000 END), record_id DESC)")
    op.alter_column('search_document', 'title_sort', type_=sa.Text(collation='C'), existing_nullable=False)
    op.execute("CREATE INDEX ix_search_document_title ON search_document ((title_sort = ''), title_sort, record_id)")


def downgrade() -> None:
    op.create_index('ix_search_document_pages', 'search_document', ['pages'], unique=False, postgresql_using='gin')
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in ("words", "oldest", "title"):
        op.drop_index(f'ix_search_document_{name}', table_name='search_document')
    op.alter_column('search_document', 'title_sort', type_=sa.Text(), existing_nullable=False)

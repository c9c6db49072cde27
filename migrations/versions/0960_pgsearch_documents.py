"""pgsearch: search documents, words and completions of the PostgreSQL search backend

Revision ID: 0960_pgsearch
Revises: 0950_offline
Create Date: 2026-12-02 13:30:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0960_pgsearch'
down_revision = '0950_offline'
branch_labels = None
depends_on = None

TSVECTOR = postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite")
TEXTS = postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(), "sqlite")
JSON = postgresql.JSONB().with_variant(sa.JSON(), "sqlite")


def upgrade() -> None:
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    if is_postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('search_document',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('written_by', sa.String(length=16), nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('exact', TSVECTOR, nullable=False),
    sa.Column('folded', TSVECTOR, nullable=False),
    sa.Column('pages', TSVECTOR, nullable=False),
    sa.Column('title_words', TSVECTOR, nullable=False),
    sa.Column('codes', TEXTS, nullable=False),
    sa.Column('facets', TEXTS, nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('newest_key', sa.Integer(), nullable=False),
    sa.Column('title_sort', sa.Text(), nullable=False),
    sa.Column('title_len', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_search_document_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_search_document'))
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        for column in ("exact", "folded", "pages", "title_words", "codes", "facets"):
            batch_op.create_index(f'ix_search_document_{column}', [column], unique=False, postgresql_using='gin')
        batch_op.create_index('ix_search_document_year', ['year'], unique=False)
        batch_op.create_index('ix_search_document_newest_key', ['newest_key', 'record_id'], unique=False)

    op.create_table('search_word',
    sa.Column('word', sa.String(length=255), nullable=False),
    sa.Column('field', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('word', 'field', name=op.f('pk_search_word'))
    )
    with op.batch_alter_table('search_word', schema=None) as batch_op:
        batch_op.create_index('ix_search_word_trigrams', ['word'], unique=False, postgresql_using='gin',
                              postgresql_ops={'word': 'gin_trgm_ops'})

    op.create_table('search_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('shown', sa.String(length=400), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_search_completion_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_completion'))
    )
    with op.batch_alter_table('search_completion', schema=None) as batch_op:
        batch_op.create_index('ix_search_completion_key', ['kind', 'key'], unique=False,
                              postgresql_ops={'key': 'text_pattern_ops'})
        batch_op.create_index('ix_search_completion_record_id', ['record_id'], unique=False)


def downgrade() -> None:
    op.drop_table('search_completion')
    op.drop_table('search_word')
    op.drop_table('search_document')

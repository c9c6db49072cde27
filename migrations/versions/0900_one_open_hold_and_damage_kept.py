"""one open hold per reader and title; damage noted on a rotated copy is kept

Revision ID: 0900
Revises: 0910
Create Date: 2026-12-01 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0900'
down_revision = '0910'
branch_labels = None
depends_on = None

OPEN = "status IN ('waiting', 'ready')"


def upgrade() -> None:
    # Duplicates placed by concurrent requests before this index: keep each reader's oldest open
    # hold on a title (a ready one first, since a copy is set aside for it), cancel the others.
    op.execute(f"""
        UPDATE hold SET status = 'cancelled', cancelled_at = CURRENT_TIMESTAMP, item_id = NULL
        WHERE {OPEN} AND id NOT IN (
            SELECT keep_id FROM (
                SELECT (SELECT h2.id FROM hold h2
                        WHERE h2.reader_id = h1.reader_id AND h2.record_id = h1.record_id
                          AND h2.status IN ('waiting', 'ready')
                        ORDER BY CASE WHEN h2.status = 'ready' THEN 0 ELSE 1 END, h2.placed_at, h2.id
                        LIMIT 1) AS keep_id
                FROM hold h1 WHERE h1.status IN ('waiting', 'ready')
            ) AS kept
        )
    """)
    with op.batch_alter_table('hold', schema=None) as batch_op:
        batch_op.create_index('uq_hold_open_reader_record', ['reader_id', 'record_id'], unique=True,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    with op.batch_alter_table('rotation_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_damaged', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('rotation_item', schema=None) as batch_op:
        batch_op.drop_column('is_damaged')
    with op.batch_alter_table('hold', schema=None) as batch_op:
        batch_op.drop_index('uq_hold_open_reader_record', sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))

"""scans page source and corrections

Revision ID: 0500
Revises: 0300
Create Date: 2026-11-24 00:05:42.374190
"""
from alembic import op
import sqlalchemy as sa


revision = '0500'
down_revision = '0300'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('digital_object', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_path', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('checksum', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('notes', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_digital_object_checksum'), ['checksum'], unique=False)

    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_label', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('corrected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('corrected_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_page_corrected_by_id_user_account'), 'user_account', ['corrected_by_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_page_corrected_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('corrected_at')
        batch_op.drop_column('corrected_by_id')
        batch_op.drop_column('source_label')

    with op.batch_alter_table('digital_object', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digital_object_checksum'))
        batch_op.drop_column('notes')
        batch_op.drop_column('checksum')
        batch_op.drop_column('source_path')


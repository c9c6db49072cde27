"""job lease and attempts (task queue workers)

Revision ID: 0940
Revises: 0900
Create Date: 2026-12-01 22:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0940'
down_revision = '0900'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_job_lease_until'), ['lease_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_lease_until'))
        batch_op.drop_column('attempts')
        batch_op.drop_column('lease_until')

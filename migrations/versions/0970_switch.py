"""switch: the search backend recorded in the database (switch-search-backend without a restart)

Revision ID: 0970_switch
Revises: 0960_pgsearch
Create Date: 2026-12-02 18:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0970_switch'
down_revision = '0960_pgsearch'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('backend', sa.String(length=24), nullable=False),
    sa.Column('also_writing', sa.String(length=24), nullable=True),
    sa.Column('switch_started_at', sa.DateTime(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('also_writing IS NULL OR also_writing <> backend', name=op.f('ck_search_setting_two_backends')),
    sa.CheckConstraint('id = 1', name=op.f('ck_search_setting_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_setting'))
    )


def downgrade() -> None:
    op.drop_table('search_setting')

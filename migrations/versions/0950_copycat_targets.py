"""copy-cataloguing targets (SRU and Z39.50)

Revision ID: 0950_copycat
Revises: 0940
Create Date: 2026-12-02 06:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0950_copycat'
down_revision = '0940'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'copycat_target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('protocol', sa.String(length=8), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('database', sa.String(length=255), nullable=False),
        sa.Column('record_syntax', sa.String(length=16), nullable=False),
        sa.Column('charset', sa.String(length=16), nullable=False),
        sa.Column('sru_version', sa.String(length=4), nullable=False),
        sa.Column('org_code', sa.String(length=32), nullable=False),
        sa.Column('is_enabled', sa.Boolean(), nullable=False),
        sa.Column('timeout', sa.Integer(), nullable=False),
        sa.Column('last_tested_at', sa.DateTime(), nullable=True),
        sa.Column('last_test_ok', sa.Boolean(), nullable=True),
        sa.Column('last_test_message', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_copycat_target')),
        sa.UniqueConstraint('name', name=op.f('uq_copycat_target_name')),
    )


def downgrade() -> None:
    op.drop_table('copycat_target')

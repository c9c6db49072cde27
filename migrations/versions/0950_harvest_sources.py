"""OAI-PMH harvest sources, their runs, and the link of each harvested record to its source

Revision ID: 0950_harvest
Revises: 0940
Create Date: 2026-12-02 06:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0950_harvest'
down_revision = '0950_dupes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('harvest_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('base_url', sa.String(length=1000), nullable=False),
    sa.Column('metadata_prefix', sa.String(length=32), nullable=False),
    sa.Column('set_spec', sa.String(length=200), nullable=False),
    sa.Column('schedule', sa.String(length=16), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=True),
    sa.Column('granularity', sa.String(length=32), nullable=False),
    sa.Column('repository_name', sa.String(length=500), nullable=False),
    sa.Column('harvested_until', sa.String(length=32), nullable=False),
    sa.Column('last_finished_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['library_id'], ['library.id'], name=op.f('fk_harvest_source_library_id_library'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_source'))
    )
    op.create_table('harvest_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('from_value', sa.String(length=32), nullable=False),
    sa.Column('resumption_token', sa.Text(), nullable=False),
    sa.Column('response_date', sa.String(length=32), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('fetched', sa.Integer(), nullable=False),
    sa.Column('list_size', sa.Integer(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_run.id'], name=op.f('fk_harvest_run_import_run_id_import_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_harvest_run_job_id_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['harvest_source.id'], name=op.f('fk_harvest_run_source_id_harvest_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_run'))
    )
    with op.batch_alter_table('harvest_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_run_source_id'), ['source_id'], unique=False)
    op.create_table('harvest_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('oai_identifier', sa.String(length=500), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('datestamp', sa.String(length=32), nullable=False),
    sa.Column('is_deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_harvest_link_record_id_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['harvest_source.id'], name=op.f('fk_harvest_link_source_id_harvest_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_link')),
    sa.UniqueConstraint('source_id', 'oai_identifier', name=op.f('uq_harvest_link_source_id_oai_identifier'))
    )
    with op.batch_alter_table('harvest_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_link_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_harvest_link_source_id'), ['source_id'], unique=False)


def downgrade() -> None:
    op.drop_table('harvest_link')
    op.drop_table('harvest_run')
    op.drop_table('harvest_source')

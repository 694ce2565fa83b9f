"""Controls: frameworks and their controls, mappings, implementation per scope, hand-set BBN
levels of scopes, and links from risks to controls.

Revision ID: 0009_controls
Revises: 0008_bia_links
Create Date: 2026-11-23 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_controls'
down_revision = '0008_bia_links'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('control_framework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('urn', sa.String(length=500), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name_nl', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('version', sa.String(length=50), nullable=False),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('copyright', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control_framework')),
    sa.UniqueConstraint('urn', name=op.f('uq_control_framework_urn'))
    )
    op.create_index(op.f('ix_control_framework_code'), 'control_framework', ['code'])
    op.create_table('control',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('urn', sa.String(length=500), nullable=False),
    sa.Column('ref_id', sa.String(length=100), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('title_nl', sa.Text(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=False),
    sa.Column('description_nl', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('assessable', sa.Boolean(), nullable=False),
    sa.Column('bbn_level', sa.Integer(), nullable=True),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('bbn_level IS NULL OR bbn_level BETWEEN 1 AND 3', name=op.f('ck_control_bbn_level')),
    sa.ForeignKeyConstraint(['framework_id'], ['control_framework.id'], name=op.f('fk_control_framework_id_control_framework')),
    sa.ForeignKeyConstraint(['parent_id'], ['control.id'], name=op.f('fk_control_parent_id_control')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control')),
    sa.UniqueConstraint('urn', name=op.f('uq_control_urn'))
    )
    op.create_index('ix_control_framework_order', 'control', ['framework_id', 'sort_order'])
    op.create_index(op.f('ix_control_parent_id'), 'control', ['parent_id'])
    op.create_index(op.f('ix_control_bbn_level'), 'control', ['bbn_level'])
    op.create_table('control_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.CheckConstraint("relationship IN ('equal', 'subset', 'superset', 'intersect')", name=op.f('ck_control_mapping_relationship')),
    sa.ForeignKeyConstraint(['source_id'], ['control.id'], name=op.f('fk_control_mapping_source_id_control'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['control.id'], name=op.f('fk_control_mapping_target_id_control'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control_mapping')),
    sa.UniqueConstraint('source_id', 'target_id', name=op.f('uq_control_mapping_source_id'))
    )
    op.create_index(op.f('ix_control_mapping_target_id'), 'control_mapping', ['target_id'])
    op.create_table('control_implementation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.Column('voorziening_id', sa.Integer(), nullable=True),
    sa.Column('meldkamer_id', sa.Integer(), nullable=True),
    sa.Column('scope_key', sa.String(length=30), nullable=False),
    sa.Column('discipline_id', sa.Integer(), nullable=True),
    sa.Column('applicable', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('evidence_link', sa.String(length=500), nullable=False),
    sa.Column('last_checked', sa.Date(), nullable=True),
    sa.Column('next_check', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(voorziening_id IS NULL) <> (meldkamer_id IS NULL)', name=op.f('ck_control_implementation_one_scope')),
    sa.CheckConstraint("status IN ('niet', 'deels', 'volledig')", name=op.f('ck_control_implementation_status')),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_control_implementation_control_id_control')),
    sa.ForeignKeyConstraint(['voorziening_id'], ['voorziening.id'], name=op.f('fk_control_implementation_voorziening_id_voorziening')),
    sa.ForeignKeyConstraint(['meldkamer_id'], ['meldkamer.id'], name=op.f('fk_control_implementation_meldkamer_id_meldkamer')),
    sa.ForeignKeyConstraint(['discipline_id'], ['discipline.id'], name=op.f('fk_control_implementation_discipline_id_discipline')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_control_implementation_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control_implementation')),
    sa.UniqueConstraint('control_id', 'scope_key', name=op.f('uq_control_implementation_control_id'))
    )
    op.create_index('ix_control_implementation_scope', 'control_implementation', ['scope_key', 'control_id'])
    op.create_index(op.f('ix_control_implementation_status'), 'control_implementation', ['status'])
    op.create_index(op.f('ix_control_implementation_owner'), 'control_implementation', ['owner'])
    op.create_table('control_scope_level',
    sa.Column('scope_key', sa.String(length=30), nullable=False),
    sa.Column('bbn_level', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint('bbn_level BETWEEN 1 AND 3', name=op.f('ck_control_scope_level_bbn_level')),
    sa.PrimaryKeyConstraint('scope_key', name=op.f('pk_control_scope_level'))
    )
    op.create_table('risk_control',
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.CheckConstraint("kind IN ('existing', 'planned')", name=op.f('ck_risk_control_kind')),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_risk_control_risk_id_risk'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_risk_control_control_id_control')),
    sa.PrimaryKeyConstraint('risk_id', 'control_id', name=op.f('pk_risk_control'))
    )
    op.create_index(op.f('ix_risk_control_control_id'), 'risk_control', ['control_id'])


def downgrade():
    op.drop_table('risk_control')
    op.drop_table('control_scope_level')
    op.drop_table('control_implementation')
    op.drop_table('control_mapping')
    op.drop_table('control')
    op.drop_table('control_framework')

"""Continuity: plans per meldkamer and/or voorziening (recovery steps, approvals, links to
risks and a BIA), exercises and their findings.

Revision ID: 0007_continuity
Revises: 0006_risk_edits
Create Date: 2026-11-23 14:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_continuity'
down_revision = '0006_risk_edits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('continuity_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('meldkamer_id', sa.Integer(), nullable=True),
    sa.Column('voorziening_id', sa.Integer(), nullable=True),
    sa.Column('bia_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('activation_criteria', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.Column('fallback_meldkamer_id', sa.Integer(), nullable=True),
    sa.Column('fallback_kind', sa.String(length=20), nullable=True),
    sa.Column('manual_procedures', sa.Text(), nullable=False),
    sa.Column('communication', sa.Text(), nullable=False),
    sa.Column('target_minutes', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("fallback_kind IS NULL OR fallback_kind IN ('uitwijk', 'overname')", name=op.f('ck_continuity_plan_fallback_kind')),
    sa.CheckConstraint("status IN ('concept', 'actief', 'vervallen')", name=op.f('ck_continuity_plan_status')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_continuity_plan_approved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['bia_id'], ['bia.id'], name=op.f('fk_continuity_plan_bia_id_bia'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fallback_meldkamer_id'], ['meldkamer.id'], name=op.f('fk_continuity_plan_fallback_meldkamer_id_meldkamer')),
    sa.ForeignKeyConstraint(['meldkamer_id'], ['meldkamer.id'], name=op.f('fk_continuity_plan_meldkamer_id_meldkamer')),
    sa.ForeignKeyConstraint(['voorziening_id'], ['voorziening.id'], name=op.f('fk_continuity_plan_voorziening_id_voorziening')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_continuity_plan')),
    sa.UniqueConstraint('code', name=op.f('uq_continuity_plan_code'))
    )
    with op.batch_alter_table('continuity_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_continuity_plan_bia_id'), ['bia_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_continuity_plan_fallback_meldkamer_id'), ['fallback_meldkamer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_continuity_plan_meldkamer_id'), ['meldkamer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_continuity_plan_voorziening_id'), ['voorziening_id'], unique=False)

    op.create_table('continuity_exercise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('scenario', sa.Text(), nullable=False),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('achieved_minutes', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('tabletop', 'failover', 'uitwijk')", name=op.f('ck_continuity_exercise_kind')),
    sa.CheckConstraint("result IS NULL OR result IN ('geslaagd', 'deels', 'niet_geslaagd')", name=op.f('ck_continuity_exercise_result')),
    sa.ForeignKeyConstraint(['plan_id'], ['continuity_plan.id'], name=op.f('fk_continuity_exercise_plan_id_continuity_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_continuity_exercise')),
    sa.UniqueConstraint('code', name=op.f('uq_continuity_exercise_code'))
    )
    with op.batch_alter_table('continuity_exercise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_continuity_exercise_held_on'), ['held_on'], unique=False)
        batch_op.create_index('ix_continuity_exercise_plan_held', ['plan_id', 'held_on'], unique=False)

    op.create_table('continuity_plan_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_continuity_plan_approval_approved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['continuity_plan.id'], name=op.f('fk_continuity_plan_approval_plan_id_continuity_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_continuity_plan_approval'))
    )
    with op.batch_alter_table('continuity_plan_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_continuity_plan_approval_plan_id'), ['plan_id'], unique=False)

    op.create_table('continuity_plan_risk',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['continuity_plan.id'], name=op.f('fk_continuity_plan_risk_plan_id_continuity_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_continuity_plan_risk_risk_id_risk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'risk_id', name=op.f('pk_continuity_plan_risk'))
    )
    with op.batch_alter_table('continuity_plan_risk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_continuity_plan_risk_risk_id'), ['risk_id'], unique=False)

    op.create_table('continuity_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.Column('target_minutes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['continuity_plan.id'], name=op.f('fk_continuity_step_plan_id_continuity_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_continuity_step'))
    )
    with op.batch_alter_table('continuity_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_continuity_step_plan_id'), ['plan_id'], unique=False)

    op.create_table('continuity_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=True),
    sa.Column('link', sa.String(length=20), nullable=True),
    sa.CheckConstraint("link IS NULL OR link IN ('nieuw', 'bestaand')", name=op.f('ck_continuity_finding_link')),
    sa.ForeignKeyConstraint(['exercise_id'], ['continuity_exercise.id'], name=op.f('fk_continuity_finding_exercise_id_continuity_exercise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_continuity_finding_risk_id_risk'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_continuity_finding'))
    )
    with op.batch_alter_table('continuity_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_continuity_finding_exercise_id'), ['exercise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_continuity_finding_risk_id'), ['risk_id'], unique=False)



def downgrade():
    with op.batch_alter_table('continuity_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_continuity_finding_risk_id'))
        batch_op.drop_index(batch_op.f('ix_continuity_finding_exercise_id'))

    op.drop_table('continuity_finding')
    with op.batch_alter_table('continuity_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_continuity_step_plan_id'))

    op.drop_table('continuity_step')
    with op.batch_alter_table('continuity_plan_risk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_continuity_plan_risk_risk_id'))

    op.drop_table('continuity_plan_risk')
    with op.batch_alter_table('continuity_plan_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_continuity_plan_approval_plan_id'))

    op.drop_table('continuity_plan_approval')
    with op.batch_alter_table('continuity_exercise', schema=None) as batch_op:
        batch_op.drop_index('ix_continuity_exercise_plan_held')
        batch_op.drop_index(batch_op.f('ix_continuity_exercise_held_on'))

    op.drop_table('continuity_exercise')
    with op.batch_alter_table('continuity_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_continuity_plan_voorziening_id'))
        batch_op.drop_index(batch_op.f('ix_continuity_plan_meldkamer_id'))
        batch_op.drop_index(batch_op.f('ix_continuity_plan_fallback_meldkamer_id'))
        batch_op.drop_index(batch_op.f('ix_continuity_plan_bia_id'))

    op.drop_table('continuity_plan')

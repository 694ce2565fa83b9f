"""Exercises get an edit counter (revision), as plans have: a save or an Oefeningen row made from
an older revision is refused instead of overwriting someone else's change.

Revision ID: 0012_exercise_revision
Revises: 0011_plan_revision
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_exercise_revision'
down_revision = '0011_plan_revision'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('continuity_exercise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False,
                                      server_default='1'))


def downgrade():
    with op.batch_alter_table('continuity_exercise', schema=None) as batch_op:
        batch_op.drop_column('revision')

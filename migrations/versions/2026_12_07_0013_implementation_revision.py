"""Implementations (a control in one scope) get an edit counter (revision), as plans and exercises
have: a save, a bulk edit or a Verklaring van Toepasselijkheid row made from an older revision is
refused instead of overwriting someone else's change.

Revision ID: 0013_implementation_revision
Revises: 0012_exercise_revision
Create Date: 2026-12-07 10:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_implementation_revision'
down_revision = '0012_exercise_revision'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('control_implementation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False,
                                      server_default='1'))


def downgrade():
    with op.batch_alter_table('control_implementation', schema=None) as batch_op:
        batch_op.drop_column('revision')

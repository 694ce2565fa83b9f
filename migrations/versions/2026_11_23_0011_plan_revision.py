"""Plans get an edit counter (revision): a save or an import row made from an older revision is
refused instead of overwriting someone else's change.

Revision ID: 0011_plan_revision
Revises: 0010_control_indexes
Create Date: 2026-11-23 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_plan_revision'
down_revision = '0010_control_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('continuity_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False,
                                      server_default='1'))


def downgrade():
    with op.batch_alter_table('continuity_plan', schema=None) as batch_op:
        batch_op.drop_column('revision')

"""Index the implementations by control with their scope, status and applicability, so that the
BBN gap analysis counts and lists them from the index alone (no row lookups).

Revision ID: 0010_control_indexes
Revises: 0009_controls
Create Date: 2026-11-23 17:30:00

"""
from alembic import op


revision = '0010_control_indexes'
down_revision = '0009_controls'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('control_implementation', schema=None) as batch_op:
        batch_op.create_index('ix_control_implementation_status_by_control',
                              ['control_id', 'scope_key', 'status', 'applicable'], unique=False)


def downgrade():
    with op.batch_alter_table('control_implementation', schema=None) as batch_op:
        batch_op.drop_index('ix_control_implementation_status_by_control')

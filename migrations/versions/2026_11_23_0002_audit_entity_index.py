"""Index the audit trail by object, so an auditor's view of one risk's trail needs no scan.

Revision ID: 0002_audit_entity
Revises: 0001_register
Create Date: 2026-11-23 05:00:00

"""
from alembic import op


revision = '0002_audit_entity'
down_revision = '0001_register'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_entity', ['entity_type', 'entity_id', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_entity')

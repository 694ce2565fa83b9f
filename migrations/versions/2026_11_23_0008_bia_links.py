"""BIA ↔ risk links: which risks a BIA's subject bears on (many to many).

Revision ID: 0008_bia_links
Revises: 0007_continuity
Create Date: 2026-11-23 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_bia_links'
down_revision = '0007_continuity'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bia_risk',
    sa.Column('bia_id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bia_id'], ['bia.id'], name=op.f('fk_bia_risk_bia_id_bia'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_bia_risk_risk_id_risk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bia_id', 'risk_id', name=op.f('pk_bia_risk'))
    )
    with op.batch_alter_table('bia_risk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bia_risk_risk_id'), ['risk_id'], unique=False)
    with op.batch_alter_table('bia_dependency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bia_dependency_target_bia_id'), ['target_bia_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('bia_dependency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bia_dependency_target_bia_id'))
    with op.batch_alter_table('bia_risk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bia_risk_risk_id'))
    op.drop_table('bia_risk')

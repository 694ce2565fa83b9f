"""Concurrent edits and archiving: a counter for risk codes, the version an audit event wrote,
archived risks.

``code_counter`` holds the last number handed out per code series ("risk" → R-0001…), so that a
new risk's code is one atomic UPDATE instead of reading every code (and two creates at once no
longer collide). ``audit_event.entity_version`` is the version an update produced: with the
changes it records, the values a form or a workbook row was opened with can be rebuilt, so a save
conflicts only on the fields someone else changed since. ``risk.archived_at`` / ``archived_by_id``
/ ``archived_reason``: an archived risk leaves the register and the heatmaps but keeps its history.

Revision ID: 0004e_risk_edits
Revises: 0005_bia
Create Date: 2026-11-23 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_risk_edits'
down_revision = '0005_bia'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('code_counter',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_code_counter')))
    conn = op.get_bind()
    codes = conn.execute(sa.text("SELECT code FROM risk WHERE code LIKE 'R-%'")).scalars()
    highest = max((int(c[2:]) for c in codes if c[2:].isdigit()), default=0)
    op.bulk_insert(sa.table('code_counter', sa.column('name'), sa.column('value')),
                   [{'name': 'risk', 'value': highest}])
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entity_version', sa.Integer(), nullable=True))
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('archived_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('archived_reason', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_risk_archived_by_id_user'), 'user',
                                    ['archived_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_risk_archived_at'), ['archived_at'], unique=False)


def downgrade():
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_archived_at'))
        batch_op.drop_constraint(batch_op.f('fk_risk_archived_by_id_user'), type_='foreignkey')
        batch_op.drop_column('archived_reason')
        batch_op.drop_column('archived_by_id')
        batch_op.drop_column('archived_at')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('entity_version')
    op.drop_table('code_counter')

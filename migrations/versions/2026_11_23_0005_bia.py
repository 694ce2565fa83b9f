"""BIA: business impact analyses per process or voorziening, in versions.

Creates the BIA tables and seeds the configurable data: six time windows, eight impact
categories, the MTPD threshold (impact value 4) and the BBN rule (BBN = max(B, I, V)).

Revision ID: 0005_bia
Revises: 0004_auth_security
Create Date: 2026-11-23 12:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_bia'
down_revision = '0004_auth_security'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bia_bbn_rule',
    sa.Column('b', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('i', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('v', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('bbn', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('b', 'i', 'v', name=op.f('pk_bia_bbn_rule'))
    )
    op.create_table('bia_impact_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_nl', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bia_impact_category')),
    sa.UniqueConstraint('code', name=op.f('uq_bia_impact_category_code'))
    )
    op.create_table('bia_setting',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_bia_setting'))
    )
    op.create_table('bia_time_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_nl', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=50), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bia_time_window')),
    sa.UniqueConstraint('code', name=op.f('uq_bia_time_window_code')),
    sa.UniqueConstraint('minutes', name=op.f('uq_bia_time_window_minutes'))
    )
    op.create_table('bia',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('voorziening_id', sa.Integer(), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('next_review', sa.Date(), nullable=True),
    sa.Column('biv_b', sa.Integer(), nullable=True),
    sa.Column('biv_i', sa.Integer(), nullable=True),
    sa.Column('biv_v', sa.Integer(), nullable=True),
    sa.Column('bbn', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('biv_b IS NULL OR biv_b BETWEEN 1 AND 3', name=op.f('ck_bia_biv_b')),
    sa.CheckConstraint('biv_i IS NULL OR biv_i BETWEEN 1 AND 3', name=op.f('ck_bia_biv_i')),
    sa.CheckConstraint('biv_v IS NULL OR biv_v BETWEEN 1 AND 3', name=op.f('ck_bia_biv_v')),
    sa.ForeignKeyConstraint(['voorziening_id'], ['voorziening.id'], name=op.f('fk_bia_voorziening_id_voorziening')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bia')),
    sa.UniqueConstraint('code', name=op.f('uq_bia_code'))
    )
    op.create_table('bia_classification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bia_id', sa.Integer(), nullable=False),
    sa.Column('b', sa.Integer(), nullable=False),
    sa.Column('i', sa.Integer(), nullable=False),
    sa.Column('v', sa.Integer(), nullable=False),
    sa.Column('bbn', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bia_id'], ['bia.id'], name=op.f('fk_bia_classification_bia_id_bia'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_bia_classification_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bia_classification'))
    )
    with op.batch_alter_table('bia_classification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bia_classification_bia_id'), ['bia_id'], unique=False)

    op.create_table('bia_dependency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bia_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target_bia_id', sa.Integer(), nullable=True),
    sa.Column('voorziening_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('recovery_minutes', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('bia', 'voorziening', 'supplier', 'location', 'person')", name=op.f('ck_bia_dependency_kind')),
    sa.ForeignKeyConstraint(['bia_id'], ['bia.id'], name=op.f('fk_bia_dependency_bia_id_bia'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_bia_id'], ['bia.id'], name=op.f('fk_bia_dependency_target_bia_id_bia'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voorziening_id'], ['voorziening.id'], name=op.f('fk_bia_dependency_voorziening_id_voorziening')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bia_dependency'))
    )
    with op.batch_alter_table('bia_dependency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bia_dependency_bia_id'), ['bia_id'], unique=False)

    op.create_table('bia_discipline',
    sa.Column('bia_id', sa.Integer(), nullable=False),
    sa.Column('discipline_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bia_id'], ['bia.id'], name=op.f('fk_bia_discipline_bia_id_bia'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['discipline_id'], ['discipline.id'], name=op.f('fk_bia_discipline_discipline_id_discipline')),
    sa.PrimaryKeyConstraint('bia_id', 'discipline_id', name=op.f('pk_bia_discipline'))
    )
    op.create_table('bia_meldkamer',
    sa.Column('bia_id', sa.Integer(), nullable=False),
    sa.Column('meldkamer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bia_id'], ['bia.id'], name=op.f('fk_bia_meldkamer_bia_id_bia'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meldkamer_id'], ['meldkamer.id'], name=op.f('fk_bia_meldkamer_meldkamer_id_meldkamer')),
    sa.PrimaryKeyConstraint('bia_id', 'meldkamer_id', name=op.f('pk_bia_meldkamer'))
    )
    op.create_table('bia_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bia_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('assessment_date', sa.Date(), nullable=True),
    sa.Column('mtpd_override_minutes', sa.Integer(), nullable=True),
    sa.Column('mtpd_override_reason', sa.Text(), nullable=False),
    sa.Column('rto_minutes', sa.Integer(), nullable=True),
    sa.Column('rpo_minutes', sa.Integer(), nullable=True),
    sa.Column('mbco_minutes', sa.Integer(), nullable=True),
    sa.Column('mbco', sa.Text(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_bia_version_approved_by_id_user')),
    sa.ForeignKeyConstraint(['bia_id'], ['bia.id'], name=op.f('fk_bia_version_bia_id_bia'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bia_version')),
    sa.UniqueConstraint('bia_id', 'number', name=op.f('uq_bia_version_bia_id'))
    )
    op.create_table('bia_row',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['bia_impact_category.id'], name=op.f('fk_bia_row_category_id_bia_impact_category')),
    sa.ForeignKeyConstraint(['version_id'], ['bia_version.id'], name=op.f('fk_bia_row_version_id_bia_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'category_id', name=op.f('pk_bia_row'))
    )
    op.create_table('bia_score',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('impact_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['bia_impact_category.id'], name=op.f('fk_bia_score_category_id_bia_impact_category')),
    sa.ForeignKeyConstraint(['impact_value'], ['impact_class.value'], name=op.f('fk_bia_score_impact_value_impact_class')),
    sa.ForeignKeyConstraint(['version_id'], ['bia_version.id'], name=op.f('fk_bia_score_version_id_bia_version'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['bia_time_window.id'], name=op.f('fk_bia_score_window_id_bia_time_window')),
    sa.PrimaryKeyConstraint('version_id', 'category_id', 'window_id', name=op.f('pk_bia_score'))
    )
    _seed()


def downgrade():
    op.drop_table('bia_score')
    op.drop_table('bia_row')
    op.drop_table('bia_version')
    op.drop_table('bia_meldkamer')
    op.drop_table('bia_discipline')
    with op.batch_alter_table('bia_dependency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bia_dependency_bia_id'))

    op.drop_table('bia_dependency')
    with op.batch_alter_table('bia_classification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bia_classification_bia_id'))

    op.drop_table('bia_classification')
    op.drop_table('bia')
    op.drop_table('bia_time_window')
    op.drop_table('bia_setting')
    op.drop_table('bia_impact_category')
    op.drop_table('bia_bbn_rule')


WINDOWS = [  # code, nl, en, minutes
    ("15m", "15 min", "15 min", 15),
    ("1u", "1 uur", "1 hour", 60),
    ("4u", "4 uur", "4 hours", 240),
    ("24u", "24 uur", "24 hours", 1440),
    ("72u", "72 uur", "72 hours", 4320),
    ("1w", "1 week", "1 week", 10080),
]
CATEGORIES = [  # code, nl, en
    ("LEVEN", "Mensenlevens en gezondheid", "Human life and health"),
    ("ORDE", "Openbare orde en veiligheid", "Public order and safety"),
    ("HULPV", "Veiligheid hulpverleners", "Responder safety"),
    ("BEREIK", "Operationele bereikbaarheid 112/meldkamer",
     "Operational reachability of 112 and dispatch"),
    ("JUR", "Juridisch", "Legal"),
    ("BESTUUR", "Bestuurlijk", "Political and administrative"),
    ("REPUT", "Reputatie", "Reputation"),
    ("FIN", "Financieel", "Financial"),
]


def _seed():
    def table(name, *columns):
        return sa.table(name, *(sa.column(c) for c in columns))

    cols = ("code", "name_nl", "name_en", "minutes", "active")
    op.bulk_insert(table("bia_time_window", *cols),
                   [dict(zip(cols, row + (True,))) for row in WINDOWS])
    cols = ("code", "name_nl", "name_en", "sort_order", "active")
    op.bulk_insert(table("bia_impact_category", *cols),
                   [dict(zip(cols, (c, nl, en, n, True)))
                    for n, (c, nl, en) in enumerate(CATEGORIES, 1)])
    op.bulk_insert(table("bia_setting", "key", "value"), [{"key": "mtpd_threshold", "value": "4"}])
    op.bulk_insert(table("bia_bbn_rule", "b", "i", "v", "bbn"), [
        {"b": b, "i": i, "v": v, "bbn": max(b, i, v)}
        for b in range(1, 4) for i in range(1, 4) for v in range(1, 4)])

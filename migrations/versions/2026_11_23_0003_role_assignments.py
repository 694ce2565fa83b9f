"""Role assignments: a user holds roles, each for the whole register, a discipline or a meldkamer.

Creates ``role_assignment``, copies every user's (role, discipline) into one assignment, then drops
``user.role`` and ``user.discipline_id``. The copy is literal: an old admin or viewer with a
discipline keeps it as the scope (it still sets where their register opens), though new assignments
of admin, chair and auditor are register-wide only (auth/models.py ``ROLE_SCOPES``). Downgrade puts back each user's first assignment (one the
old schema knew, when there is one; a meldkamer scope has no place there and is lost); a user
without any gets ``viewer``.

Revision ID: 0003_role_assignments
Revises: 0002_audit_entity
Create Date: 2026-11-23 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_role_assignments'
down_revision = '0002_audit_entity'
branch_labels = None
depends_on = None

user = sa.table('user', sa.column('id'), sa.column('role'), sa.column('discipline_id'),
                sa.column('created_at'))
assignment = sa.table('role_assignment', sa.column('id'), sa.column('user_id'), sa.column('role'),
                      sa.column('discipline_id'), sa.column('meldkamer_id'),
                      sa.column('created_at'))


def upgrade():
    op.create_table('role_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('discipline_id', sa.Integer(), nullable=True),
    sa.Column('meldkamer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('discipline_id IS NULL OR meldkamer_id IS NULL', name=op.f('ck_role_assignment_one_scope')),
    sa.ForeignKeyConstraint(['discipline_id'], ['discipline.id'], name=op.f('fk_role_assignment_discipline_id_discipline')),
    sa.ForeignKeyConstraint(['meldkamer_id'], ['meldkamer.id'], name=op.f('fk_role_assignment_meldkamer_id_meldkamer')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_role_assignment_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignment'))
    )
    # A role once per scope, NULL (whole register) counting as a value: see auth/models.py.
    op.create_index('uq_role_assignment_scope', 'role_assignment',
                    ['user_id', 'role', sa.text('coalesce(discipline_id, 0)'),
                     sa.text('coalesce(meldkamer_id, 0)')], unique=True)

    op.execute(assignment.insert().from_select(
        ['user_id', 'role', 'discipline_id', 'created_at'],
        sa.select(user.c.id, user.c.role, user.c.discipline_id, user.c.created_at)
        .order_by(user.c.id)))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('fk_user_discipline_id_discipline', type_='foreignkey')
        batch_op.drop_column('discipline_id')
        batch_op.drop_column('role')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('discipline_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_user_discipline_id_discipline', 'discipline',
                                    ['discipline_id'], ['id'])

    conn = op.get_bind()
    first = {}
    for user_id, role, discipline_id in conn.execute(
            sa.select(assignment.c.user_id, assignment.c.role, assignment.c.discipline_id)
            .order_by(assignment.c.user_id,
                      sa.case((assignment.c.role == 'continuity', 1), else_=0), assignment.c.id)):
        first.setdefault(user_id, (role, discipline_id))
    for (user_id,) in conn.execute(sa.select(user.c.id)):
        role, discipline_id = first.get(user_id, ('viewer', None))
        conn.execute(user.update().where(user.c.id == user_id)
                     .values(role=role, discipline_id=discipline_id))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=sa.String(length=20), nullable=False)

    op.drop_index('uq_role_assignment_scope', table_name='role_assignment')
    op.drop_table('role_assignment')

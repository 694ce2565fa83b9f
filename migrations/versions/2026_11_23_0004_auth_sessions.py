"""Server-side sessions and the sign-in throttle.

``user_session``: one row per signed-in session (its id is the SHA-256 of the cookie's token);
``auth_failure``: failed checks of a password or second factor, counted per account and address.

Revision ID: 0004_auth_sessions
Revises: 0003_role_assignments
Create Date: 2026-11-23 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_auth_sessions'
down_revision = '0003_role_assignments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session'))
    )
    op.create_index('ix_user_session_user', 'user_session', ['user_id', 'ended_at'], unique=False)
    op.create_table('auth_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('account', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_failure'))
    )
    op.create_index('ix_auth_failure_account', 'auth_failure', ['kind', 'account', 'at'],
                    unique=False)
    op.create_index('ix_auth_failure_address', 'auth_failure', ['kind', 'address', 'at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_auth_failure_address', table_name='auth_failure')
    op.drop_index('ix_auth_failure_account', table_name='auth_failure')
    op.drop_table('auth_failure')
    op.drop_index('ix_user_session_user', table_name='user_session')
    op.drop_table('user_session')

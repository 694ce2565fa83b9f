"""Server-side sessions, the sign-in throttle and the second factor.

``user_session``: one row per signed-in session (its id is the SHA-256 of the cookie's token);
``auth_failure``: failed checks of a password or second factor, counted per account and address;
``user.totp_secret``, ``user.totp_enabled_at``, ``user.totp_last_step`` (a code is used once) and
``recovery_code`` (SHA-256 of each one-time recovery code).

Revision ID: 0004_auth_security
Revises: 0003_role_assignments
Create Date: 2026-11-23 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_auth_security'
down_revision = '0003_role_assignments'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    op.create_index('ix_recovery_code_user', 'recovery_code', ['user_id'], unique=False)
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
    op.drop_index('ix_recovery_code_user', table_name='recovery_code')
    op.drop_table('recovery_code')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

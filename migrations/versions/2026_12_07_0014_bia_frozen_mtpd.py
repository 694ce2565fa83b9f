"""An approved BIA version keeps the MTPD it had when it was approved: the derived MTPD (minutes),
the time window it fell in and the threshold it was derived with are stored on the version at
approval, so a later change of the threshold or of a time window no longer changes it. Versions
approved before this migration get the MTPD the current settings give.

Revision ID: 0014_bia_frozen_mtpd
Revises: 0013_implementation_revision
Create Date: 2026-12-07 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_bia_frozen_mtpd'
down_revision = '0013_implementation_revision'
branch_labels = None
depends_on = None

DEFAULT_MTPD_THRESHOLD = 4


def upgrade():
    with op.batch_alter_table('bia_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_mtpd_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_mtpd_window_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_mtpd_threshold', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_bia_version_approved_mtpd_window_id_bia_time_window',
                                    'bia_time_window', ['approved_mtpd_window_id'], ['id'])
    _freeze_approved_versions(op.get_bind())


def _freeze_approved_versions(bind):
    """What the current settings derive for every approved version (as the app did until now)."""
    value = bind.execute(sa.text(
        "SELECT value FROM bia_setting WHERE key = 'mtpd_threshold'")).scalar()
    try:
        threshold = int(value) if value is not None else DEFAULT_MTPD_THRESHOLD
    except ValueError:
        threshold = DEFAULT_MTPD_THRESHOLD
    windows = bind.execute(sa.text(
        "SELECT id, minutes FROM bia_time_window WHERE active = :t ORDER BY minutes"),
        {"t": True}).all()
    order = {window_id: n for n, (window_id, _minutes) in enumerate(windows)}
    categories = {row[0] for row in bind.execute(sa.text(
        "SELECT id FROM bia_impact_category WHERE active = :t"), {"t": True})}
    approved = [row[0] for row in bind.execute(sa.text(
        "SELECT id FROM bia_version WHERE approved_at IS NOT NULL"))]
    first: dict = {}
    for version_id, category_id, window_id in bind.execute(sa.text(
            "SELECT s.version_id, s.category_id, s.window_id FROM bia_score s "
            "JOIN bia_version v ON v.id = s.version_id "
            "WHERE v.approved_at IS NOT NULL AND s.impact_value >= :threshold"),
            {"threshold": threshold}):
        if category_id not in categories or window_id not in order:
            continue
        if version_id not in first or order[window_id] < order[first[version_id]]:
            first[version_id] = window_id
    update = sa.text("UPDATE bia_version SET approved_mtpd_minutes = :minutes, "
                     "approved_mtpd_window_id = :window_id, approved_mtpd_threshold = :threshold "
                     "WHERE id = :id")
    for version_id in approved:
        window_id = first.get(version_id)
        minutes = windows[order[window_id]][1] if window_id is not None else None
        bind.execute(update, {"minutes": minutes, "window_id": window_id,
                              "threshold": threshold, "id": version_id})


def downgrade():
    with op.batch_alter_table('bia_version', schema=None) as batch_op:
        batch_op.drop_constraint('fk_bia_version_approved_mtpd_window_id_bia_time_window',
                                 type_='foreignkey')
        batch_op.drop_column('approved_mtpd_threshold')
        batch_op.drop_column('approved_mtpd_window_id')
        batch_op.drop_column('approved_mtpd_minutes')

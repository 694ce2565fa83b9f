"""Migration 0005_bia down and up again, with BIAs in the database, on both backends."""

import sqlalchemy as sa
from bia_fixtures import make_bia  # noqa: F401  (fixture)
from flask_migrate import downgrade, upgrade

from lms_risk.bia.config import load_bia_config
from lms_risk.extensions import db


def test_bia_migration_down_and_up(app, make_bia):
    make_bia("GMS", meldkamers=["RTD"], grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)
    db.session.close()
    downgrade(revision="0004_auth_security")
    tables = sa.inspect(db.engine).get_table_names()
    assert not [t for t in tables if t.startswith("bia")]
    db.session.close()
    upgrade()
    config = load_bia_config()
    assert len(config.windows) == 6 and len(config.categories) == 8
    assert config.mtpd_threshold == 4 and config.bbn_rule[(1, 3, 2)] == 3
    db.session.remove()
    db.engine.dispose()


def test_frozen_mtpd_migration_fills_approved_versions_from_the_settings(app, make_bia, users):
    """0014_bia_frozen_mtpd: versions approved before it get the MTPD the settings give at the
    time of the migration; concept versions keep none (theirs is derived when shown)."""
    from lms_risk.bia.models import BiaVersion
    from lms_risk.bia.services import approve_version, mtpd
    from lms_risk.bia.settings import set_mtpd_threshold

    approved = make_bia("GMS", grid={"LEVEN": [1, 2, 4, 5, 5, 5]})
    never = make_bia("C2000", grid={"LEVEN": [1, 1, 1, 1, 1, 1]})
    concept = make_bia("Telefonie", grid={"LEVEN": [1, 2, 4, 5, 5, 5]})
    approve_version(approved.current, users["chair"])
    approve_version(never.current, users["chair"])
    set_mtpd_threshold(2, users["admin"])  # the grid reaches 2 at 1 u
    db.session.commit()
    ids = approved.current.id, never.current.id, concept.current.id
    db.session.close()
    downgrade(revision="0013_implementation_revision")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("bia_version")}
    assert "approved_mtpd_minutes" not in columns
    db.session.close()
    upgrade()
    config = load_bia_config()
    rows = {row.id: row for row in db.session.scalars(
        sa.select(BiaVersion).where(BiaVersion.id.in_(ids)))}
    first, second, third = (rows[i] for i in ids)
    assert (first.approved_mtpd_minutes, first.approved_mtpd_threshold) == (60, 2)
    assert first.approved_mtpd_window_id == config.window_by_code["1u"].id
    assert (second.approved_mtpd_minutes, second.approved_mtpd_window_id,
            second.approved_mtpd_threshold) == (None, None, 2)
    assert third.approved_mtpd_threshold is None
    set_mtpd_threshold(4, db.session.merge(users["admin"]))
    db.session.commit()
    config = load_bia_config()
    assert mtpd(first, config).minutes == 60 and mtpd(third, config).minutes == 240
    db.session.remove()
    db.engine.dispose()

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

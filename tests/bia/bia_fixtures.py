"""Fixtures of the BIA tests (imported by its test modules: a conftest.py here would shadow
the top one's name)."""

import pytest

from lms_risk.bia.config import load_bia_config
from lms_risk.bia.fields import BiaData, RowData, VersionData
from lms_risk.bia.services import create_bia, update_version
from lms_risk.extensions import db


@pytest.fixture
def config(app):
    return load_bia_config()


@pytest.fixture
def make_bia(app, users):
    """``make_bia("GMS", meldkamers=["RTD"], grid={"LEVEN": [1, 2, 4, 5, 5, 5]}, rto=60)``:
    grid rows as scores per window, shortest first (None leaves a cell empty)."""

    def make(subject="GMS", *, meldkamers=(), voorziening=None, grid=None, rto=None,
             user=None, **version):
        user = user or users["chair"]
        bia = create_bia(BiaData(subject=subject, meldkamers=list(meldkamers),
                                 voorziening=voorziening), user)
        if grid or rto is not None or version:
            set_version(bia.current, grid or {}, user, rto_minutes=rto, **version)
        db.session.commit()
        return bia

    return make


def grid_of(config, rows: dict) -> dict:
    out = {}
    for code, values in rows.items():
        category = config.category_by_code[code]
        for window, value in zip(config.windows, values):
            out[(category.id, window.id)] = value
    return out


def set_version(version, rows, user, **fields):
    config = load_bia_config()
    data = VersionData(**fields)
    return update_version(version, data, grid_of(config, rows), {}, user, config=config)


@pytest.fixture
def set_grid():
    return set_version

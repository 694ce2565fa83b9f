"""Loading catalogues: idempotent, newer versions update and retire, mappings per set, audited."""

import pytest
from sqlalchemy import func, select

from lms_risk.audit.models import AuditEvent
from lms_risk.controls.loading import LoadError, load_catalogue
from lms_risk.controls.models import Control, ControlMapping, Framework, Implementation
from lms_risk.controls.scopes import scope_by_param
from lms_risk.controls.services import ImplementationData, set_implementation
from lms_risk.extensions import db
from lms_risk.reference.data import refdata

from controls_fixtures import (
    BIO,
    MappingData,
    bio_sample,
    catalogue,
    mappings_sample,
    nis2_sample,
    node,
    framework,
)


def _events():
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "load"))


def test_first_load_adds_everything_with_tree(app, users):
    plan = load_catalogue(catalogue(bio_sample(), nis2_sample(), mappings=mappings_sample()),
                          users["admin"])
    db.session.commit()
    bio = next(f for f in plan.frameworks if f.urn == BIO)
    assert len(bio.added) == 6 and not bio.changed and not bio.retired
    measure = db.session.scalar(select(Control).where(Control.urn == f"{BIO}:9.3"))
    assert measure.parent.ref_id == "9" and measure.bbn_level == 2
    assert db.session.scalar(select(func.count()).select_from(ControlMapping)) == 2
    assert _events() == 3  # two frameworks, one mapping set


def test_same_file_twice_changes_nothing(app, users):
    data = catalogue(bio_sample(), nis2_sample(), mappings=mappings_sample())
    load_catalogue(data, users["admin"])
    db.session.commit()
    events = _events()
    plan = load_catalogue(data, users["admin"])
    db.session.commit()
    assert plan.changes == 0
    assert [f.unchanged for f in plan.frameworks] == [6, 3]
    assert plan.mapping_sets[0].unchanged == 2
    assert _events() == events


def test_newer_version_updates_adds_and_retires_keeping_implementations(app, users):
    load_catalogue(catalogue(bio_sample()), users["admin"])
    gms = scope_by_param(refdata(), "voorziening:GMS")
    retiring = db.session.scalar(select(Control).where(Control.urn == f"{BIO}:9.5"))
    set_implementation(retiring, gms, ImplementationData(status="volledig"), users["admin"])
    db.session.commit()

    newer = bio_sample(version="2", drop=(5,), retitle={1: "Toegang beperken"})
    newer = framework(BIO, "bio-test", [*newer.controls, node(f"{BIO}:9.6", "9.6",
                                                               parent=f"{BIO}:h9", order=6,
                                                               bbn=1)], version="2")
    plan = load_catalogue(catalogue(newer), users["admin"])
    db.session.commit()
    fp = plan.frameworks[0]
    assert [values["urn"] for values in fp.added] == [f"{BIO}:9.6"]
    assert [(values["urn"], changed) for _, values, changed in fp.changed] == [
        (f"{BIO}:9.1", ["title_nl"])]
    assert [label for _, label in fp.retired] == ["9.5"]
    db.session.refresh(retiring)
    assert retiring.retired_at is not None
    assert db.session.scalar(select(func.count()).select_from(Implementation)) == 1
    assert db.session.scalar(select(Framework.version)) == "2"
    assert db.session.scalar(select(Control.title_nl).where(Control.urn == f"{BIO}:9.1")) \
        == "Toegang beperken"
    # Loading the retired control again brings it back.
    plan = load_catalogue(catalogue(bio_sample(version="3")), users["admin"])
    assert any(values["urn"] == f"{BIO}:9.5" for _, values, _ in plan.frameworks[0].changed)


def test_mappings_are_replaced_per_set(app, users):
    load_catalogue(catalogue(bio_sample(), nis2_sample(), mappings=mappings_sample()),
                   users["admin"])
    db.session.commit()
    plan = load_catalogue(catalogue(mappings=(
        MappingData(f"{BIO}:9.1", "urn:test:nis2:21-2-a", "equal"),
        MappingData(f"{BIO}:9.4", "urn:test:nis2:21-2-c", "subset"))), users["admin"])
    db.session.commit()
    mp = plan.mapping_sets[0]
    assert (mp.added, mp.changed, mp.removed, mp.unchanged) == (1, 1, 1, 0)
    rows = db.session.execute(select(ControlMapping.relation)).scalars().all()
    assert sorted(rows) == ["equal", "subset"]


def test_unknown_parent_and_unknown_mapping_target_are_refused(app, users):
    bad = framework("urn:test:bad", "bad", [node("urn:test:bad:1", "1", parent="urn:test:nope")])
    with pytest.raises(LoadError) as error:
        load_catalogue(catalogue(bad, mappings=(
            MappingData("urn:test:bad:1", "urn:test:missing", "equal"),)), users["admin"])
    wheres = [w for w, _ in error.value.problems]
    assert "urn:test:bad:1" in wheres and any("koppeling" in str(w) for w in wheres)
    assert db.session.scalar(select(func.count()).select_from(Control)) == 0


def test_1500_controls_load_in_bulk(app, users, count_queries):
    controls = [node(f"urn:test:big:{i}", f"{i}", order=i, bbn=1 + i % 3) for i in range(1500)]
    with count_queries() as queries:
        load_catalogue(catalogue(framework("urn:test:big", "big", controls)), users["admin"])
    assert len(queries) < 20
    assert db.session.scalar(select(func.count()).select_from(Control)) == 1500

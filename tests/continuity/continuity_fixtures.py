"""Fixtures of the continuity tests (imported by its test modules: a conftest.py here would
shadow the top one's name)."""

from datetime import date

import pytest

from lms_risk.bia.config import load_bia_config
from lms_risk.bia.fields import BiaData, VersionData
from lms_risk.bia.services import create_bia, update_version
from lms_risk.continuity.fields import ExerciseData, PlanData, StepData
from lms_risk.continuity.services import create_plan, record_exercise
from lms_risk.extensions import db


@pytest.fixture
def make_plan(app, users):
    """``make_plan("Uitwijk GMS", meldkamer="RTD", fallback="DH", voorziening="GMS",
    target=30, bia=bia)``."""

    def make(title="Uitwijk GMS", *, meldkamer="RTD", voorziening=None, fallback=None,
             fallback_kind=None, target=None, bia=None, status="actief", steps=(), user=None):
        plan = create_plan(PlanData(
            title=title, meldkamer=meldkamer, voorziening=voorziening, status=status,
            fallback_meldkamer=fallback, fallback_kind=fallback_kind or (
                "uitwijk" if fallback else None),
            target_minutes=target,
            steps=[StepData(description=d, responsible="", target_minutes=m) for d, m in steps]),
            user or users["chair"])
        if bia is not None:
            plan.bia = bia
        db.session.commit()
        return plan

    return make


@pytest.fixture
def make_exercise(app, users):
    def make(plan, *, held_on=None, kind="tabletop", achieved=None, result="geslaagd",
             findings=(), user=None):
        exercise = record_exercise(plan, ExerciseData(
            held_on=held_on or date.today(), kind=kind, achieved_minutes=achieved,
            result=result, findings=list(findings)), user or users["chair"])
        db.session.commit()
        return exercise

    return make


@pytest.fixture
def make_rto_bia(app, users):
    """A BIA (for ``voorziening``) whose latest version has RTO ``rto``."""

    def make(subject="GMS", *, rto=60, voorziening=None, meldkamers=("RTD",)):
        bia = create_bia(BiaData(subject=subject, voorziening=voorziening,
                                 meldkamers=list(meldkamers)), users["chair"])
        update_version(bia.current, VersionData(rto_minutes=rto), {}, {}, users["chair"],
                       config=load_bia_config())
        db.session.commit()
        return bia

    return make

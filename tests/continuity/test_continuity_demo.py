"""The demo data: plans with fallback pairs, exercises over two years, one over its RTO and a
finding that became a risk; all through the services, shown on the overview."""

from datetime import date, timedelta

from sqlalchemy import select

from lms_risk.auth.models import User
from lms_risk.continuity.models import Exercise, Finding, Plan
from lms_risk.continuity.queries import overview
from lms_risk.extensions import db
from lms_risk.reference.data import refdata


def test_demo_data_loads_plans_exercises_and_a_finding_that_became_a_risk(app, runner, client,
                                                                          auth):
    users = db.session.scalars(select(User)).all()
    for user in users:
        db.session.delete(user)
    db.session.commit()
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    plans = db.session.scalars(select(Plan)).all()
    pairs = {(p.meldkamer.code, p.fallback_meldkamer.code) for p in plans
             if p.meldkamer and p.fallback_meldkamer}
    assert ("RTD", "DH") in pairs and ("DH", "RTD") in pairs and len(pairs) >= 6
    dates = [e.held_on for e in db.session.scalars(select(Exercise))]
    assert min(dates) < date.today() - timedelta(days=540) and max(dates) > date.today() - \
        timedelta(days=100)
    finding = db.session.scalar(select(Finding).where(Finding.link == "nieuw"))
    assert finding.risk is not None and finding.risk in finding.exercise.plan.risks
    o = overview(refdata(), date.today())
    assert o.over_rto[1] >= 1 and o.not_exercised[1] >= 1 and len(o.matrix) >= 6
    again = runner.invoke(args=["demo-continuity"])
    assert again.exit_code == 1 and "already" in again.output

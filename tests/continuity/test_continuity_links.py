"""What the continuity audit found missing, on SQLite and PostgreSQL: an approved plan keeps its
BIA; an exercise is not dated after today; an archived risk is not linked (plan page, risk page,
finding); a plan's links are in the risk's audit trail too; a coordinator who types another
meldkamer's plan on the risk page is told why; the risk page shows the exercise findings that
point at the risk. The Oefeningen and Plannen sheets: test_continuity_sheets."""

from datetime import date, timedelta

import pytest
from continuity_fixtures import make_exercise, make_plan, make_rto_bia  # noqa: F401
from sqlalchemy import func, select

from lms_risk.continuity.models import Exercise
from lms_risk.continuity.services import PlanError, approve_plan, new_plan_version, set_plan_bia
from lms_risk.extensions import db


# --- 1. an approved plan keeps its BIA ----------------------------------------------------------

def test_an_approved_plan_keeps_its_bia(client, auth, make_plan, make_rto_bia, users):
    first, second = make_rto_bia("GMS", rto=30), make_rto_bia("112", rto=60)
    plan = make_plan(bia=first)
    auth.login("rtd")
    assert "BIA opslaan" in client.get(f"/continuity/plans/{plan.code}").text
    approve_plan(plan, users["chair"])
    db.session.commit()
    page = client.get(f"/continuity/plans/{plan.code}").text
    assert "BIA opslaan" not in page and first.code in page
    refused = client.post(f"/continuity/plans/{plan.code}/bia", data={"bia": str(second.id)})
    assert refused.status_code == 409
    assert f"Versie {plan.version} van dit plan is vastgesteld en kan niet meer worden " \
           "gewijzigd; maak een nieuwe versie." in refused.text
    assert "BIA opslaan" not in refused.text
    db.session.expire_all()
    assert plan.bia_id == first.id
    with pytest.raises(PlanError) as error:
        set_plan_bia(plan, None, users["chair"])
    assert "vastgesteld" in error.value.errors["version"] and plan.bia_id == first.id
    set_plan_bia(plan, first, users["chair"])  # no change: nothing to refuse
    new_plan_version(plan, users["chair"])
    set_plan_bia(plan, second, users["chair"])
    assert plan.bia_id == second.id


# --- 2. an exercise is recorded after it was held -----------------------------------------------

def _date_field(page: str) -> str:
    """The form's Datum field with its messages."""
    start = page.index('for="held_on"')
    return page[start:page.index("</div>", start)]


def test_an_exercise_dated_after_today_is_refused(client, auth, make_plan, make_exercise):
    plan = make_plan()
    tomorrow = date.today() + timedelta(days=1)
    auth.login("rtd")
    response = client.post(f"/continuity/plans/{plan.code}/exercises/new", data={
        "held_on": tomorrow.isoformat(), "kind": "tabletop", "result": "geslaagd"})
    assert response.status_code == 422
    field = _date_field(response.text)
    assert "is-invalid" in field and (f"De datum {tomorrow:%d-%m-%Y} ligt na vandaag; leg een "
                                      "oefening vast nadat zij is gehouden.") in field
    assert db.session.scalar(select(func.count(Exercise.id))) == 0
    today = client.post(f"/continuity/plans/{plan.code}/exercises/new", data={
        "held_on": date.today().isoformat(), "kind": "tabletop", "result": "geslaagd"})
    assert today.status_code == 302
    exercise = db.session.scalar(select(Exercise))
    edited = client.post(f"/continuity/exercises/{exercise.code}/edit", data={
        "held_on": tomorrow.isoformat(), "kind": "tabletop", "revision": exercise.revision})
    assert edited.status_code == 422 and "ligt na vandaag" in _date_field(edited.text)
    db.session.expire_all()
    assert exercise.held_on == date.today()

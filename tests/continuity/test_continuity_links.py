"""What the continuity audit found missing, on SQLite and PostgreSQL: an approved plan keeps its
BIA; an exercise is not dated after today; an archived risk is not linked (plan page, risk page,
finding); a plan's links are in the risk's audit trail too; a coordinator who types another
meldkamer's plan on the risk page is told why; the risk page shows the exercise findings that
point at the risk. The Oefeningen and Plannen sheets: test_continuity_sheets."""

from datetime import date, timedelta

import pytest
from continuity_fixtures import make_exercise, make_plan, make_rto_bia  # noqa: F401
from sqlalchemy import func, select

from lms_risk.audit.models import AuditEvent
from lms_risk.continuity.models import Exercise
from lms_risk.continuity.services import (
    NewRisk,
    PlanError,
    approve_plan,
    finding_to_risk,
    link_finding,
    link_risk,
    new_plan_version,
    set_plan_bia,
)
from lms_risk.extensions import db
from lms_risk.risks.services import archive_risk


def _panel(page: str) -> str:
    """The risk page's continuity panel."""
    start = page.index('id="panel-continuity"')
    return page[start:page.index("</section>", start)]


def _risk_events(code: str) -> list:
    return db.session.execute(select(AuditEvent.action, AuditEvent.summary).where(
        AuditEvent.entity_type == "risk", AuditEvent.entity_id == code)
        .order_by(AuditEvent.id)).all()


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


# --- 3. an archived risk is not linked ----------------------------------------------------------

def test_an_archived_risk_is_linked_nowhere(client, auth, make_plan, make_exercise, make_risk,
                                            users):
    plan = make_plan()
    exercise = make_exercise(plan, findings=["Draaiboek verouderd"])
    risk = make_risk("Vervallen risico")
    archive_risk(risk, "Dubbel", users["admin"])
    db.session.commit()
    message = f"Risico {risk.code} is gearchiveerd en kan niet worden gekoppeld."
    auth.login("rtd")
    on_plan = client.post(f"/continuity/plans/{plan.code}/risks", data={"risk": risk.code})
    assert on_plan.status_code == 422
    field = on_plan.text[on_plan.text.index('for="risk"'):]
    assert message in field[:field.index("</div>")]  # at the form's field
    # its page is not theirs to see (it has left the register for them), nor is this link
    assert client.post(f"/continuity/risks/{risk.code}/plans",
                       data={"plan": plan.code}).status_code == 404
    on_finding = client.post(f"/continuity/findings/{exercise.findings[0].id}/link",
                             data={"risk": risk.code})
    assert on_finding.status_code == 302
    assert message in client.get(f"/continuity/exercises/{exercise.code}").text
    db.session.expire_all()
    assert plan.risks == [] and exercise.findings[0].risk_id is None
    auth.logout()
    auth.login("chair")  # who sees archived risks: refused on the risk page, which says why
    on_risk = client.post(f"/continuity/risks/{risk.code}/plans", data={"plan": plan.code})
    assert on_risk.status_code == 302
    page = client.get(f"/risks/{risk.code}").text
    assert message in page
    assert "Plan koppelen" not in _panel(page)  # an archived risk's page offers no link
    db.session.expire_all()
    assert plan.risks == []
    assert [a for a, _s in _risk_events(risk.code)] == ["create", "archive"]
    with pytest.raises(PlanError) as error:
        link_risk(plan, risk, users["chair"])
    assert error.value.errors == {"risk": message}


def test_a_plan_linked_before_the_risk_was_archived_can_be_unlinked(client, auth, make_plan,
                                                                    make_risk, users):
    plan = make_plan()
    risk = make_risk("Later gearchiveerd")
    link_risk(plan, risk, users["chair"])
    archive_risk(risk, "Dubbel", users["admin"])
    db.session.commit()
    auth.login("rtd")
    response = client.post(f"/continuity/plans/{plan.code}/risks/{risk.code}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert plan.risks == []


# --- 4. a plan's links are in the risk's audit trail --------------------------------------------

def test_linking_a_plan_is_in_both_trails(client, auth, make_plan, make_risk):
    plan = make_plan("Uitwijk 112")
    risk = make_risk("Uitval 112")
    auth.login("rtd")
    client.post(f"/continuity/plans/{plan.code}/risks", data={"risk": risk.code})
    client.post(f"/continuity/plans/{plan.code}/risks/{risk.code}/delete",
                data={"next": "risk"})
    client.post(f"/continuity/risks/{risk.code}/plans", data={"plan": plan.code})
    label = f"{plan.code} Uitwijk 112"
    assert _risk_events(risk.code)[1:] == [("link", label), ("unlink", label), ("link", label)]
    plan_events = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "continuity_plan", AuditEvent.entity_id == plan.code)
        .order_by(AuditEvent.id)).all()
    assert plan_events == ["create", "link", "unlink", "link"]
    auth.logout()
    auth.login("auditor")
    trail = client.get(f"/audit?entity_type=risk&entity_id={risk.code}").text
    assert label in trail


def test_a_finding_added_to_a_risk_is_in_its_trail(make_plan, make_exercise, make_risk, users):
    plan = make_plan("Uitwijk 112")
    exercise = make_exercise(plan, findings=["Draaiboek verouderd"])
    risk = make_risk("Verouderde draaiboeken")
    link_finding(exercise.findings[0], risk, users["chair"])
    db.session.commit()
    events = _risk_events(risk.code)
    assert [a for a, _s in events] == ["create", "finding", "link"]
    assert "Draaiboek verouderd" in events[1][1] and events[2][1] == f"{plan.code} Uitwijk 112"


# --- 5. another meldkamer's plan on the risk page -----------------------------------------------

def test_a_coordinator_typing_another_meldkamers_plan_is_told_why(client, auth, make_plan,
                                                                  make_risk):
    risk = make_risk("Uitval 112")
    other = make_plan("Overname Den Haag", meldkamer="DH")
    national = make_plan("Landelijk GMS", meldkamer=None, voorziening="GMS")
    auth.login("rtd")
    response = client.post(f"/continuity/risks/{risk.code}/plans",
                           data={"plan": other.code.lower()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/risks/{risk.code}#panel-continuity")
    page = client.get(f"/risks/{risk.code}").text
    assert (f"U mag plan {other.code} (Den Haag) niet koppelen: u kunt alleen plannen koppelen "
            "van een meldkamer waarvoor u continuïteitscoördinator bent.") in page
    client.post(f"/continuity/risks/{risk.code}/plans", data={"plan": national.code})
    assert f"U mag plan {national.code} (landelijk) niet koppelen" in \
        client.get(f"/risks/{risk.code}").text
    db.session.expire_all()
    assert other.risks == [] and national.risks == []
    auth.logout()
    auth.login("viewer")  # who has no link form at all: refused as before
    assert client.post(f"/continuity/risks/{risk.code}/plans",
                       data={"plan": other.code}).status_code == 403


# --- 6. the findings that point at a risk, on its page ------------------------------------------

def test_the_risk_page_shows_the_findings_that_point_at_it(client, auth, make_plan, make_exercise,
                                                           make_risk, users, count_queries):
    risk = make_risk("Verouderde draaiboeken")
    plan = make_plan("Uitwijk 112")
    exercise = make_exercise(plan, held_on=date.today() - timedelta(days=3),
                             findings=["Draaiboek verouderd", "Wachtwoorden ontbraken"])
    auth.login("viewer")
    client.get(f"/risks/{risk.code}")
    with count_queries() as none:
        assert "Bevindingen uit oefeningen" not in _panel(client.get(f"/risks/{risk.code}").text)
    link_finding(exercise.findings[0], risk, users["chair"])
    db.session.commit()
    with count_queries() as one:
        panel = _panel(client.get(f"/risks/{risk.code}").text)
    assert "Draaiboek verouderd" in panel and "Wachtwoorden ontbraken" not in panel
    assert "Actie op dit risico" in panel
    assert f'href="/continuity/exercises/{exercise.code}"' in panel
    assert f'href="/continuity/plans/{plan.code}"' in panel and "Uitwijk 112" in panel
    assert exercise.held_on.strftime("%d-%m-%Y") in panel

    made = finding_to_risk(exercise.findings[1], NewRisk(
        title="Wachtwoorden ontbreken", bruto_likelihood=3, netto_likelihood=3), users["chair"])
    db.session.commit()
    made_panel = _panel(client.get(f"/risks/{made.code}").text)
    assert "Wachtwoorden ontbraken" in made_panel and "Werd dit risico" in made_panel
    assert "Draaiboek verouderd" not in made_panel

    for i in range(4):  # more findings, exercises and plans: the same queries
        other = make_plan(f"Plan {i}")
        more = make_exercise(other, findings=[f"Bevinding {i}a", f"Bevinding {i}b"])
        for finding in more.findings:
            link_finding(finding, risk, users["chair"])
    db.session.commit()
    with count_queries() as many:
        panel = _panel(client.get(f"/risks/{risk.code}").text)
    assert all(f"Bevinding {i}{x}" in panel for i in range(4) for x in "ab")
    assert len(many) == len(one) == len(none), (len(none), len(one), len(many))


# --- 7. the plan panel's unlink button ----------------------------------------------------------

def test_the_plan_panels_unlink_button_is_capitalised(client, auth, make_plan, make_risk, users):
    plan = make_plan()
    risk = make_risk()
    link_risk(plan, risk, users["chair"])
    db.session.commit()
    auth.login("rtd")
    panel = _panel(client.get(f"/risks/{risk.code}").text)
    assert ">Ontkoppelen</button>" in panel and "ontkoppelen" not in panel
    page = client.get(f"/continuity/plans/{plan.code}").text
    assert ">Ontkoppelen</button>" in page and ">ontkoppelen<" not in page

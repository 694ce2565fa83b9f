"""The plan's and exercise's rules, the finding that becomes a risk, the links, on SQLite and
PostgreSQL."""

from datetime import date, timedelta

import pytest
from continuity_fixtures import make_exercise, make_plan, make_rto_bia  # noqa: F401
from sqlalchemy import select

from lms_risk.audit.models import AuditEvent
from lms_risk.continuity.fields import ExerciseData, PlanData
from lms_risk.continuity.services import (
    NewRisk,
    PlanError,
    approve_plan,
    finding_to_risk,
    link_finding,
    new_plan_version,
    update_exercise,
    update_plan,
)
from lms_risk.extensions import db
from lms_risk.risks.models import Risk


def test_an_approved_plan_is_frozen_until_a_new_version(make_plan, users):
    plan = make_plan("Uitwijk", steps=[("Besluit", 5)])
    approve_plan(plan, users["chair"])
    with pytest.raises(PlanError) as refused:
        update_plan(plan, PlanData(title="Anders", meldkamer="RTD", status="actief", steps=[]),
                    users["chair"])
    assert "vastgesteld" in str(refused.value)
    assert new_plan_version(plan, users["chair"]) == 2
    update_plan(plan, PlanData(title="Anders", meldkamer="RTD", status="actief", steps=[]),
                users["chair"])
    assert plan.title == "Anders" and plan.steps == []
    assert plan.approvals[0].version == 1 and plan.approvals[0].snapshot["title"] == "Uitwijk"
    assert plan.approvals[0].snapshot["step.1"] == "Besluit (5 min)"


def test_plan_rules_name_the_field(make_plan, users):
    plan = make_plan()
    for data, key in ((PlanData(title="x", status="actief"), "meldkamer"),
                      (PlanData(title="x", meldkamer="RTD", fallback_meldkamer="RTD",
                                status="actief"), "fallback_meldkamer"),
                      (PlanData(title="", meldkamer="RTD", status="actief"), "title")):
        with pytest.raises(PlanError) as refused:
            update_plan(plan, data, users["chair"])
        assert key in refused.value.errors


def test_an_exercise_over_the_rto_is_flagged(client, auth, make_plan, make_exercise,
                                              make_rto_bia):
    bia = make_rto_bia("GMS", rto=30, voorziening="GMS")
    plan = make_plan(voorziening="GMS", target=20, bia=bia)
    missed = make_exercise(plan, achieved=45)
    met = make_exercise(plan, achieved=15)
    auth.login("viewer")
    page = client.get(f"/continuity/exercises/{missed.code}").get_data(as_text=True)
    assert "RTO niet gehaald" in page and "45 min" in page and "30 min" in page
    assert "RTO niet gehaald" not in client.get(
        f"/continuity/exercises/{met.code}").get_data(as_text=True)
    plan_page = client.get(f"/continuity/plans/{plan.code}").get_data(as_text=True)
    assert "boven RTO (30 min)" in plan_page


def test_a_finding_becomes_a_risk_linked_back(client, auth, make_plan, make_exercise, users):
    plan = make_plan("Uitwijk GMS", voorziening="GMS", fallback="DH")
    exercise = make_exercise(plan, findings=["Wachtwoorden uitwijklocatie ontbraken"])
    finding = exercise.findings[0]
    auth.login("pol_rtd")
    form = client.get(f"/continuity/findings/{finding.id}/risk").get_data(as_text=True)
    assert "Wachtwoorden uitwijklocatie ontbraken" in form and exercise.code in form
    response = client.post(f"/continuity/findings/{finding.id}/risk", data={
        "title": "Wachtwoorden uitwijklocatie ontbreken", "description": "Uit de oefening",
        "bruto_likelihood": "3", "netto_likelihood": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    risk = db.session.scalar(select(Risk).where(Risk.title.like("Wachtwoorden%")))
    assert response.headers["Location"].endswith(f"/risks/{risk.code}")
    assert finding.risk_id == risk.id and finding.link == "nieuw"
    assert [m.code for m in risk.meldkamers] == ["RTD"]
    assert [v.code for v in risk.voorzieningen] == ["GMS"]
    assert plan.risks == [risk] and risk.status == "concept"
    risk_page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert plan.code in risk_page and exercise.held_on.strftime("%d-%m-%Y") in risk_page
    exercise_page = client.get(f"/continuity/exercises/{exercise.code}").get_data(as_text=True)
    assert "Werd risico" in exercise_page and risk.code in exercise_page
    again = client.get(f"/continuity/findings/{finding.id}/risk")
    assert again.status_code == 302  # once only
    with pytest.raises(PlanError):
        finding_to_risk(finding, NewRisk(title="x", bruto_likelihood=1, netto_likelihood=1),
                        users["chair"])


def test_a_finding_with_bad_scores_is_refused_by_the_risks_rules(client, auth, make_plan,
                                                                 make_exercise):
    exercise = make_exercise(make_plan(), findings=["Iets"])
    auth.login("chair")
    response = client.post(f"/continuity/findings/{exercise.findings[0].id}/risk", data={
        "title": "x", "bruto_likelihood": "2", "netto_likelihood": "4"})
    assert response.status_code == 422
    assert db.session.scalar(select(Risk.id)) is None


def test_a_finding_becomes_an_action_on_an_existing_risk(client, auth, make_plan, make_exercise,
                                                         make_risk):
    plan = make_plan()
    exercise = make_exercise(plan, findings=["Draaiboek verouderd"])
    risk = make_risk("Verouderde draaiboeken")
    auth.login("rtd")
    response = client.post(f"/continuity/findings/{exercise.findings[0].id}/link",
                           data={"risk": risk.code.lower()})
    assert response.status_code == 302
    db.session.expire_all()
    assert exercise.findings[0].risk_id == risk.id and exercise.findings[0].link == "bestaand"
    assert risk in plan.risks
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "risk",
                                                       AuditEvent.action == "finding"))
    assert event.entity_id == risk.code and "Draaiboek verouderd" in event.summary
    missing = client.post(f"/continuity/findings/{exercise.findings[0].id}/link",
                          data={"risk": "R-9999"})
    assert missing.status_code == 302


def test_a_linked_finding_cannot_be_changed_or_dropped(make_plan, make_exercise, make_risk, users):
    exercise = make_exercise(make_plan(), findings=["Eerste", "Tweede"])
    link_finding(exercise.findings[0], make_risk("R"), users["chair"])
    with pytest.raises(PlanError) as refused:
        update_exercise(exercise, ExerciseData(held_on=exercise.held_on, kind="tabletop",
                                               findings=["Tweede"]), users["chair"])
    assert "findings.1" in refused.value.errors
    update_exercise(exercise, ExerciseData(held_on=exercise.held_on, kind="tabletop",
                                           findings=["Eerste"]), users["chair"])
    assert [f.description for f in exercise.findings] == ["Eerste"]


def test_risk_page_links_and_unlinks_a_plan(client, auth, make_plan, make_exercise, make_risk):
    plan = make_plan("Uitwijk 112")
    make_exercise(plan, held_on=date.today() - timedelta(days=40), result="deels")
    risk = make_risk("Uitval 112")
    auth.login("rtd")
    assert client.post(f"/continuity/risks/{risk.code}/plans",
                       data={"plan": plan.code}).status_code == 302
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert "Uitwijk 112" in page and "Deels geslaagd" in page
    client.post(f"/continuity/plans/{plan.code}/risks/{risk.code}/delete", data={"next": "risk"})
    db.session.expire_all()
    assert plan.risks == []
    other = make_plan("Elders", meldkamer="DH")  # refused: see test_continuity_links
    assert client.post(f"/continuity/risks/{risk.code}/plans",
                       data={"plan": other.code}).status_code == 302
    db.session.expire_all()
    assert other.risks == []


def test_changes_are_in_the_audit_trail_with_labels(client, auth, make_plan, users):
    plan = make_plan("Uitwijk", steps=[("Besluit", 5)])
    update_plan(plan, PlanData(title="Uitwijk", meldkamer="RTD", status="actief",
                               fallback_meldkamer="DH", fallback_kind="overname",
                               steps=plan.steps and []), users["chair"])
    db.session.commit()
    auth.login("auditor")
    page = client.get(f"/audit?entity_type=continuity_plan&entity_id={plan.code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Uitwijkmeldkamer" in text and "Den Haag" in text

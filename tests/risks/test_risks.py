"""Creating and editing risks through the web: scores, history, audit and optimistic locking."""

from lms_risk.audit.models import AuditEvent
from lms_risk.extensions import db
from lms_risk.risks.models import Risk


def form_for(risk=None, **overrides):
    data = {
        "title": "Uitval C2000 in meldkamer Limburg", "description": "", "cause": "Stroomstoring",
        "consequence": "Geen spraakverbinding", "category": "ICT", "owner": "Manager beheer",
        "status": "open", "bruto_likelihood": "4", "netto_likelihood": "3", "target_level": "",
        "next_review": "", "reason": "", "meldkamers": ["LIM"], "voorzieningen": ["C2000"],
    }
    for code in ("AMB", "POL", "BRW", "KMAR", "LMS"):
        data.update({f"{code}-bruto_impact": "", f"{code}-netto_impact": "", f"{code}-rationale": ""})
    data.update({"AMB-applies": "y", "AMB-bruto_impact": "5", "AMB-netto_impact": "4",
                 "POL-applies": "y", "POL-bruto_impact": "3", "POL-netto_impact": "2"})
    if risk is not None:
        data["version"] = str(risk.version)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_risk_scores_per_discipline(client, auth):
    auth.login("chair")
    response = client.post("/risks/new", data=form_for())
    assert response.status_code == 302
    risk = db.session.scalar(db.select(Risk))
    assert risk.code == "R-0001"
    assert [m.code for m in risk.meldkamers] == ["LIM"]
    amb = next(i for i in risk.impacts if i.discipline.code == "AMB")
    pol = next(i for i in risk.impacts if i.discipline.code == "POL")
    assert (amb.netto_priority, amb.bruto_priority) == (12, 20)
    assert (pol.netto_priority, pol.bruto_priority) == (6, 12)
    # register-wide: the worst discipline
    assert (risk.netto_priority, risk.bruto_priority) == (12, 20)
    assert risk.netto_level.code == "hoog" and risk.bruto_level.code == "zeer_hoog"
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert "Uitval C2000 in meldkamer Limburg" in page and "Limburg" in page
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="create", entity_id="R-0001"))
    assert event.changes["title"] == [None, "Uitval C2000 in meldkamer Limburg"]


def test_member_scores_only_own_discipline(client, auth, make_risk, users):
    risk = make_risk(AMB=(4, 3), POL=(3, 2))
    auth.login("amb")
    # The page disables the other disciplines' fields; the browser then sends only AMB's.
    data = form_for(risk, **{"AMB-netto_impact": "2", "POL-applies": None, "POL-bruto_impact": None,
                             "POL-netto_impact": None, "POL-rationale": None, "BRW-rationale": None,
                             "KMAR-rationale": None, "LMS-rationale": None, "BRW-bruto_impact": None,
                             "BRW-netto_impact": None, "KMAR-bruto_impact": None, "KMAR-netto_impact": None,
                             "LMS-bruto_impact": None, "LMS-netto_impact": None, "AMB-bruto_impact": "4",
                             "reason": "kalibratie"})
    assert client.post(f"/risks/{risk.code}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert risk.impact_for(users["amb"].primary_discipline.id).netto_impact == 2
    pol = next(i for i in risk.impacts if i.discipline.code == "POL")
    assert (pol.applies, pol.netto_impact) == (True, 2)
    # A crafted request that changes POL's impact is refused and changes nothing.
    data = form_for(risk, **{"POL-netto_impact": "1", "AMB-netto_impact": "2", "AMB-bruto_impact": "4"})
    assert client.post(f"/risks/{risk.code}/edit", data=data).status_code == 403
    db.session.expire_all()
    assert pol.netto_impact == 2


def test_score_change_history_records_who_when_old_new_reason(client, auth, make_risk, users):
    risk = make_risk(likelihood=3, AMB=(5, 4), POL=(3, 2))
    auth.login("chair")
    data = form_for(risk, bruto_likelihood="3", netto_likelihood="2", reason="Noodstroom getest", **{
        "AMB-bruto_impact": "5", "AMB-netto_impact": "3", "POL-bruto_impact": "3", "POL-netto_impact": "2"})
    assert client.post(f"/risks/{risk.code}/edit", data=data).status_code == 302
    db.session.expire_all()
    changes = {(c.discipline.code if c.discipline else None, c.field): c for c in risk.score_changes}
    assert set(changes) == {(None, "netto_likelihood"), ("AMB", "netto_impact")}
    assert (changes[(None, "netto_likelihood")].old_value,
            changes[(None, "netto_likelihood")].new_value) == ("3", "2")
    assert changes[("AMB", "netto_impact")].reason == "Noodstroom getest"
    assert changes[("AMB", "netto_impact")].user_id == users["chair"].id
    page = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert "Scorehistorie" in page and "Noodstroom getest" in page
    # history shows for an auditor, not for a viewer
    auth.logout()
    auth.login("viewer")
    assert "Noodstroom getest" not in client.get(f"/risks/{risk.code}").get_data(as_text=True)
    auth.logout()
    auth.login("auditor")
    assert "Noodstroom getest" in client.get(f"/risks/{risk.code}").get_data(as_text=True)


def test_second_save_of_same_version_is_refused_and_shows_newer_values(client, auth, make_risk):
    risk = make_risk(title="Oude titel", AMB=(4, 3))
    opened_version = risk.version
    auth.login("chair")
    first = form_for(risk, title="Titel van de eerste", reason="r", **{"AMB-bruto_impact": "4", "AMB-netto_impact": "3",
                                                            "POL-applies": None, "POL-bruto_impact": "",
                                                            "POL-netto_impact": ""})
    assert client.post(f"/risks/{risk.code}/edit", data=first).status_code == 302
    second = form_for(risk, title="Titel van de tweede", reason="r", **{"AMB-bruto_impact": "4", "AMB-netto_impact": "3",
                                                             "POL-applies": None, "POL-bruto_impact": "",
                                                             "POL-netto_impact": ""})
    second["version"] = str(opened_version)
    response = client.post(f"/risks/{risk.code}/edit", data=second)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Iemand anders heeft dit risico opgeslagen" in page
    assert 'value="Titel van de eerste"' in page  # the form shows the newer values
    assert "Titel van de tweede" in page  # and what the user typed is not lost
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).title == "Titel van de eerste"


def test_invalid_scores_are_refused_with_field_messages(client, auth):
    auth.login("chair")
    response = client.post("/risks/new", data=form_for(netto_likelihood="5", bruto_likelihood="2"))
    assert response.status_code == 422
    assert "De netto score mag niet hoger zijn dan de bruto score." in response.get_data(as_text=True)
    response = client.post("/risks/new", data=form_for(**{"AMB-bruto_impact": ""}))
    assert response.status_code == 422
    assert "Kies een score uit de matrix." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Risk.id))) == 0


def test_delete_writes_audit_event_and_only_an_admin_may(client, auth, make_risk):
    risk = make_risk()
    for who in ("amb", "chair"):
        auth.login(who)
        assert client.post(f"/risks/{risk.code}/delete",
                           data={"delete-reason": "dubbel"}).status_code == 403
        auth.logout()
    auth.login("admin")
    assert client.post(f"/risks/{risk.code}/delete",
                       data={"delete-reason": "dubbel"}).status_code == 302
    assert db.session.scalar(db.select(Risk).filter_by(code=risk.code)) is None
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="delete"))
    assert event.entity_id == risk.code and event.changes["title"][0] == "Uitval GMS"


def test_one_save_raises_the_version_by_one(make_risk, users):
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import update_risk

    risk = make_risk("Uitval GMS", likelihood=3, AMB=(4, 3))
    assert risk.version == 1
    # After a commit every loaded object is expired, the user included; reading it again must not
    # flush the risk half-way through the save.
    db.session.expire(users["amb"])
    update_risk(risk, RiskData(title="Uitval GMS Rotterdam", bruto_likelihood=3, netto_likelihood=2,
                               status="open", impacts={"AMB": ImpactData(True, 4, 2)}),
                users["amb"], expected_version=1, reason="herbeoordeling")
    db.session.commit()
    assert risk.version == 2
    assert risk.updated_by_id == users["amb"].id

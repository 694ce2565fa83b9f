"""Every continuity route × every role and scope, enforced on the server; CSRF on every form.

Admin and chair edit every plan; a continuity coordinator edits the plans of their meldkamer
(RTD here), their exercises and findings, and none other; everyone signed in reads. Turning a
finding into a new risk also needs the right to create risks (pol_rtd: member and coordinator)."""

import pytest
from continuity_fixtures import make_exercise, make_plan  # noqa: F401  (fixtures)
from sqlalchemy import func, select

from conftest import TEST_USERS
from lms_risk.continuity.models import Plan
from lms_risk.continuity.services import approve_plan
from lms_risk.extensions import db

USERS = tuple(TEST_USERS)  # admin, chair, amb, pol, viewer, auditor, rtd, pol_rtd
CREATORS = ("admin", "chair", "rtd", "pol_rtd")
RTD_EDITORS = ("admin", "chair", "rtd", "pol_rtd")  # a plan of meldkamer RTD
DH_EDITORS = ("admin", "chair")  # a plan of meldkamer Den Haag
RTD_RISK_MAKERS = ("admin", "chair", "pol_rtd")
DH_RISK_MAKERS = ("admin", "chair")

# (method, url, allowed for a plan of RTD, allowed for a plan of DH[, form data])
ROUTES = [
    ("GET", "/continuity", USERS, USERS),
    ("GET", "/continuity/overview.xlsx", USERS, USERS),
    ("GET", "/continuity/takeover", USERS, USERS),
    ("GET", "/continuity/static/continuity.css", USERS, USERS),
    ("GET", "/continuity/plans", USERS, USERS),
    ("GET", "/continuity/plans/{code}", USERS, USERS),
    ("GET", "/continuity/exercises/{ex}", USERS, USERS),
    ("GET", "/continuity/plans/new", CREATORS, CREATORS),
    ("GET", "/continuity/plans/{code}/edit", RTD_EDITORS, DH_EDITORS),
    ("POST", "/continuity/plans/{code}/edit", RTD_EDITORS, DH_EDITORS,
     {"title": "Nieuw", "status": "actief"}),
    ("POST", "/continuity/plans/{code}/bia", RTD_EDITORS, DH_EDITORS, {"bia": ""}),
    ("POST", "/continuity/plans/{code}/risks", RTD_EDITORS, DH_EDITORS, {"risk": "{risk}"}),
    ("POST", "/continuity/risks/{risk}/plans", RTD_EDITORS, DH_EDITORS, {"plan": "{code}"}),
    ("POST", "/continuity/plans/{code}/risks/{risk}/delete", RTD_EDITORS, DH_EDITORS),
    ("GET", "/continuity/plans/{code}/exercises/new", RTD_EDITORS, DH_EDITORS),
    ("POST", "/continuity/plans/{code}/exercises/new", RTD_EDITORS, DH_EDITORS,
     {"held_on": "2026-11-01", "kind": "tabletop"}),
    ("GET", "/continuity/exercises/{ex}/edit", RTD_EDITORS, DH_EDITORS),
    ("POST", "/continuity/exercises/{ex}/edit", RTD_EDITORS, DH_EDITORS,
     {"held_on": "2026-11-02", "kind": "failover", "findings": "Bevinding"}),
    ("GET", "/continuity/findings/{finding}/risk", RTD_RISK_MAKERS, DH_RISK_MAKERS),
    ("POST", "/continuity/findings/{finding}/risk", RTD_RISK_MAKERS, DH_RISK_MAKERS,
     {"title": "Uit oefening", "bruto_likelihood": "3", "netto_likelihood": "2"}),
    ("POST", "/continuity/findings/{finding}/link", RTD_EDITORS, DH_EDITORS, {"risk": "{risk}"}),
    ("POST", "/continuity/plans/{code}/approve", RTD_EDITORS, DH_EDITORS),
    ("POST", "/continuity/plans/{code}/versions/new", RTD_EDITORS, DH_EDITORS),
]


def _objects(make_plan, make_exercise, make_risk, meldkamer):
    plan = make_plan(f"Uitwijk {meldkamer}", meldkamer=meldkamer, fallback="NN")
    exercise = make_exercise(plan, findings=["Bevinding"])
    risk = make_risk(f"Risico {meldkamer}")
    return {"code": plan.code, "ex": exercise.code, "finding": exercise.findings[0].id,
            "risk": risk.code}


@pytest.mark.parametrize("who", USERS)
def test_continuity_route_permissions(client, auth, make_plan, make_exercise, make_risk, users,
                                      who):
    auth.login(who)
    for method, url, rtd_allowed, dh_allowed, *data in ROUTES:
        for meldkamer, allowed in (("RTD", rtd_allowed), ("DH", dh_allowed)):
            names = _objects(make_plan, make_exercise, make_risk, meldkamer)
            if url.endswith("/versions/new"):  # only an approved plan gets a new version
                plan = db.session.scalar(select(Plan).where(Plan.code == names["code"]))
                approve_plan(plan, users["chair"])
                db.session.commit()
            form = {k: v.format(**names) for k, v in (data[0] if data else {}).items()}
            if url.endswith("/edit") and "title" in form:
                form["meldkamer"] = meldkamer
            response = client.open(url.format(**names), method=method, data=form)
            response.close()  # a static file's response holds the file open
            if who in allowed:
                assert response.status_code in (200, 302), (who, method, url, meldkamer,
                                                            response.status_code)
            elif url == "/continuity/risks/{risk}/plans" and who in CREATORS:
                # a coordinator who typed another meldkamer's plan: refused with a message on
                # the risk page (test_continuity_links), not a bare 403 page
                assert response.status_code == 302, (who, url, meldkamer, response.status_code)
                plan = db.session.scalar(select(Plan).where(Plan.code == names["code"]))
                assert plan.risks == [], (who, url, meldkamer)
            else:
                assert response.status_code == 403, (who, method, url, meldkamer,
                                                     response.status_code)


@pytest.mark.parametrize("who", USERS)
def test_creating_a_plan(client, auth, who):
    auth.login(who)
    response = client.post("/continuity/plans/new", data={
        "title": "Uitwijk 112", "meldkamer": "RTD", "status": "concept",
        "s-1-description": "Besluit", "s-1-target_minutes": "5"})
    if who in CREATORS:
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        plan = db.session.scalar(select(Plan))
        assert plan.meldkamer.code == "RTD" and [s.description for s in plan.steps] == ["Besluit"]
    else:
        assert response.status_code == 403
        assert db.session.scalar(select(func.count(Plan.id))) == 0


def test_a_coordinator_creates_and_keeps_only_plans_of_their_meldkamer(client, auth, make_plan):
    auth.login("rtd")
    other = client.post("/continuity/plans/new", data={"title": "Uitwijk", "meldkamer": "DH",
                                                       "status": "concept"})
    assert other.status_code == 422
    assert "waarvoor u continuïteitscoördinator bent" in other.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Plan.id))) == 0
    plan = make_plan(meldkamer="RTD")
    moved = client.post(f"/continuity/plans/{plan.code}/edit",
                        data={"title": "Uitwijk", "meldkamer": "DH", "status": "actief"})
    assert moved.status_code == 422
    db.session.expire_all()
    assert plan.meldkamer.code == "RTD"


def test_signed_out_visitors_are_sent_to_sign_in(client, make_plan):
    plan = make_plan()
    for url in ("/continuity", f"/continuity/plans/{plan.code}", "/continuity/plans"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/continuity/plans/{plan.code}/approve").status_code == 302
    db.session.expire_all()
    assert plan.approved_at is None


def test_every_continuity_route_is_in_the_table(app):
    adapter = app.url_map.bind("localhost.test")
    names = {"code": "CP-001", "ex": "OEF-0001", "finding": 1, "risk": "R-0001"}
    covered = {(adapter.match(url.format(**names), method=method)[0], method)
               for method, url, *_ in ROUTES} | {("continuity.new_plan", "POST")}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("continuity."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (rule.endpoint, method) in covered, (rule.endpoint, method)


def test_every_continuity_form_needs_its_csrf_token(app, client, auth, make_plan, make_exercise,
                                                    make_risk):
    names = _objects(make_plan, make_exercise, make_risk, "RTD")
    auth.login("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for method, url, *_rest in ROUTES:
            if method == "POST":
                response = client.post(url.format(**names), data={
                    "title": "x", "status": "actief", "meldkamer": "RTD", "risk": names["risk"],
                    "plan": names["code"], "held_on": "2026-11-01", "kind": "tabletop",
                    "bruto_likelihood": "3", "netto_likelihood": "3"})
                assert response.status_code == 400, url
        assert client.post("/continuity/plans/new", data={"title": "x"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    plan = db.session.scalar(select(Plan))
    assert plan.approved_at is None and plan.risks == [] and len(plan.exercises) == 1

"""Every BIA route × every role and scope, enforced on the server; CSRF on every form.

Admin and chair edit every BIA; a continuity coordinator edits a BIA only when their scope (RTD
here) covers every meldkamer it names, and adds or removes none outside it; everyone signed in
reads."""

import pytest

from bia_fixtures import config, make_bia, set_grid  # noqa: F401  (fixtures)
from sqlalchemy import func, select

from conftest import TEST_USERS
from lms_risk.bia.models import Bia
from lms_risk.bia.services import DependencyInput, add_dependency
from lms_risk.extensions import db

USERS = tuple(TEST_USERS)  # admin, chair, amb, pol, viewer, auditor, rtd, pol_rtd
CREATORS = ("admin", "chair", "rtd", "pol_rtd")
RTD_EDITORS = ("admin", "chair", "rtd", "pol_rtd")  # a BIA of meldkamer RTD
DH_EDITORS = ("admin", "chair")  # a BIA of meldkamer Den Haag
RISK_EDITORS = ("admin", "chair", "amb", "pol", "pol_rtd")  # members edit risks
ADMINS = ("admin",)
RTD_LINKERS = tuple(sorted(set(RTD_EDITORS) | set(RISK_EDITORS)))
DH_LINKERS = tuple(sorted(set(DH_EDITORS) | set(RISK_EDITORS)))

# (method, url, allowed for a BIA of RTD, allowed for a BIA of DH[, form data])
ROUTES = [
    ("GET", "/bia", USERS, USERS),
    ("GET", "/bia/static/bia.css", USERS, USERS),
    ("GET", "/bia/{code}", USERS, USERS),
    ("GET", "/bia/{code}/compare", USERS, USERS),
    ("GET", "/bia/new", CREATORS, CREATORS),
    ("GET", "/bia/{code}/edit", RTD_EDITORS, DH_EDITORS),
    ("POST", "/bia/{code}/edit", RTD_EDITORS, DH_EDITORS, {"subject": "Nieuw"}),
    ("GET", "/bia/{code}/versions/1/edit", RTD_EDITORS, DH_EDITORS),
    ("POST", "/bia/{code}/versions/1/edit", RTD_EDITORS, DH_EDITORS, {"rto_minutes": "5"}),
    ("POST", "/bia/{code}/versions/new", RTD_EDITORS, DH_EDITORS),
    ("POST", "/bia/{code}/versions/1/approve", RTD_EDITORS, DH_EDITORS),
    ("POST", "/bia/{code}/dependencies", RTD_EDITORS, DH_EDITORS,
     {"kind": "person", "name": "Beheerder"}),
    ("POST", "/bia/{code}/dependencies/{dep}/delete", RTD_EDITORS, DH_EDITORS),
    ("POST", "/bia/{code}/classification", RTD_EDITORS, DH_EDITORS,
     {"b": "2", "i": "2", "v": "1"}),
    ("POST", "/bia/{code}/risks", RTD_LINKERS, DH_LINKERS, {"risk": "{risk}"}),
    ("POST", "/bia/{code}/risks/{risk}/delete", RTD_LINKERS, DH_LINKERS),
    ("POST", "/bia/for-risk/{risk}", RTD_LINKERS, DH_LINKERS, {"bia": "{code}"}),
    ("POST", "/bia/for-risk/{risk}/{code}/delete", RTD_LINKERS, DH_LINKERS),
    ("GET", "/bia/admin", ADMINS, ADMINS),
    ("POST", "/bia/admin/windows", ADMINS, ADMINS,
     {"code": "w{minutes}", "name_nl": "Periode", "minutes": "{minutes}", "active": "y"}),
    ("POST", "/bia/admin/windows/1", ADMINS, ADMINS,
     {"code": "15m", "name_nl": "15 minuten", "minutes": "15", "active": "y"}),
    ("POST", "/bia/admin/categories", ADMINS, ADMINS,
     {"code": "c{minutes}", "name_nl": "Categorie", "sort_order": "90", "active": "y"}),
    ("POST", "/bia/admin/categories/1", ADMINS, ADMINS,
     {"code": "LEVEN", "name_nl": "Mensenlevens en gezondheid", "sort_order": "1",
      "active": "y"}),
    ("POST", "/bia/admin/threshold", ADMINS, ADMINS, {"threshold": "4"}),
    ("POST", "/bia/admin/bbn", ADMINS, ADMINS, {}),
]


def _bia(make_bia, users, meldkamer):
    bia = make_bia(f"GMS {meldkamer}", meldkamers=[meldkamer])
    dep = add_dependency(bia, DependencyInput(kind="supplier", name="Leverancier"),
                         users["chair"])
    db.session.commit()
    return bia, dep


@pytest.mark.parametrize("who", USERS)
def test_bia_route_permissions(client, auth, make_bia, make_risk, users, who):
    auth.login(who)
    risk = make_risk("Uitval GMS")
    for method, url, rtd_allowed, dh_allowed, *data in ROUTES:
        for meldkamer, allowed in (("RTD", rtd_allowed), ("DH", dh_allowed)):
            bia, dep = _bia(make_bia, users, meldkamer)
            names = {"code": bia.code, "dep": dep.id, "risk": risk.code,
                     "minutes": 100 + bia.id}  # a new window's minutes are unique
            form = {k: v.format(**names) if isinstance(v, str) else v
                    for k, v in (data[0] if data else {}).items()}
            if url.endswith("/edit") and "subject" in form:
                form["meldkamers"] = [meldkamer]
            response = client.open(url.format(**names), method=method, data=form)
            response.close()  # a static file's response holds the file open until closed
            if who in allowed:
                assert response.status_code in (200, 302), (who, method, url, meldkamer,
                                                            response.status_code)
            else:
                assert response.status_code == 403, (who, method, url, meldkamer,
                                                     response.status_code)


@pytest.mark.parametrize("who", USERS)
def test_creating_a_bia(client, auth, who):
    auth.login(who)
    before = db.session.scalar(select(func.count(Bia.id)))
    response = client.post("/bia/new", data={"subject": "Huisvesting", "meldkamers": ["RTD"]})
    if who in CREATORS:
        assert response.status_code == 302
        assert db.session.scalar(select(func.count(Bia.id))) == before + 1
    else:
        assert response.status_code == 403


def test_a_coordinator_creates_and_keeps_only_bias_of_their_meldkamer(client, auth, make_bia):
    auth.login("rtd")
    other = client.post("/bia/new", data={"subject": "Huisvesting", "meldkamers": ["DH"]})
    assert other.status_code == 422
    assert "waarvoor u continuïteitscoördinator bent" in other.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Bia.id))) == 0
    bia = make_bia("GMS", meldkamers=["RTD"])
    moved = client.post(f"/bia/{bia.code}/edit", data={"subject": "GMS", "meldkamers": ["DH"]})
    assert moved.status_code == 422
    db.session.expire_all()
    assert [m.code for m in bia.meldkamers] == ["RTD"]


def test_signed_out_visitors_are_sent_to_sign_in(client, make_bia):
    bia = make_bia()
    for url in ("/bia", f"/bia/{bia.code}", f"/bia/{bia.code}/compare"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/bia/{bia.code}/versions/new").status_code == 302
    assert len(bia.versions) == 1


def test_every_bia_route_is_in_the_table(app):
    adapter = app.url_map.bind("localhost.test")
    covered = {(adapter.match(url.format(code="BIA-001", dep=1, risk="R-0001", minutes=1),
                              method=method)[0], method)
               for method, url, *_ in ROUTES} | {("bia.new", "POST")}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("bia."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (rule.endpoint, method) in covered, (rule.endpoint, method)


def test_every_bia_form_needs_its_csrf_token(app, client, auth, make_bia, make_risk, users):
    bia, dep = _bia(make_bia, users, "RTD")
    risk = make_risk()
    auth.login("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for method, url, *_, in ROUTES:
            if method == "POST":
                response = client.post(url.format(code=bia.code, dep=dep.id, risk=risk.code),
                                       data={"subject": "x", "b": "1", "i": "1", "v": "1",
                                             "kind": "person", "name": "x",
                                             "risk": risk.code, "bia": bia.code})
                assert response.status_code == 400, url
        assert client.post("/bia/new", data={"subject": "x"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert len(bia.versions) == 1 and bia.versions[0].approved_at is None and bia.bbn is None
    assert bia.risks == []


ALL_MELDKAMERS = ["NN", "ON", "MN", "NH", "AMS", "DH", "RTD", "ZWB", "OB", "LIM"]


def test_one_meldkamer_does_not_let_a_coordinator_change_a_national_bia(client, auth, make_bia,
                                                                      make_risk, users):
    """An RTD coordinator may neither approve a BIA of all ten meldkamers nor cut it down to
    RTD; nor change or link anything else of it. The chair may."""
    national = make_bia("Landelijke meldkamerdienst", meldkamers=ALL_MELDKAMERS,
                        grid={"LEVEN": [1, 2, 4, 5, 5, 5]})
    shared = make_bia("Meldkamer Zuid-Holland", meldkamers=["RTD", "DH"])
    risk = make_risk("Uitval GMS")
    auth.login("rtd")
    for bia in (national, shared):
        code = bia.code
        assert client.post(f"/bia/{code}/versions/1/approve").status_code == 403
        assert client.post(f"/bia/{code}/edit", data={"subject": bia.subject,
                                                      "meldkamers": ["RTD"]}).status_code == 403
        assert client.get(f"/bia/{code}/edit").status_code == 403
        assert client.post(f"/bia/{code}/versions/1/edit",
                           data={"rto_minutes": "5"}).status_code == 403
        assert client.post(f"/bia/{code}/risks", data={"risk": risk.code}).status_code == 403
        page = client.get(f"/bia/{code}").get_data(as_text=True)
        assert "Vaststellen" not in page and "Gegevens bewerken" not in page
    db.session.expire_all()
    assert national.current.approved_at is None
    assert sorted(m.code for m in national.meldkamers) == sorted(ALL_MELDKAMERS)
    assert sorted(m.code for m in shared.meldkamers) == ["DH", "RTD"]
    assert national.risks == []
    auth.logout()
    auth.login("chair")
    assert client.post(f"/bia/{national.code}/versions/1/approve").status_code == 302
    db.session.expire_all()
    assert national.current.approved_at is not None


def test_a_coordinator_adds_or_removes_only_meldkamers_of_their_scope(client, auth, make_bia,
                                                                      users):
    from lms_risk.auth.services import add_assignment
    bia = make_bia("GMS", meldkamers=["RTD"])
    auth.login("rtd")
    added = client.post(f"/bia/{bia.code}/edit", data={"subject": "GMS",
                                                       "meldkamers": ["RTD", "DH"]})
    assert added.status_code == 422
    assert "niet: Den Haag" in added.get_data(as_text=True)
    created = client.post("/bia/new", data={"subject": "Huisvesting",
                                            "meldkamers": ["RTD", "DH"]})
    assert created.status_code == 422 and "niet: Den Haag" in created.get_data(as_text=True)
    db.session.expire_all()
    assert [m.code for m in bia.meldkamers] == ["RTD"]
    assert db.session.scalar(select(func.count(Bia.id))) == 1
    # coordinator of RTD and DH: a BIA of both is theirs, and they may take DH off it
    add_assignment(users["rtd"], "continuity", meldkamer_code="DH")
    db.session.commit()
    shared = make_bia("Meldkamer Zuid-Holland", meldkamers=["RTD", "DH"])
    assert client.post(f"/bia/{shared.code}/versions/1/approve").status_code == 302
    cut = client.post(f"/bia/{shared.code}/edit", data={"subject": shared.subject,
                                                        "meldkamers": ["RTD"]})
    assert cut.status_code == 302
    db.session.expire_all()
    assert [m.code for m in shared.meldkamers] == ["RTD"]


def test_a_bia_naming_no_meldkamer_is_national(client, auth, make_bia):
    """A BIA without meldkamers is shown as national (all): no scoped coordinator edits it."""
    bia = make_bia("Landelijk netwerk")
    auth.login("rtd")
    assert client.post(f"/bia/{bia.code}/versions/1/approve").status_code == 403
    assert client.post("/bia/new", data={"subject": "Huisvesting"}).status_code == 422


def test_a_coordinator_links_risks_only_to_bias_they_may_edit(client, auth, make_bia, make_risk,
                                                               users):
    """Linking is a change to the BIA: an RTD coordinator links risks to a BIA of RTD only, not to
    a national one; a risk editor (board member) links any BIA, as before."""
    from lms_risk.bia.services import link_risk
    own = make_bia("GMS Rotterdam", meldkamers=["RTD"])
    national = make_bia("Landelijke meldkamerdienst", meldkamers=ALL_MELDKAMERS)
    risk = make_risk("Uitval GMS")
    link_risk(national, risk, users["chair"])
    db.session.commit()
    auth.login("rtd")
    panel = client.get(f"/risks/{risk.code}").get_data(as_text=True)
    assert f"Koppeling met {national.code} verwijderen" not in panel
    assert f'<option value="{own.code}"' in panel
    assert client.post(f"/bia/for-risk/{risk.code}/{national.code}/delete").status_code == 403
    assert client.post(f"/bia/for-risk/{risk.code}", data={"bia": own.code}).status_code == 302
    auth.logout()
    auth.login("amb")
    assert client.post(f"/bia/for-risk/{risk.code}/{national.code}/delete").status_code == 302
    db.session.expire_all()
    assert [b.code for b in risk.bias] == [own.code]

"""Every controls route × every role and scope, enforced on the server; CSRF on every form.

Admin and chair edit every scope; a continuity coordinator edits the implementations of their
meldkamer's scope (RTD here) and no voorziening's; members link risks; only admins load
catalogues; everyone signed in reads."""

import pytest
from controls_fixtures import loaded  # noqa: F401  (fixture)

from conftest import TEST_USERS
from lms_risk.extensions import db

USERS = tuple(TEST_USERS)  # admin, chair, amb, pol, viewer, auditor, rtd, pol_rtd
ALL_SCOPES = ("admin", "chair")
RTD = ("admin", "chair", "rtd", "pol_rtd")
LINKERS = ("admin", "chair", "amb", "pol", "pol_rtd")
ADMIN = ("admin",)

# (method, url, who may, form data)
ROUTES = [
    ("GET", "/controls", USERS, None),
    ("GET", "/controls?scope=meldkamer:RTD", USERS, None),
    ("GET", "/controls/{c}", USERS, None),
    ("GET", "/controls/gaps", USERS, None),
    ("GET", "/controls/nis2", USERS, None),
    ("GET", "/controls/static/controls.js", USERS, None),
    ("GET", "/controls/{c}/scope/meldkamer:RTD", RTD, None),
    ("POST", "/controls/{c}/scope/meldkamer:RTD", RTD, {"status": "deels", "applicable": "y"}),
    ("GET", "/controls/{c}/scope/meldkamer:DH", ALL_SCOPES, None),
    ("POST", "/controls/{c}/scope/voorziening:GMS", ALL_SCOPES,
     {"status": "deels", "applicable": "y"}),
    ("POST", "/controls/bulk", RTD, {"scope": "meldkamer:RTD", "status": "volledig",
                                     "control": "{c}"}),
    ("POST", "/controls/bulk", ALL_SCOPES, {"scope": "voorziening:GMS", "status": "volledig",
                                            "control": "{c}"}),
    ("POST", "/controls/{c}/risks", LINKERS, {"risk": "{risk}", "kind": "planned"}),
    ("POST", "/controls/{c}/risks/{risk}/remove", LINKERS, {}),
    ("POST", "/controls/gaps/level", ALL_SCOPES, {"scope": "voorziening:GMS", "bbn_level": "2"}),
    ("GET", "/controls/import", ADMIN, None),
    ("POST", "/controls/import", ADMIN, {}),
    ("POST", "/controls/import/confirm", ADMIN, {"token": "x" * 32}),
]


def _fill(value, control, risk):
    return value.format(c=control.id, risk=risk.code) if isinstance(value, str) else value


@pytest.mark.parametrize("who", USERS)
def test_controls_route_permissions(client, auth, loaded, make_risk, who):
    risk = make_risk("Uitval GMS")
    control = loaded["9.1"]
    auth.login(who)
    for method, url, allowed, data in ROUTES:
        form = {k: _fill(v, control, risk) for k, v in (data or {}).items()}
        response = client.open(_fill(url, control, risk), method=method, data=form)
        response.close()  # a static file's response holds the file open until closed
        if who in allowed:
            assert response.status_code in (200, 302, 422), (who, method, url,
                                                              response.status_code)
        else:
            assert response.status_code == 403, (who, method, url, response.status_code)


def test_signed_out_visitors_are_sent_to_sign_in(client, loaded):
    for url in ("/controls", f"/controls/{loaded['9.1'].id}", "/controls/gaps", "/controls/nis2"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_controls_route_is_in_the_table(app):
    adapter = app.url_map.bind("localhost.test")
    covered = {(adapter.match(url.split("?")[0].format(c=1, risk="R-0001"), method=method)[0],
                method) for method, url, *_ in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("controls."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (rule.endpoint, method) in covered, (rule.endpoint, method)


def test_every_controls_form_needs_its_csrf_token(app, client, auth, loaded, make_risk):
    risk = make_risk("Uitval GMS")
    auth.login("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for method, url, _, data in ROUTES:
            if method == "POST":
                form = {k: _fill(v, loaded["9.1"], risk) for k, v in (data or {}).items()}
                response = client.post(_fill(url, loaded["9.1"], risk), data=form)
                assert response.status_code == 400, url
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    from lms_risk.controls.models import Implementation, RiskControl
    assert db.session.query(Implementation).count() == 0
    assert db.session.query(RiskControl).count() == 0

"""Every role, in every scope, against every route: enforced on the server.

The users (tests/conftest.py ``TEST_USERS``) cover each role and scope: admin, chair, auditor and
viewer for the whole register; members of two disciplines (AMB, POL); a continuity coordinator of
meldkamer RTD; and one person who is both the POL member and the RTD continuity coordinator.
"""

import pytest
from test_risks import form_for

from conftest import TEST_USERS

USERS = tuple(TEST_USERS)  # admin, chair, amb, pol, viewer, auditor, rtd, pol_rtd
EDITORS = ("admin", "chair", "amb", "pol", "pol_rtd")
SCORE_AMB = ("admin", "chair", "amb")
SCORE_POL = ("admin", "chair", "pol", "pol_rtd")


def _only(code):
    """Form data of a risk scored for one discipline only: ``code``."""
    def data(risk):
        blank = {f"{c}-{f}": None if f == "applies" else "" for c in ("AMB", "POL")
                 for f in ("applies", "bruto_impact", "netto_impact")}
        blank.update({f"{code}-applies": "y", f"{code}-bruto_impact": "4",
                      f"{code}-netto_impact": "3"})
        return form_for(risk, **blank)
    return data


# (method, url, users allowed[, form data for the risk]); {code} is a risk's code
ROUTES = [
    ("GET", "/risks", USERS),
    ("GET", "/heatmap", USERS),
    ("GET", "/risks/{code}", USERS),
    ("GET", "/risks/export.xlsx", USERS),
    ("GET", "/account/password", USERS),
    ("POST", "/account/password", USERS),
    ("GET", "/account", USERS),
    ("POST", "/account/sessions/end", USERS),
    ("GET", "/risks/new", EDITORS),
    ("POST", "/risks/new", SCORE_AMB, _only("AMB")),
    ("POST", "/risks/new", SCORE_POL, _only("POL")),
    ("GET", "/risks/{code}/edit", EDITORS),
    ("POST", "/risks/{code}/edit", SCORE_AMB, _only("AMB")),
    ("POST", "/risks/{code}/edit", SCORE_POL, _only("POL")),
    ("POST", "/risks/{code}/delete", ("admin", "chair")),
    ("GET", "/risks/import", EDITORS),
    ("POST", "/risks/import", EDITORS),
    ("POST", "/risks/import/confirm", EDITORS),
    ("GET", "/risks/import/template.xlsx", EDITORS),
    ("GET", "/audit", ("admin", "auditor", "chair")),
    ("GET", "/admin/", ("admin",)),
    ("GET", "/admin/matrix", ("admin",)),
    ("POST", "/admin/matrix/grid", ("admin",)),
    ("POST", "/admin/matrix/levels", ("admin",)),
    ("POST", "/admin/matrix/scale/impact", ("admin",)),
    ("GET", "/admin/matrix/impact/AMB", ("admin",)),
    ("POST", "/admin/matrix/impact/AMB", ("admin",)),
    ("GET", "/admin/reference/meldkamers", ("admin",)),
    ("POST", "/admin/reference/voorzieningen", ("admin",)),
    ("GET", "/admin/reference/meldkamers/7", ("admin",)),
    ("POST", "/admin/reference/meldkamers/7", ("admin",)),
    ("GET", "/admin/users", ("admin", "auditor")),
    ("GET", "/admin/users/7", ("admin", "auditor")),
    ("GET", "/admin/users/new", ("admin",)),
    ("POST", "/admin/users/new", ("admin",)),
    ("POST", "/admin/users/7/assignments", ("admin",)),
    ("POST", "/admin/users/8/assignments/9/remove", ("admin",)),
    ("POST", "/admin/users/7/sign-out", ("admin",)),
    ("POST", "/admin/users/7/reset-password", ("admin",)),
    ("POST", "/admin/users/7/deactivate", ("admin",)),
    ("POST", "/admin/users/7/activate", ("admin",)),
    ("POST", "/admin/users/7/reset-second-factor", ("admin",)),
    ("GET", "/account/second-factor", USERS),
    ("POST", "/account/second-factor", USERS),
]
# Reachable without a role: signing in and out, the language, health, static files (and the
# levels' colours).
OPEN = {"static", "bootstrap.static", "healthz", "index", "set_language", "auth.login",
        "auth.logout", "auth.second_factor_check", "favicon", "levels.stylesheet"}
# Blueprints whose own tests try every route of theirs with every role and scope.
OWN_TABLES = {"bia", "controls"}  # tests/bia/test_bia_permissions.py, tests/controls/…


@pytest.mark.parametrize("who", USERS)
def test_route_permissions(client, auth, make_risk, who):
    auth.login(who)
    for method, url, allowed, *data in ROUTES:
        risk = make_risk()
        form = data[0](risk) if data else None
        response = client.open(url.format(code=risk.code), method=method, data=form)
        if who in allowed:
            assert response.status_code in (200, 302, 400, 422), (who, method, url)
        else:
            assert response.status_code == 403, (who, method, url, response.status_code)


def test_every_route_is_in_the_table(app):
    adapter = app.url_map.bind("localhost.test")
    covered = {(adapter.match(url.format(code="R-0001"), method=method)[0], method)
               for method, url, *_ in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN or rule.endpoint.partition(".")[0] in OWN_TABLES:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (rule.endpoint, method) in covered, (rule.endpoint, method)


def test_viewer_cannot_post_risks(client, auth):
    auth.login("viewer")
    assert client.post("/risks/new", data={"title": "x"}).status_code == 403


def test_member_cannot_create_a_risk_scored_for_another_discipline(client, auth):
    auth.login("amb")
    assert client.post("/risks/new", data=form_for()).status_code == 403  # form_for scores POL too
    data = form_for(**{"POL-applies": None, "POL-bruto_impact": "", "POL-netto_impact": ""})
    assert client.post("/risks/new", data=data).status_code == 302

"""Every role, in every scope, against every route: enforced on the server.

The users (tests/conftest.py ``TEST_USERS``) cover each role and scope: admin, chair, auditor and
viewer for the whole register; members of two disciplines (AMB, POL); a continuity coordinator of
meldkamer RTD; and one person who is both the POL member and the RTD continuity coordinator.
"""

from pathlib import Path

import pytest
from test_risks import form_for

from conftest import TEST_USERS
from lms_risk.extensions import db

USERS = tuple(TEST_USERS)  # admin, chair, amb, pol, viewer, auditor, rtd, pol_rtd
EDITORS = ("admin", "chair", "amb", "pol", "pol_rtd")
# Who may upload a workbook: whoever may import one of its sheets (a continuity coordinator: the
# BIA, Plannen and Oefeningen sheets).
IMPORTERS = EDITORS + ("rtd",)
SCORE_AMB = ("admin", "chair", "amb")
SCORE_POL = ("admin", "chair", "pol", "pol_rtd")
ARCHIVE_READERS = ("admin", "chair", "auditor")  # see archived risks; everyone else gets 404


def _only(code):
    """Form data of a risk scored for one discipline only: ``code``."""
    def data(risk):
        blank = {f"{c}-{f}": None if f == "applies" else "" for c in ("AMB", "POL")
                 for f in ("applies", "bruto_impact", "netto_impact")}
        blank.update({f"{code}-applies": "y", f"{code}-bruto_impact": "4",
                      f"{code}-netto_impact": "3"})
        return form_for(risk, **blank)
    return data


def _archived(data=None):
    """Archive the risk first (as the chair), then send ``data``."""
    def prepare(risk):
        from lms_risk.auth.models import User
        from lms_risk.risks.services import archive_risk
        chair = db.session.scalar(db.select(User).filter_by(email=TEST_USERS["chair"][0]))
        archive_risk(risk, "dubbel met een ander risico", chair)
        db.session.commit()
        return data
    return prepare


def _reason(prefix):
    return lambda risk: {f"{prefix}-reason": "dubbel met een ander risico"}


# (method, url, users allowed[, form data for the risk[, status for the others]]); {code} is a
# risk's code. The others get 403 unless said otherwise.
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
    ("POST", "/risks/{code}/archive", ("admin", "chair"), _reason("archive")),
    ("POST", "/risks/{code}/restore", ("admin", "chair"), _archived({"restore-reason": "terug"})),
    ("POST", "/risks/{code}/delete", ("admin",), _reason("delete")),
    ("POST", "/risks/{code}/delete", ("admin",), _archived({"delete-reason": "weg"})),
    ("GET", "/risks/{code}", ARCHIVE_READERS, _archived(), 404),
    ("GET", "/risks?status=gearchiveerd", USERS),  # the others are told the filter was not used
    ("GET", "/risks/import", IMPORTERS),
    ("POST", "/risks/import", IMPORTERS),
    ("POST", "/risks/import/confirm", IMPORTERS),
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
# Blueprints whose own tests try every route of theirs with every role and scope: a feature
# folder with a route table of its own, tests/<blueprint>/test_<blueprint>_permissions.py, which
# also checks that its table covers every route of its blueprint.
OWN_TABLES = {path.parent.name
              for path in Path(__file__).parents[1].glob("*/test_*_permissions.py")
              if path.name == f"test_{path.parent.name}_permissions.py"}


@pytest.mark.parametrize("who", USERS)
def test_route_permissions(client, auth, make_risk, who):
    auth.login(who)
    for method, url, allowed, *extra in ROUTES:
        risk = make_risk()
        form = extra[0](risk) if extra else None
        refused = extra[1] if len(extra) > 1 else 403
        response = client.open(url.format(code=risk.code), method=method, data=form)
        if who in allowed:
            assert response.status_code in (200, 302, 400, 422), (who, method, url)
        else:
            assert response.status_code == refused, (who, method, url, response.status_code)


def test_every_route_is_in_the_table(app):
    adapter = app.url_map.bind("localhost.test")
    covered = {(adapter.match(url.format(code="R-0001").partition("?")[0], method=method)[0], method)
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

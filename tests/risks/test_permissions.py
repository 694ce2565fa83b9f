"""Every role against every route: enforced on the server."""

import pytest

ROLES = ("admin", "chair", "amb", "viewer", "auditor")
# (method, url, roles allowed); {code} is a risk's code
ROUTES = [
    ("GET", "/risks", ROLES),
    ("GET", "/heatmap", ROLES),
    ("GET", "/risks/{code}", ROLES),
    ("GET", "/risks/new", ("admin", "chair", "amb")),
    ("GET", "/risks/{code}/edit", ("admin", "chair", "amb")),
    ("POST", "/risks/{code}/delete", ("admin", "chair")),
    ("GET", "/audit", ("admin", "auditor")),
    ("GET", "/admin/", ("admin",)),
    ("GET", "/admin/matrix", ("admin",)),
    ("POST", "/admin/matrix/grid", ("admin",)),
    ("POST", "/admin/matrix/levels", ("admin",)),
    ("POST", "/admin/matrix/scale/impact", ("admin",)),
    ("GET", "/admin/matrix/impact/AMB", ("admin",)),
    ("GET", "/admin/reference/meldkamers", ("admin",)),
    ("POST", "/admin/reference/voorzieningen", ("admin",)),
    ("GET", "/admin/users", ("admin",)),
]


@pytest.mark.parametrize("role", ROLES)
def test_route_permissions(client, auth, make_risk, role):
    auth.login(role)
    for method, url, allowed in ROUTES:
        risk = make_risk()
        response = client.open(url.format(code=risk.code), method=method)
        if role in allowed:
            assert response.status_code in (200, 302, 400, 422), (role, method, url)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


def test_viewer_cannot_post_risks(client, auth):
    auth.login("viewer")
    assert client.post("/risks/new", data={"title": "x"}).status_code == 403


def test_member_cannot_create_a_risk_scored_for_another_discipline(client, auth):
    from test_risks import form_for

    auth.login("amb")
    assert client.post("/risks/new", data=form_for()).status_code == 403  # form_for scores POL too
    data = form_for(**{"POL-applies": None, "POL-bruto_impact": "", "POL-netto_impact": ""})
    assert client.post("/risks/new", data=data).status_code == 302

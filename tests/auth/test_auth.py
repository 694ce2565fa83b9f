"""Signing in and out, sessions, CSRF and safe redirects."""

import pytest

from conftest import PASSWORD, TEST_USERS


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_pages_require_login(client):
    for url in ("/risks", "/heatmap", "/risks/new", "/admin/", "/audit", "/risks/R-0001"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_login_with_wrong_password_is_refused_in_dutch(client):
    response = client.post("/login", data={"email": "chair@example.nl", "password": "fout"})
    assert response.status_code == 200
    assert "Onbekend e-mailadres of onjuist wachtwoord." in response.get_data(as_text=True)
    assert client.get("/risks").status_code == 302


def test_login_sets_a_fresh_httponly_lax_session(client):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    response = client.post("/login", data={"email": TEST_USERS["viewer"][0], "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize("target, expected", [
    ("/heatmap", "/heatmap"),
    ("https://evil.example/x", "/risks"),
    ("//evil.example", "/risks"),
    ("/\\evil.example", "/risks"),
    ("javascript:alert(1)", "/risks"),
])
def test_next_redirect_only_to_this_site(client, target, expected):
    response = client.post("/login?next=" + target,
                           data={"email": TEST_USERS["viewer"][0], "password": PASSWORD})
    assert response.headers["Location"].endswith(expected)
    assert "evil" not in response.headers["Location"]


def test_logout_is_post_only(client, auth):
    auth.login("viewer")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/risks").status_code == 302


def test_csrf_token_required_on_forms(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": TEST_USERS["viewer"][0], "password": PASSWORD})
    assert response.status_code == 400
    assert "Het verzoek kon niet worden verwerkt" in response.get_data(as_text=True)
    assert client.get("/risks").status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'name="email"' in page and 'name="password"' in page


def test_csrf_refuses_a_post_without_token_when_signed_in(app, client, auth, make_risk):
    risk = make_risk()
    auth.login("chair")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/risks/{risk.code}/delete").status_code == 400


def test_english_can_be_chosen(client, auth):
    auth.login("viewer")
    assert "Risicoregister" in client.get("/risks").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/risks"})
    page = client.get("/risks").get_data(as_text=True)
    assert "Risk register" in page and "Risicoregister" not in page
    # Codes stored in the database or the URL are shown in the chosen language as well.
    cell = client.get("/risks?likelihood=3&impact=4&basis=bruto").get_data(as_text=True)
    assert "(gross)" in cell and "(bruto)" not in cell
    heatmap = client.get("/heatmap?basis=netto").get_data(as_text=True)
    assert "· residual (net)</h1>" in heatmap


def test_one_time_password_must_be_changed(app, client):
    from lms_risk.auth.services import create_user
    from lms_risk.extensions import db

    create_user("new@example.nl", "eenmalig-wachtwoord-123", "viewer", must_change_password=True)
    db.session.commit()
    client.post("/login", data={"email": "new@example.nl", "password": "eenmalig-wachtwoord-123"})
    response = client.get("/risks")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    response = client.post("/account/password", data={
        "current": "eenmalig-wachtwoord-123", "new": "mijn eigen lange zin", "repeat": "mijn eigen lange zin"})
    assert response.status_code == 302
    assert client.get("/risks").status_code == 200


def test_passwords_are_argon2id(users):
    assert users["viewer"].password_hash.startswith("$argon2id$")

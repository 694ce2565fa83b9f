"""The second factor: TOTP enrolment, sign-in with a code or a recovery code, the requirement by
role, throttling and the administrator's reset."""

import re
from datetime import timedelta

import pyotp
from sqlalchemy import select

from conftest import PASSWORD, TEST_USERS
from lms_risk.audit.models import AuditEvent
from lms_risk.auth.models import User
from lms_risk.extensions import db


def code(secret, clock, offset=0):
    return pyotp.TOTP(secret).at(clock.now + timedelta(seconds=30 * offset))


def enrol(client, clock):
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn by the app
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/account/second-factor", data={"code": code(secret, clock)})
    page = response.get_data(as_text=True)
    assert "Uw tweede factor is ingesteld." in page
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", page)
    assert len(codes) == 10
    return secret, codes


def sign_in(client, key, **query):
    return client.post("/login", query_string=query,
                       data={"email": TEST_USERS[key][0], "password": PASSWORD})


def test_enrol_then_sign_in_with_a_code(client, auth, clock):
    auth.login("viewer")
    secret, _ = enrol(client, clock)
    auth.logout()
    response = sign_in(client, "viewer", next="/heatmap")
    assert response.headers["Location"].endswith("/login/second-factor")
    assert client.get("/risks").status_code == 302  # the password alone opens nothing
    clock.advance(seconds=30)
    response = client.post("/login/second-factor", data={"code": code(secret, clock)})
    assert response.headers["Location"].endswith("/heatmap")
    assert client.get("/risks").status_code == 200
    events = [e.changes for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(["signin", "totp_enrolled"]))
        .order_by(AuditEvent.id))]
    assert events[-1]["factor"] == [None, "totp"] and events[-2] is None  # enrolled, then signed in


def test_a_code_works_once_and_a_wrong_one_is_refused(client, auth, clock):
    auth.login("viewer")
    secret, _ = enrol(client, clock)  # this code's step is used now
    auth.logout()
    sign_in(client, "viewer")
    page = client.post("/login/second-factor", data={"code": code(secret, clock)}).get_data(
        as_text=True)
    assert "Deze code klopt niet (of is al gebruikt)." in page
    page = client.post("/login/second-factor", data={"code": "000000"}).get_data(as_text=True)
    assert "Deze code klopt niet" in page
    assert client.get("/risks").status_code == 302


def test_a_recovery_code_signs_in_once(client, auth, clock):
    auth.login("viewer")
    _, codes = enrol(client, clock)
    auth.logout()
    sign_in(client, "viewer")
    response = client.post("/login/second-factor", data={"code": codes[3].upper()})
    assert response.status_code == 302 and client.get("/risks").status_code == 200
    auth.logout()
    sign_in(client, "viewer")
    assert client.post("/login/second-factor", data={"code": codes[3]}).status_code == 200
    assert client.get("/risks").status_code == 302


def test_the_second_factor_is_throttled(client, auth, clock):
    auth.login("viewer")
    secret, _ = enrol(client, clock)
    auth.logout()
    sign_in(client, "viewer")
    for _ in range(5):
        client.post("/login/second-factor", data={"code": "123456"})
    clock.advance(seconds=30)
    response = client.post("/login/second-factor", data={"code": code(secret, clock)})
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.get_data(as_text=True)


def test_required_roles_enrol_at_first_sign_in(app, client, clock):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("admin", "chair")
    sign_in(client, "chair")
    response = client.get("/risks", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/account/second-factor"
    assert "Stel eerst een tweede factor in: voor uw rol is die verplicht." in page
    enrol(client, clock)
    assert client.get("/risks").status_code == 200
    # a member signs in with a password only
    client.post("/logout")
    sign_in(client, "amb")
    assert client.get("/risks").status_code == 200


def test_all_makes_it_required_for_everyone(app, client):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("all",)
    sign_in(client, "viewer")
    assert client.get("/risks").headers["Location"].endswith("/account/second-factor")


def test_admin_resets_a_lost_second_factor(app, client, auth, clock, runner):
    other = app.test_client()
    auth.login("viewer")
    enrol(client, clock)
    auth.logout()
    auth.login("admin")
    viewer = db.session.scalar(select(User).filter_by(email=TEST_USERS["viewer"][0]))
    page = client.get(f"/admin/users/{viewer.id}").get_data(as_text=True)
    assert "Tweede factor wissen" in page
    client.post(f"/admin/users/{viewer.id}/reset-second-factor")
    db.session.expire_all()
    assert viewer.totp_secret is None
    other.post("/login", data={"email": TEST_USERS["viewer"][0], "password": PASSWORD})
    assert other.get("/risks").status_code == 200  # a password only again
    reset = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "totp_reset"))
    assert reset.user.email == TEST_USERS["admin"][0]


def test_the_command_line_resets_a_second_factor(client, auth, clock, runner):
    auth.login("viewer")
    enrol(client, clock)
    result = runner.invoke(args=["user", "reset-second-factor", TEST_USERS["viewer"][0]])
    assert result.exit_code == 0, result.output
    assert client.get("/risks").status_code == 302  # the session ended with it


def test_a_new_admin_chooses_a_password_then_sets_up_the_factor(app, client, clock):
    from lms_risk.auth.services import create_user

    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("admin", "chair")
    create_user("nieuw@example.nl", "eenmalig-wachtwoord-123", "admin", must_change_password=True)
    db.session.commit()
    response = client.post("/login", data={"email": "nieuw@example.nl",
                                           "password": "eenmalig-wachtwoord-123"})
    assert response.headers["Location"].endswith("/account/password")
    assert client.get("/account/password").status_code == 200  # not sent on to the factor
    new = "paarse olifanten dansen op de brug"
    response = client.post("/account/password", data={
        "current": "eenmalig-wachtwoord-123", "new": new, "repeat": new}, follow_redirects=True)
    assert response.request.path == "/account/second-factor"
    enrol(client, clock)
    assert client.get("/risks").status_code == 200

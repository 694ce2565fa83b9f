"""Account administration in the web: admins change, auditors read, others are refused; every
change is in the audit trail with who did it."""

import re

from sqlalchemy import select

from conftest import PASSWORD, TEST_USERS
from lms_risk.audit.models import AuditEvent
from lms_risk.auth.models import User
from lms_risk.extensions import db


def user(key):
    return db.session.scalar(select(User).filter_by(email=TEST_USERS[key][0]))


def trail(email):
    return [(e.action, e.user.email if e.user else None) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == email).order_by(AuditEvent.id))]


def test_admin_creates_a_user_who_signs_in_once_with_the_shown_password(app, client, auth):
    auth.login("admin")
    response = client.post("/admin/users/new", data={
        "email": "Nieuw.Lid@Example.nl", "name": "Nieuw Lid", "role": "member",
        "discipline": "BRW", "meldkamer": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "U ziet dit wachtwoord alleen nu." in page
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', page).group(1)
    created = db.session.scalar(select(User).filter_by(email="nieuw.lid@example.nl"))
    assert created.role_summary == "lid van de risicoraad, BRW" and created.must_change_password
    assert trail("nieuw.lid@example.nl") == [("create", TEST_USERS["admin"][0])]
    auth.logout()
    response = client.post("/login", data={"email": "nieuw.lid@example.nl", "password": password})
    assert response.headers["Location"].endswith("/account/password")


def test_a_member_needs_a_discipline_said_in_dutch(client, auth):
    auth.login("admin")
    page = client.post("/admin/users/new", data={
        "email": "x@example.nl", "role": "member"}).get_data(as_text=True)
    assert "Deze rol is voor één discipline: kies die." in page
    assert db.session.scalar(select(User).filter_by(email="x@example.nl")) is None


def test_admin_changes_roles(client, auth):
    auth.login("admin")
    target = user("viewer")
    client.post(f"/admin/users/{target.id}/assignments",
                data={"role": "member", "discipline": "AMB", "meldkamer": ""})
    db.session.expire_all()
    assert user("viewer").role_summary == "meelezer; lid van de risicoraad, AMB"
    first = user("viewer").assignments[0].id
    client.post(f"/admin/users/{target.id}/assignments/{first}/remove")
    db.session.expire_all()
    assert user("viewer").role_summary == "lid van de risicoraad, AMB"
    assert trail(TEST_USERS["viewer"][0])[-2:] == [("assign", TEST_USERS["admin"][0]),
                                                   ("unassign", TEST_USERS["admin"][0])]


def test_the_last_role_stays(client, auth):
    auth.login("admin")
    target = user("viewer")
    response = client.post(f"/admin/users/{target.id}/assignments/{target.assignments[0].id}/remove",
                           follow_redirects=True)
    assert "De laatste rol blijft" in response.get_data(as_text=True)


def test_admin_deactivates_resets_and_signs_out(app, client, auth):
    other = app.test_client()
    other.post("/login", data={"email": TEST_USERS["amb"][0], "password": PASSWORD})
    assert other.get("/risks").status_code == 200
    auth.login("admin")
    amb = user("amb").id
    client.post(f"/admin/users/{amb}/sign-out")
    assert other.get("/risks").status_code == 302
    other.post("/login", data={"email": TEST_USERS["amb"][0], "password": PASSWORD})
    client.post(f"/admin/users/{amb}/deactivate")
    assert other.get("/risks").status_code == 302
    assert other.post("/login", data={"email": TEST_USERS["amb"][0],
                                      "password": PASSWORD}).status_code == 200
    client.post(f"/admin/users/{amb}/activate")
    page = client.post(f"/admin/users/{amb}/reset-password").get_data(as_text=True)
    password = re.search(r'id="one-time-password">([^<]+)<', page).group(1)
    assert other.post("/login", data={"email": TEST_USERS["amb"][0],
                                      "password": PASSWORD}).status_code == 200
    response = other.post("/login", data={"email": TEST_USERS["amb"][0], "password": password})
    assert response.headers["Location"].endswith("/account/password")
    admin = TEST_USERS["admin"][0]
    assert [a for a in trail(TEST_USERS["amb"][0]) if a[1] == admin] == [
        ("sessions_ended", admin), ("deactivate", admin), ("activate", admin),
        ("password_reset", admin)]


def test_an_admin_cannot_deactivate_themselves(client, auth):
    auth.login("admin")
    me = user("admin").id
    response = client.post(f"/admin/users/{me}/deactivate", follow_redirects=True)
    assert "U kunt uw eigen account niet deactiveren." in response.get_data(as_text=True)
    assert user("admin").active


def test_auditors_read_users_without_buttons(client, auth):
    auth.login("auditor")
    page = client.get("/admin/users").get_data(as_text=True)
    assert TEST_USERS["pol_rtd"][0] in page and "Nieuwe gebruiker" not in page
    page = client.get(f"/admin/users/{user('pol_rtd').id}").get_data(as_text=True)
    assert "continuïteitscoördinator" in page and "Deactiveren" not in page
    assert "Rol toekennen" not in page
    assert client.post(f"/admin/users/{user('pol_rtd').id}/deactivate").status_code == 403
    assert user("pol_rtd").active

"""Security events: in the audit trail (filterable, in the reader's language) and in the log."""

import logging

from sqlalchemy import select

from conftest import PASSWORD, TEST_USERS
from lms_risk.audit.models import AuditEvent
from lms_risk.extensions import db


def events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def test_sign_in_failed_and_succeeded_are_recorded_with_address(client, caplog):
    caplog.set_level(logging.INFO, logger="lms_risk")
    client.post("/login", data={"email": "Wie.Dan@Example.nl", "password": "fout"},
                environ_base={"REMOTE_ADDR": "198.51.100.20"})
    client.post("/login", data={"email": TEST_USERS["viewer"][0], "password": PASSWORD})
    failed, = events("signin_failed")
    assert failed.entity_type == "user" and failed.entity_id == "wie.dan@example.nl"
    assert failed.user_id is None and failed.changes == {"address": [None, "198.51.100.20"]}
    signed_in, = events("signin")
    assert signed_in.entity_id == TEST_USERS["viewer"][0] and signed_in.user_id is not None
    assert "refused signin" in caplog.text and "wie.dan@example.nl" in caplog.text
    assert "signin account=viewer@example.nl" in caplog.text


def test_throttled_signed_out_and_password_changed(client, auth):
    for _ in range(6):
        client.post("/login", data={"email": TEST_USERS["pol"][0], "password": "fout"})
    assert events("throttled")[0].changes["check"] == [None, "login"]
    auth.login("viewer")
    new = "paarse olifanten dansen op de brug"
    client.post("/account/password", data={"current": PASSWORD, "new": new, "repeat": new})
    auth.logout()
    assert [e.entity_id for e in events("password_changed")] == [TEST_USERS["viewer"][0]]
    assert [e.entity_id for e in events("signout")] == [TEST_USERS["viewer"][0]]


def test_session_expired_is_recorded(client, auth, monkeypatch):
    from datetime import timedelta

    from lms_risk import timeutil

    later = timeutil.utcnow() + timedelta(hours=1)
    auth.login("viewer")
    monkeypatch.setattr(timeutil, "utcnow", lambda: later)
    client.get("/risks")
    expired, = events("session_expired")
    assert expired.changes == {"reason": [None, "idle"]}


def test_access_refused_is_recorded_with_the_path(client, auth, caplog):
    auth.login("viewer")
    assert client.get("/admin/users").status_code == 403
    refused, = events("access_refused")
    assert refused.changes["path"] == [None, "/admin/users"]
    assert refused.entity_id == TEST_USERS["viewer"][0]
    assert caplog.text.count("access denied") == 1  # one log line, not two


def test_csrf_refusal_is_recorded(app, client, auth):
    auth.login("viewer")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/logout")
    assert response.status_code == 400
    assert "Het verzoek kon niet worden verwerkt." in response.get_data(as_text=True)
    refused, = events("csrf_refused")
    assert refused.changes["path"] == [None, "/logout"]
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.get("/risks").status_code == 200  # the session survived


def test_deactivation_and_role_changes_are_recorded_by_the_cli(runner):
    email = TEST_USERS["amb"][0]
    assert runner.invoke(args=["user", "deactivate", email]).exit_code == 0
    assert runner.invoke(args=["user", "activate", email]).exit_code == 0
    result = runner.invoke(args=["user", "set-role", email, "--role", "viewer"])
    assert result.exit_code == 0, result.output
    assert [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == email).order_by(AuditEvent.id))][-4:] == [
        "deactivate", "activate", "assign", "unassign"]


def test_auditors_filter_security_events_in_their_language(client, auth):
    client.post("/login", data={"email": "x@example.nl", "password": "fout"},
                environ_base={"REMOTE_ADDR": "198.51.100.20"})
    auth.login("auditor")
    page = client.get("/audit?action=signin_failed").get_data(as_text=True)
    assert "inloggen mislukt" in page and "198.51.100.20" in page and "adres" in page
    assert "ingelogd</td>" not in page  # the auditor's own sign-in is filtered out
    client.post("/language", data={"lang": "en"})
    page = client.get("/audit?action=signin_failed").get_data(as_text=True)
    assert "sign-in failed" in page and "address" in page

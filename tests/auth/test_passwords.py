"""Passwords: 12 characters at least, long ones allowed, well-known and guessable ones refused."""

import pytest
from sqlalchemy import select

from conftest import PASSWORD
from lms_risk.auth.models import User
from lms_risk.extensions import db


def change(client, new):
    return client.post("/account/password",
                       data={"current": PASSWORD, "new": new, "repeat": new})


@pytest.mark.parametrize("weak", ["password1234", "123456789012", "Welkom12345!",
                                  "qwertyuiop12", "viewerexample2026"])
def test_well_known_passwords_are_refused_with_the_reason(client, auth, weak):
    auth.login("viewer")
    response = change(client, weak)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dit wachtwoord is te makkelijk te raden" in page
    assert "Uw wachtwoord is gewijzigd." not in page


def test_a_password_with_ones_own_name_says_so(client, auth):
    auth.login("viewer")
    page = change(client, "viewer.example!!").get_data(as_text=True)
    assert "het bevat uw naam of e-mailadres" in page


def test_a_long_passphrase_is_allowed_up_to_256(client, auth):
    auth.login("viewer")
    long = "rode kater zingt in de regen " * 8  # 232 characters
    response = change(client, long)
    assert response.status_code == 302
    auth.logout()
    response = client.post("/login", data={"email": "viewer@example.nl", "password": long})
    assert response.status_code == 302


def test_first_sign_in_refuses_a_weak_choice(app, client):
    from lms_risk.auth.services import create_user

    create_user("nieuw@example.nl", "eenmalig-wachtwoord-123", "viewer", must_change_password=True)
    db.session.commit()
    client.post("/login", data={"email": "nieuw@example.nl", "password": "eenmalig-wachtwoord-123"})
    response = client.post("/account/password", data={
        "current": "eenmalig-wachtwoord-123", "new": "password1234", "repeat": "password1234"})
    assert "te makkelijk te raden" in response.get_data(as_text=True)
    assert db.session.scalar(select(User.must_change_password).filter_by(email="nieuw@example.nl"))


def test_the_command_line_refuses_a_well_known_password(runner):
    result = runner.invoke(args=["user", "create", "z@example.nl", "--role", "viewer"],
                           input="Welkom12345!\n")
    assert result.exit_code != 0 and "too easy to guess" in result.output
    assert db.session.scalar(select(User).filter_by(email="z@example.nl")) is None


def test_the_refusal_reads_in_english(client, auth):
    auth.login("viewer")
    client.post("/language", data={"lang": "en"})
    assert "This password is too easy to guess" in change(client, "password1234").get_data(
        as_text=True)

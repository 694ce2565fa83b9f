"""Failed sign-ins are throttled per account and per client address, in the database."""

from sqlalchemy import func, select

from conftest import PASSWORD, TEST_USERS
from lms_risk.auth.models import AuthFailure
from lms_risk.extensions import db

EMAIL = TEST_USERS["viewer"][0]


def attempt(client, password="verkeerd wachtwoord", email=EMAIL, address="198.51.100.7"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_sixth_attempt_is_refused_with_429_and_when_to_retry(client, clock):
    for _ in range(5):
        assert attempt(client).status_code == 200
    response = attempt(client, PASSWORD)  # even the right password
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Te veel mislukte pogingen. Probeer het over 1 minuut opnieuw" in page
    assert response.headers["Retry-After"] == "60"
    assert client.get("/risks").status_code == 302  # not signed in


def test_the_back_off_grows_and_success_resets_the_account(client, clock):
    for _ in range(5):
        attempt(client)
    clock.advance(seconds=61)
    assert attempt(client).status_code == 200  # a sixth failure, after the wait
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert "over 2 minuten" in response.get_data(as_text=True)
    clock.advance(seconds=121)
    assert attempt(client, PASSWORD).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AuthFailure)
                             .where(AuthFailure.account == EMAIL)) == 0


def test_failures_age_out_of_the_window(client, clock):
    for _ in range(5):
        attempt(client)
        clock.advance(minutes=4)
    assert attempt(client, PASSWORD).status_code == 302  # the first failure is 20 minutes old


def test_one_address_guessing_at_many_accounts_is_throttled(app, client, clock):
    emails = [f"nobody{i}@example.nl" for i in range(20)]
    for email in emails:
        assert attempt(client, email=email).status_code == 200
    assert attempt(client, PASSWORD).status_code == 429  # a good account, a bad address
    assert attempt(client, PASSWORD, address="203.0.113.9").status_code == 302


def test_the_address_comes_from_the_trusted_proxies(sqlite_template, tmp_path, monkeypatch):
    import shutil

    from conftest import _config
    from lms_risk import create_app

    path = tmp_path / "p.sqlite"
    shutil.copyfile(sqlite_template, path)
    app = create_app({**_config(f"sqlite:///{path}"), "TRUSTED_PROXIES": 1})
    client = app.test_client()
    with app.app_context():
        for i in range(20):
            client.post("/login", data={"email": f"x{i}@example.nl", "password": "nee"},
                        headers={"X-Forwarded-For": "192.0.2.1"})
        refused = client.post("/login", data={"email": EMAIL, "password": PASSWORD},
                              headers={"X-Forwarded-For": "192.0.2.1"})
        other = client.post("/login", data={"email": EMAIL, "password": PASSWORD},
                            headers={"X-Forwarded-For": "192.0.2.2"})
        addresses = set(db.session.scalars(select(AuthFailure.address)))
        db.engine.dispose()
    assert refused.status_code == 429 and other.status_code == 302
    assert addresses == {"192.0.2.1"}


def test_the_current_password_check_is_throttled(client, auth, clock):
    auth.login("viewer")
    data = {"current": "niet mijn wachtwoord", "new": "paarse olifanten dansen op de brug",
            "repeat": "paarse olifanten dansen op de brug"}
    for _ in range(5):
        page = client.post("/account/password", data=data).get_data(as_text=True)
        assert "Het huidige wachtwoord klopt niet." in page
    response = client.post("/account/password", data={**data, "current": PASSWORD})
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.get_data(as_text=True)

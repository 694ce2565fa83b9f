"""Sessions that end on the server: sign-out, a password change, the idle timeout, the absolute
lifetime, deactivation and 'sign out everywhere' all make a replayed cookie useless."""

from sqlalchemy import select

from conftest import PASSWORD, TEST_USERS, FreshGClient
from lms_risk.auth.models import UserSession
from lms_risk.extensions import db

NEW_PASSWORD = "paarse olifanten dansen op de brug"


def cookie(client) -> str:
    return client.get_cookie("session", domain="localhost.test").value


def replay(client, value: str):
    client.set_cookie("session", value, domain="localhost.test")


def opens(client, url="/risks") -> bool:
    return client.get(url).status_code == 200


def test_the_cookie_carries_a_token_and_no_user_data(client, auth, users):
    auth.login("viewer")
    with client.session_transaction() as session:
        token = session["sid"]
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == users["viewer"].id))
    assert row.id != token and len(row.id) == 64  # only the token's hash is stored
    assert row.ended_at is None and row.address == "127.0.0.1"


def test_a_cookie_saved_before_logout_is_refused_after_it(client, auth, make_risk):
    auth.login("chair")
    saved = cookie(client)
    assert opens(client)
    auth.logout()
    replay(client, saved)
    response = client.get("/risks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # nor can it change anything
    replay(client, saved)
    assert client.post("/risks/new", data={"title": "x"}).status_code == 302
    row = db.session.scalar(select(UserSession))
    assert row.end_reason == "signout"


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, auth, client):
    other = app.test_client()  # the same user on another device
    other.post("/login", data={"email": TEST_USERS["pol"][0], "password": PASSWORD})
    assert opens(other)
    auth.login("pol")
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}, follow_redirects=True)
    assert "Uw andere sessie is beëindigd." in response.get_data(as_text=True)
    assert opens(client)
    response = other.get("/risks", follow_redirects=True)
    assert "Uw sessie is beëindigd" in response.get_data(as_text=True)


def test_idle_timeout_signs_out_with_a_dutch_reason(client, auth, clock):
    auth.login("viewer")
    saved = cookie(client)
    clock.advance(minutes=29)
    assert opens(client)  # activity moves the idle clock on
    clock.advance(minutes=29)
    assert opens(client)
    clock.advance(minutes=31)
    response = client.get("/risks", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "/login" in response.request.path
    assert "U bent uitgelogd omdat u 30 minuten niets hebt gedaan." in page
    assert "Log in om deze pagina te zien." not in page
    replay(client, saved)
    assert not opens(client)
    row = db.session.scalar(select(UserSession))
    assert row.end_reason == "idle"


def test_idle_timeout_is_configurable_and_said_in_english(app, client, auth, clock):
    app.config["SESSION_IDLE_MINUTES"] = 5
    auth.login("viewer")
    client.post("/language", data={"lang": "en"})
    clock.advance(minutes=6)
    page = client.get("/risks", follow_redirects=True).get_data(as_text=True)
    assert "You were signed out because you did nothing for 5 minutes." in page


def test_absolute_lifetime_ends_a_busy_session(app, client, auth, clock):
    auth.login("viewer")
    for _ in range(12 * 4 - 1):
        clock.advance(minutes=15)
        assert opens(client)
    clock.advance(minutes=16)
    page = client.get("/risks", follow_redirects=True).get_data(as_text=True)
    assert "maximale duur van 12 uur" in page
    assert db.session.scalar(select(UserSession)).end_reason == "absolute"


def test_deactivation_ends_every_session(app, client, auth, runner, users):
    auth.login("amb")
    assert opens(client)
    result = runner.invoke(args=["user", "deactivate", TEST_USERS["amb"][0]])
    assert result.exit_code == 0, result.output
    assert not opens(client)
    response = client.post("/login", data={"email": TEST_USERS["amb"][0], "password": PASSWORD})
    assert response.status_code == 200  # refused like a wrong password
    assert runner.invoke(args=["user", "activate", TEST_USERS["amb"][0]]).exit_code == 0
    auth.login("amb")
    assert opens(client)


def test_sign_out_everywhere_from_the_command_line(app, client, auth, runner):
    auth.login("viewer")
    result = runner.invoke(args=["user", "sign-out", TEST_USERS["viewer"][0]])
    assert result.exit_code == 0 and "1 session(s)" in result.output
    assert not opens(client)


def test_the_account_page_lists_sessions_and_ends_another(app, client, auth):
    other = app.test_client()
    other.post("/login", data={"email": TEST_USERS["viewer"][0], "password": PASSWORD},
               headers={"User-Agent": "Firefox op de meldkamer"})
    auth.login("viewer")
    page = client.get("/account").get_data(as_text=True)
    assert "Firefox op de meldkamer" in page and "deze sessie" in page
    theirs = db.session.scalar(select(UserSession.id).where(
        UserSession.user_agent == "Firefox op de meldkamer"))
    response = client.post("/account/sessions/end", data={"session_id": theirs},
                           follow_redirects=True)
    assert "De sessie is beëindigd." in response.get_data(as_text=True)
    assert not opens(other) and opens(client)


def test_one_cannot_end_someone_elses_session(app, client, auth):
    other = app.test_client()
    other.post("/login", data={"email": TEST_USERS["chair"][0], "password": PASSWORD})
    theirs = db.session.scalar(select(UserSession.id))
    auth.login("viewer")
    client.post("/account/sessions/end", data={"session_id": theirs})
    assert opens(other)


def test_sessions_are_shared_by_workers(app, client, auth):
    """A second app (another worker process) on the same database sees the sign-out."""
    from lms_risk import create_app

    auth.login("viewer")
    saved = cookie(client)
    worker = create_app(dict(app.config))
    worker.test_client_class = FreshGClient
    second = worker.test_client()
    replay(second, saved)
    with worker.app_context():
        try:
            assert second.get("/risks").status_code == 200
            with app.app_context():
                auth.logout()
            replay(second, saved)
            assert second.get("/risks").status_code == 302
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_signed_in_user_and_session_are_one_query(client, auth, count_queries):
    auth.login("pol_rtd")
    db.session.remove()
    with count_queries() as queries:
        assert client.get("/account").status_code == 200
    loads = [q for q in queries if "user_session" in q and "role_assignment" in q]
    assert len(loads) == 1

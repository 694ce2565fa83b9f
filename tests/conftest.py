"""Fixtures. Every data test runs on SQLite and on PostgreSQL, on a schema made by the migrations.

PostgreSQL tests are skipped when no server answers, unless ``LMS_RISK_REQUIRE_POSTGRES=1`` (set by
.ci/run), which turns a missing server into a failure. The schema is migrated once per backend into
a template database; each test gets a fresh copy of it.
"""

import itertools
import os
import re
import shutil
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from werkzeug.serving import make_server

from lms_risk import create_app, timeutil
from lms_risk.extensions import db

PG_ADMIN_URL = os.environ.get("LMS_RISK_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("LMS_RISK_REQUIRE_POSTGRES") == "1"
PASSWORD = "correct horse battery staple"
TEST_USERS = {  # key: (email, role, discipline) of each user's first role assignment
    "admin": ("admin@example.nl", "admin", None),
    "chair": ("chair@example.nl", "chair", None),
    "amb": ("amb@example.nl", "member", "AMB"),
    "pol": ("pol@example.nl", "member", "POL"),
    "viewer": ("viewer@example.nl", "viewer", None),
    "auditor": ("auditor@example.nl", "auditor", None),
    "rtd": ("rtd@example.nl", "continuity", None),  # of meldkamer RTD, see TEST_MELDKAMERS
    "pol_rtd": ("pol.rtd@example.nl", "member", "POL"),  # and more, see TEST_MORE_ROLES
}
TEST_MELDKAMERS = {"rtd": "RTD"}  # the meldkamer of a first assignment
TEST_MORE_ROLES = {  # further assignments: (role, discipline, meldkamer)
    "pol_rtd": [("continuity", None, "RTD")],
}
_counter = itertools.count()


def _config(uri: str) -> dict:
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost.test",
            # Auth.login signs in with a password only; tests/auth/test_second_factor.py turns
            # the requirement on where it is tested.
            "TWO_FACTOR_REQUIRED_ROLES": ()}


def _migrate_and_seed(uri: str) -> None:
    app = create_app(_config(uri))
    with app.app_context():
        upgrade()
        from lms_risk.auth.services import add_assignment, create_user
        for key, (email, role, discipline) in TEST_USERS.items():
            user = create_user(email, PASSWORD, role, discipline_code=discipline,
                               meldkamer_code=TEST_MELDKAMERS.get(key))
            for more_role, more_discipline, meldkamer in TEST_MORE_ROLES.get(key, ()):
                add_assignment(user, more_role, discipline_code=more_discipline,
                               meldkamer_code=meldkamer)
        db.session.commit()
        db.engine.dispose()


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    _migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template():
    if not _pg_available():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (LMS_RISK_REQUIRE_POSTGRES=1) but {PG_ADMIN_URL} "
                        "does not answer")
        pytest.skip("PostgreSQL not reachable")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"lmsrisk_tpl_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _migrate_and_seed(_pg_url(name))
    yield admin, name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_url(name: str) -> str:
    return re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)


@contextmanager
def _database(backend, request, tmp_path):
    if backend == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin, template = request.getfixturevalue("pg_template")
    name = f"lmsrisk_t_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def app(backend, request, tmp_path):
    with _database(backend, request, tmp_path) as uri:
        app = create_app(_config(uri))
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


class FreshGClient(FlaskClient):
    """The tests hold an app context open, which requests would share; give each request an empty
    ``g`` as it has in production (Flask-Babel and Flask-Login cache per-request state there)."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshGClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    from lms_risk.auth.models import User
    by_email = {u.email: u for u in db.session.scalars(db.select(User))}
    return {key: by_email[email] for key, (email, _, _) in TEST_USERS.items()}


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, key: str):
        email = TEST_USERS[key][0]
        response = self.client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_risk(app, users):
    """Create a risk through the service: ``make_risk("titel", likelihood=3, AMB=(4, 3))``."""
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import create_risk

    def make(title="Uitval GMS", *, bruto_likelihood=None, likelihood=3, status="open", owner="",
             category=None, meldkamers=(), voorzieningen=(), user=None, **impacts):
        data = RiskData(
            title=title, bruto_likelihood=bruto_likelihood or likelihood, netto_likelihood=likelihood,
            status=status, owner=owner, category=category, meldkamers=list(meldkamers),
            voorzieningen=list(voorzieningen),
            impacts={code: ImpactData(applies=True, bruto_impact=b, netto_impact=n)
                     for code, (b, n) in impacts.items()})
        risk = create_risk(data, user or users["chair"])
        db.session.commit()
        return risk

    return make


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries: ...`` then ``len(queries)``."""

    @contextmanager
    def counter():
        statements = []

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)

    return counter


# --- Browser tests: Debian's chromium driven by Playwright --------------------------------------

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("LMS_RISK_REQUIRE_BROWSER") == "1"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def browser():
    if not CHROMIUM:
        if REQUIRE_BROWSER:
            pytest.fail("chromium is required (LMS_RISK_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRE_BROWSER:
            raise
        pytest.skip("playwright not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(sqlite_template, tmp_path):
    """The app on a free port, on a copy of the migrated SQLite database."""
    path = tmp_path / "live.sqlite"
    shutil.copyfile(sqlite_template, path)
    config = _config(f"sqlite:///{path}")
    config.pop("SERVER_NAME")
    config["WTF_CSRF_ENABLED"] = True  # the real forms, tokens and all
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


class Clock:
    """The app's clock (``lms_risk.timeutil.utcnow``), held still and moved by the test."""

    def __init__(self, monkeypatch):
        self.now = timeutil.utcnow()
        monkeypatch.setattr(timeutil, "utcnow", lambda: self.now)

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)

"""Headers and files: the __Host- cookie and HSTS behind HTTPS, no-store on signed-in pages and
downloads, the CSP, a secret key and SQLite database that are private from the first byte, CSRF
tokens that end with the session."""

import os
import stat

from conftest import PASSWORD, TEST_USERS


def test_secure_cookie_gets_the_host_prefix_and_hsts(monkeypatch, tmp_path):
    from lms_risk.config import build_config

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("LMS_RISK_HSTS_MAX_AGE", "600")
    config = build_config(str(tmp_path))
    assert config["SESSION_COOKIE_NAME"] == "__Host-session" and config["SESSION_COOKIE_SECURE"]
    assert config["HSTS_MAX_AGE"] == 600
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    config = build_config(str(tmp_path))
    assert config["SESSION_COOKIE_NAME"] == "session" and not config["HSTS_MAX_AGE"]


def test_the_served_cookie_and_hsts_over_https(app, client):
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session",
                      HSTS_MAX_AGE=31536000)
    response = client.post("/login", base_url="https://localhost.test",
                           data={"email": TEST_USERS["viewer"][0], "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_signed_in_pages_and_downloads_are_not_stored(client, auth):
    auth.login("viewer")
    for url in ("/risks", "/account", "/risks/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url
    static = client.get("/static/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_csp_forbids_base_and_foreign_forms(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "form-action 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_secret_key_and_database_are_private_from_the_start(tmp_path, monkeypatch):
    from lms_risk.config import build_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    created = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        created.append((os.path.basename(path), mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    build_config(str(tmp_path / "instance"))
    assert ("secret_key", 0o600) in created and ("lms_risk.sqlite", 0o600) in created
    for name in ("secret_key", "lms_risk.sqlite"):
        assert stat.S_IMODE((tmp_path / "instance" / name).stat().st_mode) == 0o600


def test_csrf_tokens_end_with_the_session(app, client, auth):
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "email": TEST_USERS["viewer"][0],
                                "password": PASSWORD})
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    client.post("/login", data={"csrf_token": token, "email": TEST_USERS["viewer"][0],
                                "password": PASSWORD})
    assert client.get("/risks").status_code == 302  # the old token died with the session
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 12 * 3600


def test_no_inline_styles_levels_come_from_a_stylesheet(client, auth, make_risk):
    import re

    from sqlalchemy import select

    from lms_risk.extensions import db
    from lms_risk.matrix.models import RiskLevel

    make_risk(AMB=(4, 3))
    auth.login("admin")
    csp = client.get("/risks").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "style-src 'self';" in csp
    for url in ("/risks", "/heatmap", "/admin/matrix"):
        page = client.get(url).get_data(as_text=True)
        assert " style=" not in page and re.search(r'class="[^"]*level-\d', page), url
        assert "/levels.css" in page
    level = db.session.scalar(select(RiskLevel).filter_by(code="hoog"))
    response = client.get("/levels.css")
    assert response.mimetype == "text/css"
    assert f".level-{level.id}{{background:{level.colour};color:" in response.get_data(as_text=True)
    again = client.get("/levels.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

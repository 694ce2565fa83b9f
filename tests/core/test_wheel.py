"""The wheel: built from the checkout, installed into a fresh virtual environment away from it, it
migrates a database, loads the demo data and serves every page, in Dutch and in English.

The new environment gets the wheel only (``--no-deps``, no network); the dependencies come from
the environment running the tests, through a ``.pth`` line naming its site-packages. Such a line
puts the folder on ``sys.path`` without running the ``.pth`` files in it, so the editable install of
the checkout stays out of sight (the test checks that ``lms_risk`` is imported from the wheel).
"""

import html
import http.cookiejar
import os
import re
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyotp
import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "een nieuw wachtwoord voor de test"


def run(*args, cwd, env, timeout=120):
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv, work folder, environment) with the wheel installed and nothing of the checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LMS_RISK_", "FLASK_", "PYTHON")) and k not in (
               "DATABASE_URL", "SECRET_KEY", "VIRTUAL_ENV")}

    # `pip wheel .` from the checkout: the build takes only files git would (no compiled catalogue,
    # no instance folder), so this is the wheel a clean clone gives.
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
        "--no-index", "-q", "-w", tmp / "dist", cwd=CHECKOUT, env=env)
    [wheel] = (tmp / "dist").glob("lms_risk-*.whl")

    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp, env=env)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q",
        wheel, cwd=tmp, env=env)
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    cwd=tmp, env=env).strip())
    ours = dict.fromkeys(sysconfig.get_path(name) for name in ("purelib", "platlib"))
    (site / "dependencies.pth").write_text("".join(f"{path}\n" for path in ours))

    work = tmp / "work"
    work.mkdir()
    env |= {"DATABASE_URL": f"sqlite:///{work / 'register.sqlite'}", "PATH":
            f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"}
    where = run(python, "-c", "import lms_risk; print(lms_risk.__file__)", cwd=work, env=env)
    assert Path(where.strip()).is_relative_to(site), where
    return venv, work, env


def test_the_wheel_carries_templates_static_files_catalogues_and_migrations(installed):
    venv, _, _ = installed
    [package] = (venv / "lib").glob("python*/site-packages/lms_risk")
    for path in ("templates/base.html", "templates/risks/register.html", "static/app.css",
                 "translations/en/LC_MESSAGES/messages.mo", "migrations/alembic.ini",
                 "migrations/env.py"):
        assert (package / path).is_file(), path
    assert list((package / "migrations" / "versions").glob("*.py"))


def test_the_installed_app_migrates_loads_demo_data_and_serves_every_page(installed):
    venv, work, env = installed
    lms_risk = venv / "bin" / "lms-risk"
    run(lms_risk, "db", "upgrade", cwd=work, env=env)
    demo = run(lms_risk, "demo-data", cwd=work, env=env)
    password = re.search(r"one-time password: (\S+)", demo).group(1)
    assert "admin@lms-risk.local" in demo
    assert list(venv.glob("var/lms_risk-instance/secret_key"))  # Flask's instance folder

    log = (work / "server.log").open("w")
    server = subprocess.Popen([lms_risk, "run", "--host", "127.0.0.1", "--port", "0"], cwd=work,
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = _wait_for_server(work / "server.log", server)
        _browse(base, password)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    output = (work / "server.log").read_text()
    assert "Traceback" not in output, output


def _wait_for_server(log: Path, server) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if match := re.search(r"Running on (http://127\.0\.0\.1:\d+)", log.read_text()):
            return match.group(1)
        assert server.poll() is None, log.read_text()
        time.sleep(0.1)
    raise AssertionError(f"the server did not start:\n{log.read_text()}")


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path) -> tuple[str, str]:
        """(final path, body); any status but 200 fails."""
        with self.opener.open(self.base + path, timeout=10) as response:
            assert response.status == 200, path
            return urllib.parse.urlsplit(response.url).path, response.read().decode()

    def post(self, path, page: str, **fields) -> tuple[str, str]:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            assert response.status == 200, path
            return urllib.parse.urlsplit(response.url).path, response.read().decode()


def _browse(base, password):
    browser = Browser(base)
    _, page = browser.get("/login")
    assert "Inloggen" in page

    where, page = browser.post("/login", page, email="admin@lms-risk.local", password=password)
    assert where == "/account/password"  # the one-time password must be replaced first
    where, page = browser.post("/account/password", page, current=password, new=NEW_PASSWORD,
                               repeat=NEW_PASSWORD)
    assert where == "/account/second-factor", page  # an admin must set up a second factor
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    where, page = browser.post("/account/second-factor", page, code=pyotp.TOTP(secret).now())
    assert 'id="recovery-codes"' in page, page

    menu = re.findall(r'class="nav-link[^"]*"[^>]*href="([^"]+)"', page)
    _, admin = browser.get("/admin/")
    admin_links = re.findall(r'class="list-group-item[^"]*" href="([^"]+)"', admin)
    _, register = browser.get("/risks")
    risk = re.search(r'href="(/risks/R-\d+)"', register).group(1)
    pages = {html.unescape(link) for link in (*menu, *admin_links, risk)}
    assert {"/risks", "/heatmap", "/audit", "/admin/", "/admin/matrix"} <= pages, pages
    for path in sorted(pages):
        browser.get(path)

    assets = re.findall(r'(?:href|src)="(/(?:static|bootstrap)/[^"]+)"', register)
    assert "/static/app.css" in assets and len(assets) >= 3, assets
    for path in map(html.unescape, assets):
        with browser.opener.open(base + path, timeout=10) as response:
            assert response.status == 200 and response.read(), path

    where, page = browser.post("/language", register, lang="en", next="/risks")
    assert where == "/risks"
    assert "Sign out" in page and '<html lang="en">' in page
    assert "Uitloggen" not in page

"""Logging: one line per request, JSON lines on request, refusals and denied access, the level."""

import json
import logging

import pytest

from lms_risk import create_app
from lms_risk.core.logs import log_refusal


@pytest.fixture(autouse=True)
def log_env(request, monkeypatch):
    """``@pytest.mark.log_env(LMS_RISK_LOG_FORMAT="json")`` sets the environment before the app is
    made (an autouse fixture runs before the ``app`` fixture)."""
    monkeypatch.delenv("LMS_RISK_LOG_LEVEL", raising=False)
    monkeypatch.delenv("LMS_RISK_LOG_FORMAT", raising=False)
    marker = request.node.get_closest_marker("log_env")
    for name, value in (marker.kwargs if marker else {}).items():
        monkeypatch.setenv(name, value)


def request_records(caplog):
    return [r for r in caplog.records if r.name == "lms_risk.request"]


def stderr_lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_one_line_per_request_with_user_method_path_status_duration(client, auth, users, caplog,
                                                                    capsys):
    auth.login("viewer")
    capsys.readouterr()
    caplog.clear()

    assert client.get("/risks?q=geheime+zoektekst").status_code == 200

    [record] = request_records(caplog)
    assert record.levelno == logging.INFO
    assert (record.user_id, record.method, record.path, record.status) == (
        users["viewer"].id, "GET", "/risks", 200)
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    [line] = [line for line in stderr_lines(capsys) if "lms_risk.request" in line]
    assert f"request user={users['viewer'].id} method=GET path=/risks status=200 duration_ms=" in line
    assert "geheime" not in line  # the query string (search text) is never logged


def test_anonymous_requests_and_errors_are_logged_too(client, caplog):
    client.get("/login")
    client.get("/bestaat-niet")
    assert [(r.user_id, r.path, r.status) for r in request_records(caplog)] == [
        (None, "/login", 200), (None, "/bestaat-niet", 404)]


def test_a_path_cannot_forge_a_log_line(client, capsys):
    capsys.readouterr()
    client.get("/x%0A2026-01-01 INFO lms_risk.request: request user=1")
    [line] = stderr_lines(capsys)
    assert "path=/x\\n2026-01-01" in line


def test_static_files_only_at_debug(client, caplog):
    client.get("/static/app.css").close()
    assert request_records(caplog) == []


@pytest.mark.log_env(LMS_RISK_LOG_LEVEL="debug")
def test_level_debug_shows_static_files(client, caplog):
    with client.get("/static/app.css") as response:
        assert response.status_code == 200
    [record] = request_records(caplog)
    assert (record.levelno, record.path) == (logging.DEBUG, "/static/app.css")


@pytest.mark.log_env(LMS_RISK_LOG_FORMAT="json")
def test_json_mode_writes_one_json_object_per_line(client, auth, users, capsys):
    auth.login("amb")
    client.get("/heatmap?discipline=AMB")
    entries = [json.loads(line) for line in stderr_lines(capsys)]  # every line parses

    requests = [e for e in entries if e["logger"] == "lms_risk.request"]
    assert [(e["method"], e["path"], e["status"]) for e in requests] == [
        ("POST", "/login", 302), ("GET", "/heatmap", 200)]
    heatmap = requests[1]
    assert heatmap["user_id"] == users["amb"].id
    assert heatmap["level"] == "INFO"
    assert heatmap["message"].startswith(f"request user={users['amb'].id} method=GET path=/heatmap")
    assert isinstance(heatmap["duration_ms"], float)
    assert heatmap["time"].endswith("+00:00")


@pytest.mark.log_env(LMS_RISK_LOG_FORMAT="json")
def test_denied_access_is_a_warning_with_user_and_path(client, auth, users, caplog, capsys):
    auth.login("viewer")
    capsys.readouterr()

    assert client.get("/admin/").status_code == 403

    [denied] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert denied.name == "lms_risk.access"
    assert f"user={users['viewer'].id}" in denied.getMessage() and "/admin/" in denied.getMessage()
    entries = [json.loads(line) for line in stderr_lines(capsys)]
    warning = next(e for e in entries if e["level"] == "WARNING")
    assert (warning["user_id"], warning["path"], warning["kind"]) == (users["viewer"].id, "/admin/",
                                                                       "access")
    assert entries[-1]["logger"] == "lms_risk.request" and entries[-1]["status"] == 403


@pytest.mark.log_env(LMS_RISK_LOG_LEVEL="WARNING")
def test_level_warning_keeps_refusals_and_drops_request_lines(client, auth, capsys):
    auth.login("viewer")
    client.get("/risks")
    client.get("/admin/")
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "WARNING lms_risk.access: access denied" in lines[0]


def test_log_refusal_names_the_user_and_the_fields(app, client, auth, users, caplog):
    auth.login("pol")
    with app.test_request_context("/risks/import", method="POST"):
        from flask_login import login_user
        login_user(users["pol"])
        log_refusal("import", file="register.xlsx", errors=3)
    [record] = [r for r in caplog.records if r.name == "lms_risk.import"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (f"refused import: user={users['pol'].id} method=POST "
                                   "path=/risks/import file=register.xlsx errors=3")
    assert (record.event, record.kind, record.file, record.errors) == ("refused", "import",
                                                                       "register.xlsx", 3)


def test_log_refusal_outside_a_request(caplog):
    log_refusal("save", risk="R-0001", name="clash with a LogRecord attribute")
    [record] = caplog.records
    assert record.getMessage() == ("refused save: risk=R-0001 "
                                   "name_=clash with a LogRecord attribute")


def test_many_apps_one_handler(tmp_path, capsys):
    config = {"TESTING": True, "SECRET_KEY": "x",
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    for _ in range(3):
        app = create_app(config)
    assert len(logging.getLogger("lms_risk").handlers) == 1
    capsys.readouterr()
    app.test_client().get("/healthz")
    assert len(stderr_lines(capsys)) == 1


@pytest.mark.parametrize("name, value", [("LMS_RISK_LOG_LEVEL", "chatty"),
                                         ("LMS_RISK_LOG_FORMAT", "xml")])
def test_a_wrong_setting_stops_the_app(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

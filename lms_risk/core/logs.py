"""Logging: the standard ``logging`` module, set up from the environment by :func:`configure_logging`.

- ``LMS_RISK_LOG_LEVEL``: ``DEBUG``, ``INFO`` (default), ``WARNING``, ``ERROR`` or ``CRITICAL``.
- ``LMS_RISK_LOG_FORMAT``: ``plain`` (default), one readable line per record, or ``json``, one
  JSON object per line with ``time``, ``level``, ``logger``, ``message`` and the record's
  structured fields (``extra=``).

Only the ``lms_risk`` logger (the app's own, also Flask's ``app.logger``) gets a handler, writing
to stderr; the root logger is left to whoever hosts the app. Every request gets one line
``request`` (user id, method, path, status, duration); static files get theirs at DEBUG, since a
page pulls several of them and they say nothing about what a person did.

Features log through ``logging.getLogger("lms_risk.<feature>")``; a request the app refuses (an
import, a save) is logged with :func:`log_refusal`, so that every refusal reads the same.
"""

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect as sa_inspect

LOGGER = "lms_risk"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("plain", "json")
STATIC_ENDPOINTS = {"static", "bootstrap.static"}

log = logging.getLogger(LOGGER)
request_log = logging.getLogger(f"{LOGGER}.request")

# What every LogRecord has; anything else on a record came in through ``extra=``.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName"}
# Control characters (a path may hold an encoded newline) would let a request forge a log line.
_ESCAPES = {c: f"\\x{c:02x}" for c in [*range(32), 127]} | {10: "\\n", 13: "\\r", 9: "\\t"}


def clean(text) -> str:
    """``text`` with control characters escaped, safe to put in one plain log line."""
    return str(text).translate(_ESCAPES)


class PlainFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record):  # noqa: N802 (logging's name); the traceback stays multi-line
        return super().formatMessage(record).translate(_ESCAPES)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the fields given
    with ``extra=``, and the traceback as ``exception`` when there is one."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((k, v) for k, v in vars(record).items()
                     if k not in _RECORD_ATTRIBUTES and not k.startswith("_"))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (as ``logging.lastResort`` does), so
    that a replaced stderr (pytest's capture, a process manager) gets the lines."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _setting(name: str, default: str, allowed: tuple[str, ...], normalise) -> str:
    value = normalise(os.environ.get(name, "").strip() or default)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def configure_logging(app: Flask) -> None:
    """Give the ``lms_risk`` logger its level and one stderr handler, from the environment, and
    log one line per request. Safe to call for every app made in one process (the tests make
    many): the handler is replaced, never added twice."""
    level = _setting("LMS_RISK_LOG_LEVEL", "INFO", LEVELS, str.upper)
    style = _setting("LMS_RISK_LOG_FORMAT", "plain", FORMATS, str.lower)

    for handler in list(log.handlers):
        if isinstance(handler, _StderrHandler) or handler is default_handler:
            log.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if style == "json" else PlainFormatter())
    log.addHandler(handler)
    log.setLevel(level)

    # Registered before the features' hooks: ``after_request`` runs them in reverse, so this one
    # runs last and its duration covers theirs.
    app.before_request(_start_clock)
    app.after_request(_log_request)


def _start_clock():
    g._request_started = time.perf_counter()


def _log_request(response):
    static = request.endpoint in STATIC_ENDPOINTS
    level = logging.DEBUG if static else logging.INFO
    if not request_log.isEnabledFor(level):
        return response
    started = g.get("_request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    fields = {"user_id": _user_id(), "method": request.method, "path": request.path,
              "status": response.status_code, "duration_ms": duration}
    request_log.log(level, "request user=%s method=%s path=%s status=%s duration_ms=%s",
                    fields["user_id"], fields["method"], clean(fields["path"]), fields["status"],
                    fields["duration_ms"], extra=fields)
    return response


def _user_id():
    """The signed-in user's id, or None, without a query: after the request's commit the user
    object is expired, and reading ``id`` would load it again just for the log line."""
    user = g.get("_login_user")  # where Flask-Login keeps the user it loaded for this request
    if user is None:
        return None
    state = sa_inspect(user, raiseerr=False)
    if state is not None and state.identity:
        return state.identity[0]
    return getattr(user, "id", None)


def request_fields() -> dict:
    """``user_id``, ``method`` and ``path`` of the current request (nothing outside a request)."""
    if not has_request_context():
        return {}
    return {"user_id": _user_id(), "method": request.method, "path": request.path}


def log_refusal(kind: str, /, **fields) -> None:
    """One WARNING line for something the app refused: ``refused <kind>: user=… method=… path=…
    key=value …`` on the logger ``lms_risk.<kind>``, with the same fields (and ``event="refused"``,
    ``kind``) as structured fields for JSON. The current request's user, method and path are added
    unless given. Example: ``log_refusal("import", file=name, errors=len(errors))``."""
    fields = {**request_fields(), **fields}
    # A field named like a LogRecord attribute (``name``, ``msg`` …) would make logging raise.
    fields = {(f"{k}_" if k in _RECORD_ATTRIBUTES else k): v for k, v in fields.items()}
    text = " ".join(f"{'user' if key == 'user_id' else key}={clean(value)}"
                    for key, value in fields.items())
    logging.getLogger(f"{LOGGER}.{kind}").warning(
        "refused %s: %s", kind, text, extra={"event": "refused", "kind": kind, **fields})

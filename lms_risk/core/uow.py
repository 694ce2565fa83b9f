"""One unit of work per request and per command (Indico's request handler is the model).

Services change data and flush; they never commit. A request commits once, after its view has
returned a response below 400; an error response or any exception rolls everything back. A
command-line command does the same around its function.

A few writes must outlast a refused request: the record of a failed sign-in, the counter that
throttles the next one, the audit event of a 403 or of a session that expired. A service hands
them to :func:`durable` as a function; they run when the request's own work is done (committed or
rolled back, whichever it was) and commit on their own. They run for a response that a
``before_request`` hook gave (the login guard), for one an error handler gave (403, CSRF) and for
the view's own, never for an unhandled exception (500). Outside a request (a command, a test's
app context) the function runs at once, in the caller's transaction.
"""

import functools
import logging

from flask import Flask, g, has_request_context
from flask.cli import with_appcontext

from ..extensions import db

log = logging.getLogger("lms_risk.uow")


class ConcurrentChangeError(Exception):
    """The database refused a write: another unit of work changed the same row (its version or
    revision column) after this one read it, and committed first. The session must be rolled
    back; the work can then be planned again from what is stored now."""


def durable(write) -> None:
    """Run ``write()`` after this request's unit of work, whatever its outcome, and commit it."""
    if not has_request_context():
        write()
        return
    g.setdefault("_durable_writes", []).append(write)


class UnitOfWorkFlask(Flask):
    def dispatch_request(self):
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            db.session.rollback()
            raise
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    def full_dispatch_request(self):
        try:
            response = super().full_dispatch_request()
        except BaseException:
            g.pop("_durable_writes", None)
            raise
        writes = g.pop("_durable_writes", None)
        if writes:
            self._run_durable(writes)
        return response

    def _run_durable(self, writes) -> None:
        # Whatever the request left uncommitted (a response from a before_request hook or an
        # error handler) is not this transaction's to keep.
        db.session.rollback()
        try:
            for write in writes:
                write()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("durable write failed")


def transactional_command(func):
    """For a click command: app context, then commit when it ends normally, roll back when it
    raises (``click.ClickException``, ``SystemExit`` with a non-zero code, anything else)."""

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
        except SystemExit as stop:
            if stop.code in (None, 0):
                db.session.commit()
            else:
                db.session.rollback()
            raise
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return with_appcontext(wrapped)

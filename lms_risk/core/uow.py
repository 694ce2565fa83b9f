"""One unit of work per request and per command (Indico's request handler is the model).

Services change data and flush; they never commit. A request commits once, after its view has
returned a response below 400; an error response or any exception rolls everything back. A
command-line command does the same around its function.
"""

import functools

from flask import Flask
from flask.cli import with_appcontext

from ..extensions import db



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


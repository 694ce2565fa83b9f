"""The one decorator views use to check a permission on the server."""

import logging
from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from .logs import clean, request_fields

log = logging.getLogger("lms_risk.access")


def require(check):
    """View decorator: 403 unless ``check(current_user)`` holds (login is checked before it)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not check(current_user):
                deny()
            return view(*args, **kwargs)

        return wrapped

    return decorator


def deny():
    """Refuse the request with 403, and say so in the log."""
    log.warning("access denied: user=%s %s %s", getattr(current_user, "id", None),
                request.method, clean(request.path),
                extra={"event": "refused", "kind": "access", **request_fields()})
    g.refusal_logged = True
    abort(403)

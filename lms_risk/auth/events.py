"""Security events: in the audit trail (entity type ``user``, the account concerned; the action a
code, its details parameters, so that each reader sees them in their own language) and one log
line each. They are written with :func:`lms_risk.core.uow.durable`, so that the record of a
refused request (a failed sign-in, a 403, a CSRF error) is kept although the request rolls back."""

import logging
from types import SimpleNamespace

from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..core.logs import clean, log_refusal
from ..core.uow import durable

log = logging.getLogger("lms_risk.auth")

ACTIONS = {
    "signin": _l("ingelogd"),
    "signin_failed": _l("inloggen mislukt"),
    "throttled": _l("geweigerd: te veel pogingen"),
    "signout": _l("uitgelogd"),
    "session_expired": _l("sessie verlopen"),
    "sessions_ended": _l("sessies beëindigd"),
    "password_changed": _l("wachtwoord gewijzigd"),
    "reauth_failed": _l("wachtwoordcontrole mislukt"),
    "access_refused": _l("toegang geweigerd"),
    "csrf_refused": _l("formulier geweigerd (CSRF)"),
    "assign": _l("rol toegekend"),
    "unassign": _l("rol ingetrokken"),
    "deactivate": _l("gedeactiveerd"),
    "activate": _l("geactiveerd"),
    "password_reset": _l("wachtwoord opnieuw ingesteld"),
    "totp_enrolled": _l("tweede factor ingesteld"),
    "totp_reset": _l("tweede factor gewist"),
}
# Which of them are refusals (a WARNING through log_refusal), and under which kind.
REFUSAL_KINDS = {"signin_failed": "signin", "throttled": "throttle", "reauth_failed": "reauth",
                 "access_refused": "access", "csrf_refused": "csrf"}

FIELDS = {
    "address": _l("adres"),
    "reason": _l("reden"),
    "path": _l("pad"),
    "method": _l("methode"),
    "check": _l("controle"),
    "count": _l("aantal"),
    "email": _l("e-mailadres"),
    "until": _l("tot"),
    "factor": _l("factor"),
}
REASONS = {
    "signout": _l("uitgelogd"),
    "idle": _l("te lang inactief"),
    "absolute": _l("maximale duur bereikt"),
    "password": _l("wachtwoord gewijzigd"),
    "deactivated": _l("account gedeactiveerd"),
    "admin": _l("door beheerder"),
    "user": _l("door gebruiker"),
}
CHECKS = {"login": _l("inloggen"), "password": _l("huidig wachtwoord"),
          "totp": _l("tweede factor")}


FACTORS = {"password": _l("wachtwoord"), "totp": _l("authenticator-app"),
           "recovery": _l("herstelcode")}


def show(key: str, value):
    if value is None:
        return None
    if key == "factor":
        return str(FACTORS.get(value, value))
    if key == "reason":
        return str(REASONS.get(value, value))
    if key == "check":
        return str(CHECKS.get(value, value))
    return value


def security_event(action: str, account: str | None, user=None, /, **params) -> None:
    """Record ``action`` about ``account`` (an e-mail address, also one that was only tried) by
    ``user`` (None: nobody signed in), with ``params`` (address, path, reason …)."""
    params = {k: v for k, v in params.items() if v not in (None, "")}
    user_id = getattr(user, "id", None)
    entity_id = (account or "-")[:40]
    if account and len(account) > 40:
        params["email"] = account
    kind = REFUSAL_KINDS.get(action)
    if kind and g.get("refusal_logged"):  # core/access.deny said so already
        pass
    elif kind:
        log_refusal(kind, action=action, account=account or "-", **params)
    else:
        # Not request_fields(): that asks for current_user, which may be loading right now.
        fields = {"user_id": user_id, **({"method": request.method, "path": request.path}
                                         if has_request_context() else {}), **params}
        log.info("%s account=%s %s", action, clean(account or "-"),
                 " ".join(f"{k}={clean(v)}" for k, v in params.items()),
                 extra={"event": action, "account": account, **fields})
    actor = SimpleNamespace(id=user_id)
    changes = {key: [None, value] for key, value in params.items()}
    durable(lambda: record(action, "user", entity_id, actor, changes=changes))

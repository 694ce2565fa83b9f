"""Throttling failed checks of a secret, per account and per client address, in the database
(so that every worker process counts the same failures).

A failure is one row of ``auth_failure``. When an account (or an address) has ``limit`` failures
in the last ``THROTTLE_WINDOW_MINUTES`` (15), its next attempt is refused until one minute after
the latest failure; each further failure doubles that wait, up to the window itself. A success
clears the account's failures of that kind (not the address's: one valid account must not
unlock an address that guesses at others).
"""

from datetime import UTC, timedelta

from flask import current_app, request
from sqlalchemy import delete, func, select

from .. import timeutil
from ..core.uow import durable
from ..extensions import db
from .models import AuthFailure

BASE_WAIT = timedelta(minutes=1)


def client_address() -> str:
    """The client's address: the peer, or what the configured trusted proxies say it is
    (``LMS_RISK_TRUSTED_PROXIES``, applied by werkzeug's ProxyFix in ``web.py``)."""
    return (request.remote_addr or "")[:45]


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC


def retry_at(kind: str, account: str):
    """When the next attempt for ``account`` from this address may come, or None if now."""
    config = current_app.config
    window = timedelta(minutes=config["THROTTLE_WINDOW_MINUTES"])
    now = timeutil.utcnow()
    since = now - window
    until = None
    for column, value, limit in ((AuthFailure.account, account, config["THROTTLE_ACCOUNT_FAILURES"]),
                                 (AuthFailure.address, client_address(),
                                  config["THROTTLE_ADDRESS_FAILURES"])):
        count, last = db.session.execute(
            select(func.count(), func.max(AuthFailure.at))
            .where(AuthFailure.kind == kind, column == value, AuthFailure.at >= since)).one()
        if count >= limit and last is not None:
            wait = min(BASE_WAIT * 2 ** min(count - limit, 16), window)
            moment = _aware(last) + wait
            if moment > now and (until is None or moment > until):
                until = moment
    return until


def failed(kind: str, account: str) -> None:
    """Count a failure (kept although the request that saw it is refused)."""
    row = {"kind": kind, "account": account[:254], "address": client_address(),
           "at": timeutil.utcnow()}
    durable(lambda: db.session.add(AuthFailure(**row)))


def succeeded(kind: str, account: str) -> None:
    """Clear the account's failures of this kind."""
    durable(lambda: db.session.execute(
        delete(AuthFailure).where(AuthFailure.kind == kind, AuthFailure.account == account)))

"""Sessions kept on the server (``user_session``), shared by every worker through the database.

The signed Flask cookie carries a random token under ``sid`` (Flask-Login adds the user's id,
which is only compared); the row's id is the token's SHA-256. Every request looks the row up,
with its user and the user's role assignments, in one query (:func:`load_session_user`, the
login manager's user loader). A session that ended, is idle longer than
``SESSION_IDLE_MINUTES`` or older than ``SESSION_MAX_HOURS`` opens nothing: a replayed cookie is
refused, and the sign-in page says why the user was signed out.
"""

import hashlib
import secrets
from datetime import UTC, timedelta

from flask import current_app, flash, g, request, session
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from .. import timeutil
from ..core.uow import durable
from ..extensions import db
from .events import security_event
from .models import RoleAssignment, User, UserSession
from .throttle import client_address

TOKEN_KEY = "sid"
# last_seen_at is written at most this often (a page pulls several requests).
TOUCH_EVERY = timedelta(seconds=60)
KEEP_ON_CLEAR = ("lang",)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC


def clear_session() -> None:
    """Empty the cookie's session (a new CSRF token follows), keeping the chosen language."""
    kept = {key: session[key] for key in KEEP_ON_CLEAR if key in session}
    session.clear()
    session.update(kept)


def start_session(user: User) -> UserSession:
    """A new server-side session for ``user``, its token in the cookie."""
    now = timeutil.utcnow()
    token = secrets.token_urlsafe(32)
    row = UserSession(id=_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                      expires_at=now + timedelta(hours=current_app.config["SESSION_MAX_HOURS"]),
                      user_agent=(request.user_agent.string or "")[:200],
                      address=client_address())
    db.session.add(row)
    session[TOKEN_KEY] = token
    g.user_session_id = row.id
    return row


def current_session_id() -> str | None:
    """The id of this request's session (once the user is loaded)."""
    return g.get("user_session_id")


def end_sessions(user_id: int, reason: str, *, session_id: str | None = None,
                 keep: str | None = None) -> int:
    """End ``user_id``'s open sessions (only ``session_id`` if given; all but ``keep``); how many."""
    stmt = (update(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .values(ended_at=timeutil.utcnow(), end_reason=reason)
            .execution_options(synchronize_session=False))
    if session_id is not None:
        stmt = stmt.where(UserSession.id == session_id)
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    return db.session.execute(stmt).rowcount


def open_sessions(user_id: int) -> list[UserSession]:
    """The user's sessions that still open pages, newest activity first."""
    config = current_app.config
    now = timeutil.utcnow()
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc()))
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    return [r for r in rows if _aware(r.last_seen_at) + idle > now and _aware(r.expires_at) > now]


SIGNED_OUT_MESSAGES = {
    "idle": lambda: _("U bent uitgelogd omdat u %(minutes)s minuten niets hebt gedaan. "
                      "Log opnieuw in.",
                      minutes=current_app.config["SESSION_IDLE_MINUTES"]),
    "absolute": lambda: _("U bent uitgelogd omdat uw sessie de maximale duur van %(hours)s uur "
                          "heeft bereikt. Log opnieuw in.",
                          hours=current_app.config["SESSION_MAX_HOURS"]),
    "ended": lambda: _("Uw sessie is beëindigd (uitgelogd, wachtwoord gewijzigd of door een "
                       "beheerder). Log opnieuw in."),
}


def load_session_user(user_id: str) -> User | None:
    """The user of this request's session, with their role assignments, in one query; None (and
    the cookie cleared, with a message for the sign-in page) when the session is not valid."""
    token = session.get(TOKEN_KEY)
    if not token:
        return None
    row = db.session.scalars(
        select(UserSession).where(UserSession.id == _hash(token))
        .options(joinedload(UserSession.user).joinedload(User.assignments)
                 .joinedload(RoleAssignment.discipline),
                 joinedload(UserSession.user).joinedload(User.assignments)
                 .joinedload(RoleAssignment.meldkamer))).unique().first()
    if row is None or str(row.user_id) != str(user_id):
        return _refuse(None)
    if row.ended_at is not None or not row.user.active:
        return _refuse("ended")
    config = current_app.config
    now = timeutil.utcnow()
    reason = None
    if _aware(row.last_seen_at) + timedelta(minutes=config["SESSION_IDLE_MINUTES"]) <= now:
        reason = "idle"
    elif _aware(row.expires_at) <= now:
        reason = "absolute"
    if reason:
        session_id, owner, email = row.id, row.user_id, row.user.email
        durable(lambda: end_sessions(owner, reason, session_id=session_id))
        security_event("session_expired", email, row.user, reason=reason)
        return _refuse(reason)
    if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now  # committed with the request's work
    g.user_session_id = row.id
    return row.user


def _refuse(reason: str | None):
    clear_session()
    if reason:
        g.signed_out_reason = reason
        flash(SIGNED_OUT_MESSAGES[reason](), "warning")
    return None

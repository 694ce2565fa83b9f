"""Users: creating them, their role assignments and checking their passwords (argon2id)."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..audit.summaries import coded
from ..extensions import db
from ..reference.models import Discipline, Meldkamer
from .events import security_event
from .models import ROLE_SCOPES, ROLES, RoleAssignment, User
from .passwords import MIN_PASSWORD_LENGTH, password_problem  # noqa: F401 (forms, cli)
from .sessions import end_sessions

# OWASP's argon2id minimum (19 MiB, 2 iterations, 1 lane).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this keeps the time of a login for an unknown e-mail like that of a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


class UserError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def load_user(user_id: int) -> User | None:
    """A user with their assignments and the assignments' disciplines and meldkamers, in one
    query (the login manager calls this on every request)."""
    return db.session.get(User, user_id, options=[
        joinedload(User.assignments).joinedload(RoleAssignment.discipline),
        joinedload(User.assignments).joinedload(RoleAssignment.meldkamer)])


def _lookup(discipline_code: str | None, meldkamer_code: str | None):
    """The discipline and meldkamer named by their codes (either may be None)."""
    if discipline_code and meldkamer_code:
        raise UserError("an assignment has one scope: give --discipline or --meldkamer, not both")
    discipline = meldkamer = None
    if discipline_code:
        discipline = db.session.scalar(select(Discipline).filter_by(code=discipline_code.upper()))
        if discipline is None:
            raise UserError(f"unknown discipline {discipline_code!r}")
    if meldkamer_code:
        meldkamer = db.session.scalar(select(Meldkamer).filter_by(code=meldkamer_code.upper()))
        if meldkamer is None:
            raise UserError(f"unknown meldkamer {meldkamer_code!r}")
    return discipline, meldkamer


def _scope(role: str, discipline_code: str | None, meldkamer_code: str | None):
    """The (discipline, meldkamer) of a new assignment of ``role``, checked against
    ``ROLE_SCOPES``."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    discipline, meldkamer = _lookup(discipline_code, meldkamer_code)
    kind = "discipline" if discipline else "meldkamer" if meldkamer else None
    allowed = ROLE_SCOPES[role]
    if kind not in allowed:
        if role == "member":
            raise UserError("a member represents one discipline: give --discipline")
        if role == "continuity":
            raise UserError("a continuity coordinator works for one meldkamer: give --meldkamer")
        scopes = " or ".join("the whole register" if k is None else f"one {k}" for k in allowed)
        raise UserError(f"role {role} is for {scopes}, not for one {kind}")
    return discipline, meldkamer


def _changes(role: str, discipline, meldkamer, removed: bool = False) -> dict:
    """Audit changes of an assignment, readable: role code (shown as its label) and scope codes."""
    values = {"role": role, "discipline": discipline.code if discipline else None,
              "meldkamer": meldkamer.code if meldkamer else None}
    return {k: [v, None] if removed else [None, v] for k, v in values.items() if v is not None}


def _coded_summary(role: str, discipline, meldkamer) -> str:
    """The audit summary: shown in the reader's language (see audit/summaries.py)."""
    scope = discipline or meldkamer
    return coded("role", role=role, scope=scope.code if scope else None)


def _summary(role: str, discipline, meldkamer) -> str:
    scope = discipline or meldkamer
    return f"role={role}" + (f" {'discipline' if discipline else 'meldkamer'}={scope.code}"
                             if scope else "")


def create_user(email: str, password: str, role: str, *, discipline_code: str | None = None,
                meldkamer_code: str | None = None, name: str = "",
                must_change_password: bool = False, actor=None) -> User:
    """A user with one role assignment; add more with :func:`add_assignment`."""
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"invalid e-mail address: {email}")
    discipline, meldkamer = _scope(role, discipline_code, meldkamer_code)
    if problem := password_problem(password, email=email, name=name):
        raise UserError(problem)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise UserError(f"a user with e-mail {email} exists already")
    user = User(email=email, name=name, password_hash=hash_password(password),
                must_change_password=must_change_password,
                assignments=[RoleAssignment(role=role, discipline=discipline, meldkamer=meldkamer)])
    db.session.add(user)
    db.session.flush()
    record("create", "user", user.email, actor,
           summary=_coded_summary(role, discipline, meldkamer),
           changes=_changes(role, discipline, meldkamer))
    return user


def _find(user: User, role: str, discipline, meldkamer) -> RoleAssignment | None:
    return next((a for a in user.assignments if a.role == role
                 and a.discipline_id == (discipline.id if discipline else None)
                 and a.meldkamer_id == (meldkamer.id if meldkamer else None)), None)


def add_assignment(user: User, role: str, *, discipline_code: str | None = None,
                   meldkamer_code: str | None = None, actor=None) -> RoleAssignment:
    """Give ``user`` one more role (in a scope allowed for it, see ``ROLE_SCOPES``)."""
    discipline, meldkamer = _scope(role, discipline_code, meldkamer_code)
    if _find(user, role, discipline, meldkamer) is not None:
        raise UserError(f"{user.email} holds this role already: "
                        f"{_summary(role, discipline, meldkamer)}")
    assignment = RoleAssignment(role=role, discipline=discipline, meldkamer=meldkamer)
    user.assignments.append(assignment)
    db.session.flush()
    record("assign", "user", user.email, actor,
           summary=_coded_summary(role, discipline, meldkamer),
           changes=_changes(role, discipline, meldkamer))
    return assignment


def remove_assignment(user: User, role: str, *, discipline_code: str | None = None,
                      meldkamer_code: str | None = None, actor=None) -> None:
    """Take one role (in exactly this scope) from ``user``; the last one stays, so that every
    account keeps a role (deactivating accounts is another matter)."""
    discipline, meldkamer = _lookup(discipline_code, meldkamer_code)
    assignment = _find(user, role, discipline, meldkamer)
    if assignment is None:
        raise UserError(f"{user.email} does not hold {_summary(role, discipline, meldkamer)}")
    if len(user.assignments) == 1:
        raise UserError(f"{user.email} would be left without a role; give another role first")
    user.assignments.remove(assignment)
    db.session.flush()
    record("unassign", "user", user.email, actor,
           summary=_coded_summary(role, discipline, meldkamer),
           changes=_changes(role, discipline, meldkamer, removed=True))


def check_new_password(user: User, password: str) -> None:
    if problem := password_problem(password, email=user.email, name=user.name):
        raise UserError(problem)


def change_password(user: User, new_password: str, *, keep_session: str | None = None) -> int:
    """The user's own new password; ends every other session of theirs (``keep_session``, the
    one in which they changed it, continues). Returns how many sessions ended."""
    check_new_password(user, new_password)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    ended = end_sessions(user.id, "password", keep=keep_session)
    security_event("password_changed", user.email, user, count=ended)
    return ended


def one_time_password() -> str:
    """A random password to hand over once (the user must choose their own at first sign-in)."""
    return secrets.token_urlsafe(15)


def reset_password(user: User, actor=None) -> str:
    """A new one-time password for ``user`` (shown once to whoever reset it); ends their
    sessions."""
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    ended = end_sessions(user.id, "admin")
    security_event("password_reset", user.email, actor, count=ended)
    return password


def set_active(user: User, active: bool, actor=None) -> None:
    """Deactivate (ends every session; sign-in refused) or reactivate an account."""
    if user.active == active:
        raise UserError(f"{user.email} is already {'active' if active else 'inactive'}")
    if not active and getattr(actor, "id", None) == user.id:
        raise UserError("you cannot deactivate your own account")
    user.active = active
    ended = 0 if active else end_sessions(user.id, "deactivated")
    security_event("activate" if active else "deactivate", user.email, actor,
                   count=ended or None)


def sign_out_everywhere(user: User, actor=None, reason: str = "admin") -> int:
    ended = end_sessions(user.id, reason)
    security_event("sessions_ended", user.email, actor, reason=reason, count=ended)
    return ended

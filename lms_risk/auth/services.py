"""Users: creating them and checking their passwords (argon2id)."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..audit.services import record
from ..extensions import db
from ..reference.models import Discipline
from .models import ROLES, User

# OWASP's argon2id minimum (19 MiB, 2 iterations, 1 lane).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this keeps the time of a login for an unknown e-mail like that of a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))
MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_user(email: str, password: str, role: str, *, discipline_code: str | None = None,
                name: str = "", must_change_password: bool = False, actor=None) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"invalid e-mail address: {email}")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(db.select(User.id).where(User.email == email)):
        raise UserError(f"a user with e-mail {email} exists already")
    discipline = None
    if discipline_code:
        discipline = db.session.scalar(db.select(Discipline).filter_by(code=discipline_code.upper()))
        if discipline is None:
            raise UserError(f"unknown discipline {discipline_code!r}")
    if role == "member" and discipline is None:
        raise UserError("a member represents one discipline: give --discipline")
    user = User(email=email, name=name, role=role, discipline=discipline,
                password_hash=hash_password(password), must_change_password=must_change_password)
    db.session.add(user)
    db.session.flush()
    record("create", "user", user.email, actor, summary=f"role={role}",
           changes={"role": [None, role], "discipline": [None, discipline_code]})
    return user


def change_password(user: User, new_password: str) -> None:
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    record("update", "user", user.email, user, summary="password changed")

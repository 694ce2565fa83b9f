"""Users and their role assignments.

Access is data: a user holds one or more :class:`RoleAssignment` rows, each a role with a scope —
the whole register (no discipline, no meldkamer), one discipline or one meldkamer. One person can
be the POL board member and the continuity coordinator of meldkamer Rotterdam. Features ask the
helpers of :class:`RoleHolder` (through ``lms_risk/auth/permissions.py``), never the rows.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..reference.models import Discipline, Meldkamer
from ..timeutil import utcnow

# admin: users, scales, reference data and everything else; chair: the risk board's chair, edits
# every risk and every discipline's scores; member: board member for one discipline; viewer: reads;
# auditor: reads everything, history and audit trail included; continuity: continuity coordinator
# of one meldkamer (the BIA and continuity plans will use it; grants nothing more yet).
ROLES = ("admin", "chair", "member", "viewer", "auditor", "continuity")
ROLE_LABELS = {
    "admin": _l("beheerder"),
    "chair": _l("voorzitter van de risicoraad"),
    "member": _l("lid van de risicoraad"),
    "viewer": _l("meelezer"),
    "auditor": _l("auditor"),
    "continuity": _l("continuïteitscoördinator"),
}
# The scopes each role may have: None is the whole register. A member speaks for one discipline;
# a continuity coordinator works for one meldkamer; a viewer may be tied to a discipline (the
# register then opens on that discipline's risks; reading is not limited by it). Admin, chair and
# auditor act for the whole register: a scope would suggest a limit that nothing enforces.
ROLE_SCOPES = {
    "admin": (None,),
    "chair": (None,),
    "member": ("discipline",),
    "viewer": (None, "discipline"),
    "auditor": (None,),
    "continuity": ("meldkamer",),
}


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))


class RoleAssignment(db.Model):
    """A role held by a user, for the whole register, one discipline or one meldkamer."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        CheckConstraint("discipline_id IS NULL OR meldkamer_id IS NULL", name="one_scope"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))
    meldkamer_id: Mapped[int | None] = mapped_column(ForeignKey("meldkamer.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    discipline: Mapped[Discipline | None] = relationship(lazy="joined")
    meldkamer: Mapped[Meldkamer | None] = relationship(lazy="joined")

    @property
    def scope(self):
        """The discipline or meldkamer, or None for the whole register."""
        return self.discipline or self.meldkamer

    @property
    def scope_code(self) -> str | None:
        return self.scope.code if self.scope else None

    @property
    def label(self) -> str:
        """'lid van de risicoraad, POL' — role and scope, in the current language."""
        return role_label(self.role) + (f", {self.scope_code}" if self.scope_code else "")

    def __repr__(self) -> str:
        return f"<RoleAssignment {self.role} {self.scope_code or '*'}>"


# A role once per scope. NULL means 'whole register' here, so NULLs must compare equal, which a
# plain unique constraint does on neither backend: a unique index over the coalesced ids does, alike
# on SQLite and PostgreSQL (ids start at 1).
Index("uq_role_assignment_scope", RoleAssignment.user_id, RoleAssignment.role,
      func.coalesce(RoleAssignment.discipline_id, 0), func.coalesce(RoleAssignment.meldkamer_id, 0),
      unique=True)


class RoleHolder:
    """What every feature may ask about whoever acts: a signed-in :class:`User` or the
    :class:`SystemActor`. Needs ``assignments`` (objects with ``role``, ``discipline_id``,
    ``meldkamer_id``, ``discipline`` and ``meldkamer``)."""

    assignments: list

    @property
    def roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    def has_role(self, *roles: str) -> bool:
        """Holds one of ``roles``, in any scope."""
        return any(a.role in roles for a in self.assignments)

    def has_role_for_discipline(self, role: str, discipline_id: int | None) -> bool:
        """Holds ``role`` for the whole register or for this discipline."""
        return any(a.role == role and a.meldkamer_id is None
                   and a.discipline_id in (None, discipline_id) for a in self.assignments)

    def has_role_for_meldkamer(self, role: str, meldkamer_id: int | None) -> bool:
        """Holds ``role`` for the whole register or for this meldkamer."""
        return any(a.role == role and a.discipline_id is None
                   and a.meldkamer_id in (None, meldkamer_id) for a in self.assignments)

    def disciplines_for(self, role: str) -> list[Discipline]:
        """The disciplines this user holds ``role`` for (not counting a register-wide one)."""
        return [a.discipline for a in self.assignments if a.role == role and a.discipline]

    def meldkamers_for(self, role: str) -> list[Meldkamer]:
        return [a.meldkamer for a in self.assignments if a.role == role and a.meldkamer]

    @property
    def primary_discipline(self) -> Discipline | None:
        """The discipline the register and exports open on: that of the first member assignment,
        else of the first assignment tied to a discipline; None for the whole register."""
        scoped = [a for a in self.assignments if a.discipline is not None]
        member = [a for a in scoped if a.role == "member"]
        first = (member or scoped or [None])[0]
        return first.discipline if first else None

    @property
    def role_summary(self) -> str:
        """'lid van de risicoraad, POL; continuïteitscoördinator, RTD' in the current language."""
        return "; ".join(a.label for a in self.assignments)


class User(RoleHolder, UserMixin, db.Model):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The second factor (auth/second_factor.py): a TOTP secret once enrolment is confirmed, and
    # the time step of the last code accepted (a code opens one sign-in only).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    # Loaded with the user where the user's rights are asked (see services.load_user); the
    # discipline and meldkamer of each assignment come in the same query.
    assignments: Mapped[list[RoleAssignment]] = relationship(
        cascade="all, delete-orphan", order_by=RoleAssignment.id)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def display_name(self) -> str:
        return self.name or self.email


@dataclass(frozen=True)
class _Grant:
    role: str
    discipline_id: int | None = None
    meldkamer_id: int | None = None
    discipline: Discipline | None = None
    meldkamer: Meldkamer | None = None
    scope = None  # the whole register
    scope_code = None

    @property
    def label(self) -> str:
        return role_label(self.role)


class SystemActor(RoleHolder):
    """Who acts when the command line runs without ``--as``: an operator with shell access to the
    server, allowed what an admin may. Audit events record no user (shown as 'systeem')."""

    id = None
    assignments = (_Grant("admin"),)
    is_authenticated = True
    display_name = "lms-risk (opdrachtregel)"


class UserSession(db.Model):
    """A signed-in session, kept on the server so that every worker sees it end.

    The browser's cookie carries a random token; the row's id is the token's SHA-256, so a copy of
    the table opens no session. A session ends (``ended_at`` and ``end_reason``) at sign-out, when
    it has been idle or alive too long, when its user changes their password (their other
    sessions), is deactivated, or is signed out everywhere by an administrator."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user", "user_id", "ended_at"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # absolute lifetime
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(45), default="")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()


class AuthFailure(db.Model):
    """One failed check of a secret (``kind``: login, password, second factor), by account and
    client address, counted by the throttle (``auth/throttle.py``) of every worker alike."""

    __tablename__ = "auth_failure"
    __table_args__ = (Index("ix_auth_failure_account", "kind", "account", "at"),
                      Index("ix_auth_failure_address", "kind", "address", "at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    account: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecoveryCode(db.Model):
    """A one-time code that replaces the second factor once (its SHA-256; the code itself is
    shown to the user once, at enrolment)."""

    __tablename__ = "recovery_code"
    __table_args__ = (Index("ix_recovery_code_user", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

"""Users and their roles."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..reference.models import Discipline
from ..timeutil import utcnow

# admin: users, scales, reference data and everything else; chair: the risk board's chair, edits
# every risk and every discipline's scores; member: board member for one discipline; viewer: reads;
# auditor: reads everything, history and audit trail included.
ROLES = ("admin", "chair", "member", "viewer", "auditor")
ROLE_LABELS = {
    "admin": _l("beheerder"),
    "chair": _l("voorzitter risk board"),
    "member": _l("lid risk board"),
    "viewer": _l("meelezer"),
    "auditor": _l("auditor"),
}


class User(UserMixin, db.Model):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    discipline: Mapped[Discipline | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def display_name(self) -> str:
        return self.name or self.email


class SystemActor:
    """Who acts when the command line runs without ``--as``: an operator with shell access to the
    server, allowed what an admin may. Audit events record no user (shown as 'systeem')."""

    id = None
    role = "admin"
    discipline_id = None
    discipline = None
    is_authenticated = True
    display_name = "lms-risk (opdrachtregel)"

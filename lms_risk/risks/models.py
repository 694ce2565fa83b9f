"""A risk, its per-discipline impact and the history of its scores."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.codes import CodeCounter  # noqa: F401  (the register's counter of codes)
from ..extensions import db
from ..matrix.models import RiskLevel
from ..reference.models import Category, Discipline, Meldkamer, Voorziening
from ..timeutil import utcnow

risk_meldkamer = Table(
    "risk_meldkamer",
    db.metadata,
    Column("risk_id", ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True),
    Column("meldkamer_id", ForeignKey("meldkamer.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
risk_voorziening = Table(
    "risk_voorziening",
    db.metadata,
    Column("risk_id", ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True),
    Column("voorziening_id", ForeignKey("voorziening.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Risk(db.Model):
    __tablename__ = "risk"
    __table_args__ = (
        Index("ix_risk_netto_priority_id", "netto_priority", "id"),
        Index("ix_risk_bruto_priority_id", "bruto_priority", "id"),
        Index("ix_risk_updated_at_id", "updated_at", "id"),
        Index("ix_risk_title_id", "title", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    consequence: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    owner: Mapped[str] = mapped_column(String(200), default="", index=True)
    status: Mapped[str] = mapped_column(String(20), default="concept", index=True)
    bruto_likelihood: Mapped[int] = mapped_column(Integer)
    netto_likelihood: Mapped[int] = mapped_column(Integer)
    target_level_id: Mapped[int | None] = mapped_column(ForeignKey("risk_level.id"))
    next_review: Mapped[date | None] = mapped_column(Date)

    # Derived from the scores by scoring.apply_scores (and re-derived when the matrix changes);
    # stored so that the register can filter and sort at 10,000 risks with plain indexes.
    bruto_impact: Mapped[int | None] = mapped_column(Integer)
    netto_impact: Mapped[int | None] = mapped_column(Integer)
    bruto_priority: Mapped[int] = mapped_column(Integer, default=0)
    netto_priority: Mapped[int] = mapped_column(Integer, default=0)
    bruto_level_id: Mapped[int | None] = mapped_column(ForeignKey("risk_level.id"))
    netto_level_id: Mapped[int | None] = mapped_column(ForeignKey("risk_level.id"), index=True)

    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Archived: out of the register and the heatmaps, history and audit trail kept; restorable.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    archived_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    # A concurrent save that slipped past the service's version check still fails here.
    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category | None] = relationship()
    archived_by: Mapped[User | None] = relationship(foreign_keys=[archived_by_id])
    target_level: Mapped[RiskLevel | None] = relationship(foreign_keys=[target_level_id])
    bruto_level: Mapped[RiskLevel | None] = relationship(foreign_keys=[bruto_level_id])
    netto_level: Mapped[RiskLevel | None] = relationship(foreign_keys=[netto_level_id])
    meldkamers: Mapped[list[Meldkamer]] = relationship(secondary=risk_meldkamer,
                                                       order_by="Meldkamer.sort_order")
    voorzieningen: Mapped[list[Voorziening]] = relationship(secondary=risk_voorziening,
                                                            order_by="Voorziening.sort_order")
    impacts: Mapped[list["DisciplineImpact"]] = relationship(
        back_populates="risk", cascade="all, delete-orphan", order_by="DisciplineImpact.discipline_id"
    )
    score_changes: Mapped[list["ScoreChange"]] = relationship(
        back_populates="risk", cascade="all, delete-orphan",
        order_by="(ScoreChange.changed_at.desc(), ScoreChange.id.desc())",
    )

    def impact_for(self, discipline_id: int) -> "DisciplineImpact | None":
        return next((i for i in self.impacts if i.discipline_id == discipline_id), None)


class DisciplineImpact(db.Model):
    """Whether a risk touches one discipline's meldkamer function, and how badly."""

    __tablename__ = "discipline_impact"
    __table_args__ = (
        UniqueConstraint("risk_id", "discipline_id"),
        Index("ix_discipline_impact_netto", "discipline_id", "applies", "netto_priority", "risk_id"),
        Index("ix_discipline_impact_bruto", "discipline_id", "applies", "bruto_priority", "risk_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id"))
    applies: Mapped[bool] = mapped_column(Boolean, default=False)
    bruto_impact: Mapped[int | None] = mapped_column(Integer)
    netto_impact: Mapped[int | None] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")
    bruto_priority: Mapped[int] = mapped_column(Integer, default=0)
    netto_priority: Mapped[int] = mapped_column(Integer, default=0)
    bruto_level_id: Mapped[int | None] = mapped_column(ForeignKey("risk_level.id"))
    netto_level_id: Mapped[int | None] = mapped_column(ForeignKey("risk_level.id"))

    risk: Mapped[Risk] = relationship(back_populates="impacts")
    discipline: Mapped[Discipline] = relationship()


class ScoreChange(db.Model):
    """One changed score: who, when, old → new and why. Never updated, never deleted alone."""

    __tablename__ = "score_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), index=True)
    discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))
    field: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str | None] = mapped_column(String(20))
    new_value: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    risk: Mapped[Risk] = relationship(back_populates="score_changes")
    discipline: Mapped[Discipline | None] = relationship(lazy="joined")
    user = relationship(User, lazy="joined")

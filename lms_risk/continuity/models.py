"""Continuity plans and their exercises.

A :class:`Plan` belongs to a meldkamer and/or a voorziening and may cover a BIA (whose RTO an
exercise is held against). It names the meldkamer that takes over (``fallback``: uitwijk or
overname), its recovery steps with target times, and its version and approval: an approved
version is frozen; changing it starts a new version (the approved one stays in
:class:`PlanApproval` as a snapshot). An :class:`Exercise` records what a test of the plan
achieved; its :class:`Finding` rows may become a new risk or point at an existing one.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..reference.models import Meldkamer, Voorziening
from ..timeutil import utcnow

PLAN_STATUSES = ("concept", "actief", "vervallen")
FALLBACK_KINDS = ("uitwijk", "overname")
EXERCISE_KINDS = ("tabletop", "failover", "uitwijk")
RESULTS = ("geslaagd", "deels", "niet_geslaagd")

plan_risk = Table(
    "continuity_plan_risk", db.metadata,
    Column("plan_id", ForeignKey("continuity_plan.id", ondelete="CASCADE"), primary_key=True),
    Column("risk_id", ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Plan(db.Model):
    __tablename__ = "continuity_plan"
    __table_args__ = (
        CheckConstraint("status IN ('concept', 'actief', 'vervallen')", name="status"),
        CheckConstraint("fallback_kind IS NULL OR fallback_kind IN ('uitwijk', 'overname')",
                        name="fallback_kind"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # CP-001
    title: Mapped[str] = mapped_column(String(200))
    meldkamer_id: Mapped[int | None] = mapped_column(ForeignKey("meldkamer.id"), index=True)
    voorziening_id: Mapped[int | None] = mapped_column(ForeignKey("voorziening.id"), index=True)
    bia_id: Mapped[int | None] = mapped_column(ForeignKey("bia.id", ondelete="SET NULL"),
                                               index=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    activation_criteria: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[str] = mapped_column(Text, default="")
    fallback_meldkamer_id: Mapped[int | None] = mapped_column(ForeignKey("meldkamer.id"),
                                                              index=True)
    fallback_kind: Mapped[str | None] = mapped_column(String(20))
    manual_procedures: Mapped[str] = mapped_column(Text, default="")
    communication: Mapped[str] = mapped_column(Text, default="")
    target_minutes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="concept")
    review_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Counts every saved change (the plan's version counts approvals): a change made from an older
    # revision is refused; one that slips past that check fails on the UPDATE's condition.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    meldkamer: Mapped[Meldkamer | None] = relationship(foreign_keys=[meldkamer_id])
    fallback_meldkamer: Mapped[Meldkamer | None] = relationship(
        foreign_keys=[fallback_meldkamer_id])
    voorziening: Mapped[Voorziening | None] = relationship()
    bia = relationship("Bia")
    approved_by = relationship("User")
    steps: Mapped[list["RecoveryStep"]] = relationship(
        back_populates="plan", order_by="RecoveryStep.position", cascade="all, delete-orphan")
    exercises: Mapped[list["Exercise"]] = relationship(
        back_populates="plan", order_by="Exercise.held_on", cascade="all, delete-orphan")
    risks = relationship("Risk", secondary=plan_risk, order_by="Risk.code")
    approvals: Mapped[list["PlanApproval"]] = relationship(
        back_populates="plan", order_by="PlanApproval.version", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}

    @property
    def frozen(self) -> bool:
        return self.approved_at is not None


class RecoveryStep(db.Model):
    __tablename__ = "continuity_step"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("continuity_plan.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    target_minutes: Mapped[int | None] = mapped_column(Integer)
    plan: Mapped[Plan] = relationship(back_populates="steps")


class PlanApproval(db.Model):
    """An approved version of a plan, as it was approved (the plan's fields and steps)."""

    __tablename__ = "continuity_plan_approval"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("continuity_plan.id", ondelete="CASCADE"),
                                         index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    plan: Mapped[Plan] = relationship(back_populates="approvals")
    approved_by = relationship("User")


class Exercise(db.Model):
    __tablename__ = "continuity_exercise"
    __table_args__ = (
        CheckConstraint("kind IN ('tabletop', 'failover', 'uitwijk')", name="kind"),
        CheckConstraint("result IS NULL OR result IN ('geslaagd', 'deels', 'niet_geslaagd')",
                        name="result"),
        Index("ix_continuity_exercise_plan_held", "plan_id", "held_on"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # OEF-0001
    plan_id: Mapped[int] = mapped_column(ForeignKey("continuity_plan.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    scenario: Mapped[str] = mapped_column(Text, default="")
    participants: Mapped[str] = mapped_column(Text, default="")
    achieved_minutes: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Counts every saved change, as a plan's revision does: a change made from an older one is
    # refused; one that slips past that check fails on the UPDATE's condition.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    plan: Mapped[Plan] = relationship(back_populates="exercises")
    findings: Mapped[list["Finding"]] = relationship(
        back_populates="exercise", order_by="Finding.position", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


class Finding(db.Model):
    """What an exercise found. ``risk``: the risk it became (``link`` = 'nieuw') or the existing
    risk it was added to as an action (``link`` = 'bestaand')."""

    __tablename__ = "continuity_finding"
    __table_args__ = (CheckConstraint("link IS NULL OR link IN ('nieuw', 'bestaand')",
                                      name="link"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("continuity_exercise.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    risk_id: Mapped[int | None] = mapped_column(ForeignKey("risk.id", ondelete="SET NULL"),
                                                index=True)
    link: Mapped[str | None] = mapped_column(String(20))
    exercise: Mapped[Exercise] = relationship(back_populates="findings")
    risk = relationship("Risk")

"""Control catalogues (frameworks, their controls as a tree, mappings between frameworks), the
implementation of a control per scope (a voorziening or a meldkamer), the hand-set BBN level of a
scope and the links between risks and the controls that reduce them.

Catalogues are data a user loads (``services.load_catalogue``); a control that a newer version of
its catalogue no longer holds is retired (``retired_at``), never deleted, so that its
implementation records and risk links stay.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..reference.models import Discipline, Meldkamer, Voorziening
from ..timeutil import utcnow

STATUSES = ("niet", "deels", "volledig")
RELATIONSHIPS = ("equal", "subset", "superset", "intersect")
LINK_KINDS = ("existing", "planned")
SCOPE_KINDS = ("voorziening", "meldkamer")


class Framework(db.Model):
    __tablename__ = "control_framework"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    urn: Mapped[str] = mapped_column(String(500), unique=True)
    code: Mapped[str] = mapped_column(String(100), index=True)
    name_nl: Mapped[str] = mapped_column(String(300), default="")
    name_en: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[str] = mapped_column(String(50), default="")
    published: Mapped[date | None] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(200), default="")
    copyright: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    controls: Mapped[list["Control"]] = relationship(back_populates="framework",
                                                     order_by="Control.sort_order")

    def name(self, lang: str) -> str:
        return (self.name_en if lang == "en" else self.name_nl) or self.name_nl or self.name_en \
            or self.code


class Control(db.Model):
    __tablename__ = "control"
    __table_args__ = (
        CheckConstraint("bbn_level IS NULL OR bbn_level BETWEEN 1 AND 3", name="bbn_level"),
        Index("ix_control_framework_order", "framework_id", "sort_order"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("control_framework.id"))
    urn: Mapped[str] = mapped_column(String(500), unique=True)
    ref_id: Mapped[str | None] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("control.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    depth: Mapped[int] = mapped_column(Integer, default=1)
    title_nl: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(Text, default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    assessable: Mapped[bool] = mapped_column(Boolean, default=True)
    bbn_level: Mapped[int | None] = mapped_column(Integer, index=True)
    tags: Mapped[str] = mapped_column(Text, default="")  # "|"-separated
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    framework: Mapped[Framework] = relationship(back_populates="controls")
    parent: Mapped["Control | None"] = relationship(remote_side=[id])

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split("|") if t]

    @property
    def label(self) -> str:
        return self.ref_id or self.urn.rsplit(":", 1)[-1]

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" else self.title_nl) or self.title_nl \
            or self.title_en

    def description(self, lang: str) -> str:
        return (self.description_en if lang == "en" else self.description_nl) \
            or self.description_nl or self.description_en


class ControlMapping(db.Model):
    __tablename__ = "control_mapping"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id"),
        CheckConstraint("relationship IN ('equal', 'subset', 'superset', 'intersect')",
                        name="relationship"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("control.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("control.id", ondelete="CASCADE"),
                                           index=True)
    relation: Mapped[str] = mapped_column("relationship", String(20))

    source: Mapped[Control] = relationship(foreign_keys=[source_id])
    target: Mapped[Control] = relationship(foreign_keys=[target_id])


class Implementation(db.Model):
    """A control in one scope: a voorziening or a meldkamer (exactly one), the organisation
    responsible for it (LMS or a discipline), whether it applies (with the reason when not: the
    Verklaring van Toepasselijkheid), its status and evidence. A control without a record in a
    scope counts as not implemented there. Its history is the audit trail."""

    __tablename__ = "control_implementation"
    __table_args__ = (
        UniqueConstraint("control_id", "scope_key"),
        CheckConstraint("(voorziening_id IS NULL) <> (meldkamer_id IS NULL)", name="one_scope"),
        CheckConstraint("status IN ('niet', 'deels', 'volledig')", name="status"),
        Index("ix_control_implementation_scope", "scope_key", "control_id"),
        # covering: the gap analysis reads status and applicability per control and scope
        Index("ix_control_implementation_status_by_control", "control_id", "scope_key", "status",
              "applicable"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"))
    voorziening_id: Mapped[int | None] = mapped_column(ForeignKey("voorziening.id"))
    meldkamer_id: Mapped[int | None] = mapped_column(ForeignKey("meldkamer.id"))
    scope_key: Mapped[str] = mapped_column(String(30))  # "voorziening:<code>", "meldkamer:<code>"
    discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))
    applicable: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="niet", index=True)
    owner: Mapped[str] = mapped_column(String(200), default="", index=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    evidence_link: Mapped[str] = mapped_column(String(500), default="")
    last_checked: Mapped[date | None] = mapped_column(Date)
    next_check: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Counts every saved change, as a plan's revision does: a change made from an older one (a
    # form, a VvT row) is refused; one that slips past that check fails on the UPDATE's condition.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    control: Mapped[Control] = relationship()
    voorziening: Mapped[Voorziening | None] = relationship()
    meldkamer: Mapped[Meldkamer | None] = relationship()
    discipline: Mapped[Discipline | None] = relationship()

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


class ScopeLevel(db.Model):
    """A BBN level set by hand for a scope (overrides what the scope's BIA classification says)."""

    __tablename__ = "control_scope_level"
    __table_args__ = (CheckConstraint("bbn_level BETWEEN 1 AND 3", name="bbn_level"),)
    scope_key: Mapped[str] = mapped_column(String(30), primary_key=True)
    bbn_level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")


class RiskControl(db.Model):
    """A control that reduces a risk: in place (``existing``) or planned."""

    __tablename__ = "risk_control"
    __table_args__ = (CheckConstraint("kind IN ('existing', 'planned')", name="kind"),)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"),
                                         primary_key=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"), primary_key=True,
                                            index=True)
    kind: Mapped[str] = mapped_column(String(20), default="existing")

    control: Mapped[Control] = relationship()
    risk = relationship("Risk")

"""Business impact analyses: a BIA per process or voorziening, in versions.

The subject (:class:`Bia`: name, voorziening, owner, disciplines, meldkamers, next review, BIV
classification and dependencies) stays; what the analysis says (:class:`BiaVersion`: assessment
date, the impact grid, MTPD, RTO, RPO, MBCO, approval) is versioned. A new version copies the
previous one; an approved version is frozen, its MTPD included (stored at approval). Time windows, impact categories, the BBN rule and
the MTPD threshold are data (seeded by the migration), not code.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..reference.models import Discipline, Meldkamer, Voorziening
from ..timeutil import utcnow


class BiaTimeWindow(db.Model):
    __tablename__ = "bia_time_window"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_nl: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50), default="")
    minutes: Mapped[int] = mapped_column(Integer, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class BiaImpactCategory(db.Model):
    __tablename__ = "bia_impact_category"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class BiaSetting(db.Model):
    """Settings of the BIA as data: ``mtpd_threshold`` (the impact value at which the MTPD is
    reached)."""

    __tablename__ = "bia_setting"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class BbnRule(db.Model):
    """The BBN level (BIO 1.04) for each BIV classification: a table, so the board can change the
    rule without code. Seeded with BBN = max(B, I, V)."""

    __tablename__ = "bia_bbn_rule"
    b: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    i: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    v: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bbn: Mapped[int] = mapped_column(Integer)


bia_meldkamer = Table(
    "bia_meldkamer", db.metadata,
    Column("bia_id", ForeignKey("bia.id", ondelete="CASCADE"), primary_key=True),
    Column("meldkamer_id", ForeignKey("meldkamer.id"), primary_key=True),
)
bia_discipline = Table(
    "bia_discipline", db.metadata,
    Column("bia_id", ForeignKey("bia.id", ondelete="CASCADE"), primary_key=True),
    Column("discipline_id", ForeignKey("discipline.id"), primary_key=True),
)
# Which risks a BIA's subject bears on (many to many), editable from either side.
bia_risk = Table(
    "bia_risk", db.metadata,
    Column("bia_id", ForeignKey("bia.id", ondelete="CASCADE"), primary_key=True),
    Column("risk_id", ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Bia(db.Model):
    __tablename__ = "bia"
    __table_args__ = (
        CheckConstraint("biv_b IS NULL OR biv_b BETWEEN 1 AND 3", name="biv_b"),
        CheckConstraint("biv_i IS NULL OR biv_i BETWEEN 1 AND 3", name="biv_i"),
        CheckConstraint("biv_v IS NULL OR biv_v BETWEEN 1 AND 3", name="biv_v"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # BIA-001
    subject: Mapped[str] = mapped_column(String(200))
    voorziening_id: Mapped[int | None] = mapped_column(ForeignKey("voorziening.id"))
    owner: Mapped[str] = mapped_column(String(200), default="")
    next_review: Mapped[date | None] = mapped_column(Date)
    biv_b: Mapped[int | None] = mapped_column(Integer)
    biv_i: Mapped[int | None] = mapped_column(Integer)
    biv_v: Mapped[int | None] = mapped_column(Integer)
    bbn: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    voorziening: Mapped[Voorziening | None] = relationship()
    meldkamers: Mapped[list[Meldkamer]] = relationship(secondary=bia_meldkamer,
                                                       order_by=Meldkamer.sort_order)
    disciplines: Mapped[list[Discipline]] = relationship(secondary=bia_discipline,
                                                         order_by=Discipline.sort_order)
    versions: Mapped[list["BiaVersion"]] = relationship(
        back_populates="bia", order_by="BiaVersion.number", cascade="all, delete-orphan")
    dependencies: Mapped[list["BiaDependency"]] = relationship(
        back_populates="bia", foreign_keys="BiaDependency.bia_id", order_by="BiaDependency.id",
        cascade="all, delete-orphan")
    classifications: Mapped[list["BiaClassification"]] = relationship(
        back_populates="bia", order_by="BiaClassification.id", cascade="all, delete-orphan")
    # ``Risk.bias`` is its other side: deleting a risk drops its links on either backend.
    risks = relationship("Risk", secondary=bia_risk, order_by="Risk.code", backref="bias",
                         passive_deletes=True)

    @property
    def current(self) -> "BiaVersion | None":
        return self.versions[-1] if self.versions else None


class BiaVersion(db.Model):
    __tablename__ = "bia_version"
    __table_args__ = (UniqueConstraint("bia_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bia_id: Mapped[int] = mapped_column(ForeignKey("bia.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    assessment_date: Mapped[date | None] = mapped_column(Date)
    mtpd_override_minutes: Mapped[int | None] = mapped_column(Integer)
    mtpd_override_reason: Mapped[str] = mapped_column(Text, default="")
    rto_minutes: Mapped[int | None] = mapped_column(Integer)
    rpo_minutes: Mapped[int | None] = mapped_column(Integer)
    mbco_minutes: Mapped[int | None] = mapped_column(Integer)
    mbco: Mapped[str] = mapped_column(Text, default="")  # the minimum service level, in words
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The MTPD the grid gave when the version was approved (kept: a later change of the threshold
    # or of a time window does not change an approved version). ``approved_mtpd_threshold`` is
    # set at approval; minutes and window stay empty when no category reached the threshold.
    approved_mtpd_minutes: Mapped[int | None] = mapped_column(Integer)
    approved_mtpd_window_id: Mapped[int | None] = mapped_column(ForeignKey("bia_time_window.id"))
    approved_mtpd_threshold: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    bia: Mapped[Bia] = relationship(back_populates="versions")
    approved_by = relationship("User")
    scores: Mapped[list["BiaScore"]] = relationship(cascade="all, delete-orphan",
                                                    back_populates="version")
    rows: Mapped[list["BiaRow"]] = relationship(cascade="all, delete-orphan",
                                                back_populates="version")

    @property
    def frozen(self) -> bool:
        return self.approved_at is not None

    def grid(self) -> dict[tuple[int, int], int]:
        """(category id, window id) -> impact value."""
        return {(s.category_id, s.window_id): s.impact_value for s in self.scores}

    def row_by_category(self) -> dict[int, "BiaRow"]:
        return {r.category_id: r for r in self.rows}


class BiaScore(db.Model):
    __tablename__ = "bia_score"
    version_id: Mapped[int] = mapped_column(ForeignKey("bia_version.id", ondelete="CASCADE"),
                                            primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("bia_impact_category.id"),
                                             primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("bia_time_window.id"), primary_key=True)
    impact_value: Mapped[int] = mapped_column(ForeignKey("impact_class.value"))
    version: Mapped[BiaVersion] = relationship(back_populates="scores")


class BiaRow(db.Model):
    """Per category of a version: why the scores are what they are, and an optional estimate."""

    __tablename__ = "bia_row"
    version_id: Mapped[int] = mapped_column(ForeignKey("bia_version.id", ondelete="CASCADE"),
                                            primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("bia_impact_category.id"),
                                             primary_key=True)
    justification: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[BiaVersion] = relationship(back_populates="rows")


DEPENDENCY_KINDS = ("bia", "voorziening", "supplier", "location", "person")


class BiaDependency(db.Model):
    """What the subject depends on. ``bia``: another BIA's subject (its recovery time is that
    BIA's RTO, and its own dependencies are followed); ``voorziening``: a voorziening (followed
    through its BIA when it has one); ``supplier``, ``location``, ``person``: a name."""

    __tablename__ = "bia_dependency"
    __table_args__ = (CheckConstraint(
        "kind IN ('bia', 'voorziening', 'supplier', 'location', 'person')", name="kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bia_id: Mapped[int] = mapped_column(ForeignKey("bia.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    target_bia_id: Mapped[int | None] = mapped_column(ForeignKey("bia.id", ondelete="CASCADE"),
                                                      index=True)
    voorziening_id: Mapped[int | None] = mapped_column(ForeignKey("voorziening.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    recovery_minutes: Mapped[int | None] = mapped_column(Integer)

    bia: Mapped[Bia] = relationship(back_populates="dependencies", foreign_keys=[bia_id])
    target_bia: Mapped[Bia | None] = relationship(foreign_keys=[target_bia_id])
    voorziening: Mapped[Voorziening | None] = relationship()


class BiaClassification(db.Model):
    """Every BIV classification given to a BIA's subject, and the BBN level it led to."""

    __tablename__ = "bia_classification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bia_id: Mapped[int] = mapped_column(ForeignKey("bia.id", ondelete="CASCADE"), index=True)
    b: Mapped[int] = mapped_column(Integer)
    i: Mapped[int] = mapped_column(Integer)
    v: Mapped[int] = mapped_column(Integer)
    bbn: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    bia: Mapped[Bia] = relationship(back_populates="classifications")
    user = relationship("User")

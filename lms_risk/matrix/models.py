"""The risk matrix as data: likelihood and impact scales, levels and the grid between them."""

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class RiskLevel(db.Model):
    __tablename__ = "risk_level"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_nl: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50), default="")
    colour: Mapped[str] = mapped_column(String(7))  # '#RRGGBB'
    rank: Mapped[int] = mapped_column(Integer)  # higher is worse

    @property
    def text_colour(self) -> str:
        """Black or white, whichever reads better on :attr:`colour`."""
        r, g, b = (int(self.colour[i : i + 2], 16) for i in (1, 3, 5))
        return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


class ScaleClass:
    value: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label_nl: Mapped[str] = mapped_column(String(50))
    label_en: Mapped[str] = mapped_column(String(50), default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")


class LikelihoodClass(ScaleClass, db.Model):
    __tablename__ = "likelihood_class"


class ImpactClass(ScaleClass, db.Model):
    __tablename__ = "impact_class"


class ImpactDescription(db.Model):
    """What an impact class means for one discipline, where that differs from the general text."""

    __tablename__ = "impact_description"
    __table_args__ = (UniqueConstraint("impact_value", "discipline_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    impact_value: Mapped[int] = mapped_column(ForeignKey("impact_class.value", ondelete="CASCADE"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id", ondelete="CASCADE"))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")


class MatrixCell(db.Model):
    __tablename__ = "matrix_cell"
    likelihood_value: Mapped[int] = mapped_column(
        ForeignKey("likelihood_class.value", ondelete="CASCADE"), primary_key=True
    )
    impact_value: Mapped[int] = mapped_column(
        ForeignKey("impact_class.value", ondelete="CASCADE"), primary_key=True
    )
    level_id: Mapped[int] = mapped_column(ForeignKey("risk_level.id"))
    level: Mapped[RiskLevel] = relationship(lazy="joined")

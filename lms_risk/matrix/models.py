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
        """Black or white, whichever contrasts more with :attr:`colour` (WCAG 2 contrast ratio;
        one of the two always reaches 4.5:1)."""
        return text_colour_for(self.colour)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of '#RRGGBB'."""
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_for(background: str) -> str:
    """'#000000' or '#ffffff', whichever has the higher contrast with ``background``; anything
    that is not '#RRGGBB' gets black."""
    try:
        return ("#000000" if contrast_ratio(background, "#000000")
                >= contrast_ratio(background, "#ffffff") else "#ffffff")
    except (ValueError, TypeError, IndexError):
        return "#000000"


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

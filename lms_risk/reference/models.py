"""Reference data: disciplines, meldkamers, voorzieningen and risk categories."""

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ReferenceItem:
    """The shape all reference lists share: a stable code and a Dutch and English name."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


class Discipline(ReferenceItem, db.Model):
    __tablename__ = "discipline"


class Meldkamer(ReferenceItem, db.Model):
    __tablename__ = "meldkamer"
    location: Mapped[str] = mapped_column(String(100), default="")


class Voorziening(ReferenceItem, db.Model):
    __tablename__ = "voorziening"


class Category(ReferenceItem, db.Model):
    __tablename__ = "category"


REFERENCE_KINDS: dict[str, type] = {
    "disciplines": Discipline,
    "meldkamers": Meldkamer,
    "voorzieningen": Voorziening,
    "categorieen": Category,
}

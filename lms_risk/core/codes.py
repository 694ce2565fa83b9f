"""Codes handed out in series (R-0001, CP-001, OEF-0001, BIA-001): the last number of each series
is one row of ``code_counter``, taken with one atomic UPDATE … RETURNING, so that two creates at
the same moment queue on that row (PostgreSQL's row lock, SQLite's write lock) and get different
numbers, and no create reads every code."""

from sqlalchemy import Integer, String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CodeCounter(db.Model):
    """The last number handed out per code series ("risk": R-0001, R-0002, …)."""

    __tablename__ = "code_counter"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False)


def next_code(series: str, model, prefix: str, width: int) -> str:
    """The next free code of ``series`` for ``model`` (its ``code`` column): ``prefix`` and the
    number, at least ``width`` digits. A series without a counter row yet starts after the
    highest code of that form (read once); a code that exists already (given explicitly) is
    skipped."""
    table = CodeCounter.__table__
    while True:
        number = db.session.execute(
            update(table).where(table.c.name == series)
            .values(value=table.c.value + 1).returning(table.c.value)).scalar()
        if number is None:
            _start(series, model, prefix)
            continue
        code = f"{prefix}{number:0{width}d}"
        if db.session.scalar(select(model.id).where(model.code == code)) is None:
            return code


def _start(series: str, model, prefix: str) -> None:
    """The counter row of ``series``, at the highest number among ``model``'s codes. Two first
    creates at once: one inserts it, the other finds it (its insert, in a savepoint, fails)."""
    highest = max((int(code[len(prefix):]) for code in db.session.scalars(
        select(model.code).where(model.code.startswith(prefix, autoescape=True)))
        if code[len(prefix):].isdigit()), default=0)
    try:
        with db.session.begin_nested():
            db.session.execute(insert(CodeCounter.__table__).values(name=series, value=highest))
    except IntegrityError:
        pass

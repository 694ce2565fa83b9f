"""Re-deriving every stored level when the matrix's grid changes. Scores and versions stay."""

from sqlalchemy import update

from ..extensions import db
from ..matrix.services import load_grid
from ..matrix.signals import grid_changed
from .models import DisciplineImpact, Risk
from .scoring import level_for


@grid_changed.connect
def _on_grid_changed(_sender, **_kwargs) -> None:
    relevel_all()


def relevel_all() -> None:
    """Recompute every stored level from the current grid. Scores and versions stay as they are."""
    grid = load_grid()
    for basis in ("bruto", "netto"):
        likelihood = getattr(Risk, f"{basis}_likelihood")
        impact_col = getattr(DisciplineImpact, f"{basis}_impact")
        rows = db.session.execute(
            db.select(DisciplineImpact.id, likelihood, impact_col)
            .join(Risk, Risk.id == DisciplineImpact.risk_id)
            .where(DisciplineImpact.applies)
        ).all()
        _bulk_set(DisciplineImpact, f"{basis}_level_id",
                  [(i, level_for(grid, lik, imp)) for i, lik, imp in rows])
        rows = db.session.execute(
            db.select(Risk.id, likelihood, getattr(Risk, f"{basis}_impact"))
        ).all()
        _bulk_set(Risk, f"{basis}_level_id", [(i, level_for(grid, lik, imp)) for i, lik, imp in rows])
    db.session.expire_all()


def _bulk_set(model, column: str, pairs: list[tuple[int, int | None]]) -> None:
    # A core UPDATE per distinct value: no ORM objects, and the version column is left alone.
    by_value: dict[int | None, list[int]] = {}
    for pk, value in pairs:
        by_value.setdefault(value, []).append(pk)
    for value, ids in by_value.items():
        for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            db.session.execute(
                update(model.__table__)
                .where(model.__table__.c.id.in_(ids[start : start + 900]))
                .values({column: value})
            )

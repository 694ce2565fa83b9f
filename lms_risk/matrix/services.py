"""Changing the risk matrix. A changed grid is announced (``grid_changed``); the features that
store levels (the risks) re-derive them."""

from ..audit.services import record
from ..audit.summaries import coded
from ..extensions import db
from .models import ImpactClass, ImpactDescription, LikelihoodClass, MatrixCell, RiskLevel
from .signals import grid_changed


class MatrixError(ValueError):
    pass


def load_grid() -> dict[tuple[int, int], int]:
    """(likelihood, impact) -> level id of every cell."""
    rows = db.session.execute(
        db.select(MatrixCell.likelihood_value, MatrixCell.impact_value, MatrixCell.level_id)
    )
    return {(lik, imp): level for lik, imp, level in rows}


def matrix_snapshot() -> dict:
    levels = {lvl.id: lvl.code for lvl in db.session.scalars(db.select(RiskLevel))}
    return {
        f"{c.likelihood_value}x{c.impact_value}": levels[c.level_id]
        for c in db.session.scalars(db.select(MatrixCell))
    }


def update_grid(cells: dict[tuple[int, int], int], user) -> int:
    """Set the level of each (likelihood, impact) cell; re-level all risks. Returns cells changed."""
    valid_levels = set(db.session.scalars(db.select(RiskLevel.id)))
    before = matrix_snapshot()
    changed = 0
    for cell in db.session.scalars(db.select(MatrixCell)):
        new = cells.get((cell.likelihood_value, cell.impact_value))
        if new is None:
            continue
        if new not in valid_levels:
            raise MatrixError(f"unknown level {new}")
        if cell.level_id != new:
            cell.level_id = new
            changed += 1
    if changed:
        db.session.flush()
        record("update", "matrix", "grid", user, summary=coded("matrix_changed"),
               changes={k: [before[k], v] for k, v in matrix_snapshot().items() if before[k] != v})
        grid_changed.send(None)
    return changed


def update_scale(kind: str, value: int, data: dict, user) -> None:
    model = {"likelihood": LikelihoodClass, "impact": ImpactClass}[kind]
    item = db.session.get(model, value)
    before = {k: getattr(item, k) for k in data}
    for k, v in data.items():
        setattr(item, k, v)
    changes = {k: [before[k], v] for k, v in data.items() if before[k] != v}
    if changes:
        record("update", f"{kind}_class", value, user, changes=changes)


def update_level(level: RiskLevel, data: dict, user) -> None:
    changes = {k: [getattr(level, k), v] for k, v in data.items() if getattr(level, k) != v}
    for k, v in data.items():
        setattr(level, k, v)
    if changes:
        record("update", "risk_level", level.code, user, changes=changes)


def set_impact_description(impact_value: int, discipline_id: int, nl: str, en: str, user) -> None:
    item = db.session.scalar(db.select(ImpactDescription).filter_by(
        impact_value=impact_value, discipline_id=discipline_id))
    old = (item.description_nl, item.description_en) if item else ("", "")
    if old == (nl, en):
        return
    if item is None:
        item = ImpactDescription(impact_value=impact_value, discipline_id=discipline_id)
        db.session.add(item)
    item.description_nl, item.description_en = nl, en
    record("update", "impact_description", f"{discipline_id}:{impact_value}", user,
           changes={"description_nl": [old[0], nl], "description_en": [old[1], en]})

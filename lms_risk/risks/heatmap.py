"""Heatmaps: the number of risks in each cell of the matrix, per discipline or register-wide."""

from dataclasses import dataclass, replace

from sqlalchemy import func, select

from ..extensions import db
from ..matrix.models import ImpactClass, LikelihoodClass, MatrixCell
from .register import RegisterFilter, Codes, filtered_select, score_columns


@dataclass
class Heatmap:
    filter: RegisterFilter
    likelihoods: list[LikelihoodClass]  # highest first: rows top to bottom
    impacts: list[ImpactClass]
    cells: dict[tuple[int, int], MatrixCell]
    counts: dict[tuple[int, int], int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def build_heatmap(flt: RegisterFilter, disciplines=None, levels=None) -> Heatmap:
    """Counts over exactly the risks the register shows for ``flt``, minus any cell or level."""
    flt = replace(flt, likelihood=None, impact=None, level=None)
    stmt, di = filtered_select(flt, Codes(disciplines, levels))
    likelihood, impact, _ = score_columns(flt, di)
    counted = stmt.with_only_columns(likelihood, impact, func.count()).where(impact.is_not(None)) \
        .group_by(likelihood, impact)
    counts = {(lik, imp): n for lik, imp, n in db.session.execute(counted)}
    cells = {(c.likelihood_value, c.impact_value): c for c in db.session.scalars(select(MatrixCell))}
    return Heatmap(
        filter=flt,
        likelihoods=list(db.session.scalars(select(LikelihoodClass).order_by(LikelihoodClass.value.desc()))),
        impacts=list(db.session.scalars(select(ImpactClass).order_by(ImpactClass.value))),
        cells=cells,
        counts=counts,
    )

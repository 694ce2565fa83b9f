"""The scoring rules, in one place.

Priority for a discipline is likelihood × that discipline's impact. The register-wide score takes
the worst discipline: its impact is the highest impact among the disciplines the risk applies to,
so its priority is the highest discipline priority (likelihood is shared). Levels come from the
matrix cell (likelihood, impact). A board that wants another aggregation changes
:func:`register_impact` only.
"""

from collections.abc import Iterable, Mapping

Grid = Mapping[tuple[int, int], int]  # (likelihood, impact) -> level id


def priority(likelihood: int | None, impact: int | None) -> int:
    if not likelihood or not impact:
        return 0
    return likelihood * impact


def level_for(grid: Grid, likelihood: int | None, impact: int | None) -> int | None:
    if not likelihood or not impact:
        return None
    return grid.get((likelihood, impact))


def register_impact(impacts: Iterable[int | None]) -> int | None:
    """The register-wide impact: the highest impact over the disciplines the risk applies to."""
    values = [i for i in impacts if i]
    return max(values) if values else None


# (index in an impact's scores, basis, and the keys derived for it), made once.
_BASES = tuple((index, basis, f"{basis}_priority", f"{basis}_level_id", f"{basis}_impact")
               for index, basis in ((1, "bruto"), (2, "netto")))


def derive(likelihoods: Mapping[str, int | None], impacts: Mapping[object, tuple],
           grid: Grid) -> tuple[dict, dict]:
    """Every derived value from the scores, for ORM objects and bulk inserts alike.

    ``likelihoods``: {"bruto": int, "netto": int}; ``impacts``: {key: (applies, bruto, netto)}.
    Returns (risk values, {key: impact values}) with the ``*_impact`` (risk only),
    ``*_priority`` and ``*_level_id`` columns.
    """
    risk_values: dict = {}
    impact_values: dict = {key: {} for key in impacts}
    for index, basis, priority_key, level_key, impact_key in _BASES:
        likelihood = likelihoods[basis]
        for key, scores in impacts.items():
            value = scores[index] if scores[0] else None
            values = impact_values[key]
            values[priority_key] = priority(likelihood, value)
            values[level_key] = level_for(grid, likelihood, value)
        worst = register_impact(scores[index] for scores in impacts.values() if scores[0])
        risk_values[impact_key] = worst
        risk_values[priority_key] = priority(likelihood, worst)
        risk_values[level_key] = level_for(grid, likelihood, worst)
    return risk_values, impact_values


def apply_scores(risk, grid: Grid) -> None:
    """Derive every priority and level of ``risk`` and its discipline impacts from its scores."""
    risk_values, impact_values = derive(
        {"bruto": risk.bruto_likelihood, "netto": risk.netto_likelihood},
        {impact: (impact.applies, impact.bruto_impact, impact.netto_impact) for impact in risk.impacts},
        grid,
    )
    for impact, values in impact_values.items():
        _assign_changed(impact, values)
    _assign_changed(risk, risk_values)


def _assign_changed(obj, values: dict) -> None:
    # Assigning an equal value would still mark the row dirty and bump the risk's version.
    for attr, value in values.items():
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)

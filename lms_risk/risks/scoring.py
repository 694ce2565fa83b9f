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


# The columns derive() gives, for a risk and for each of its discipline impacts.
RISK_DERIVED = ("bruto_impact", "bruto_priority", "bruto_level_id", "netto_impact",
                "netto_priority", "netto_level_id")
IMPACT_DERIVED = ("bruto_priority", "bruto_level_id", "netto_priority", "netto_level_id")


def derive(likelihoods: Mapping[str, int | None], impacts: Mapping[object, tuple],
           grid: Grid) -> tuple[dict, dict]:
    """Every derived value from the scores, for ORM objects and bulk inserts alike.

    ``likelihoods``: {"bruto": int, "netto": int}; ``impacts``: {key: (applies, bruto, netto)}.
    Returns (risk values, {key: impact values}) with the ``*_impact`` (risk only),
    ``*_priority`` and ``*_level_id`` columns.
    """
    bruto_likelihood, netto_likelihood = likelihoods["bruto"], likelihoods["netto"]
    impact_values: dict = {}
    brutos, nettos = [], []
    for key, (applies, bruto, netto) in impacts.items():
        if not applies:
            bruto = netto = None
        else:
            brutos.append(bruto)
            nettos.append(netto)
        impact_values[key] = {
            "bruto_priority": priority(bruto_likelihood, bruto),
            "bruto_level_id": level_for(grid, bruto_likelihood, bruto),
            "netto_priority": priority(netto_likelihood, netto),
            "netto_level_id": level_for(grid, netto_likelihood, netto)}
    bruto, netto = register_impact(brutos), register_impact(nettos)
    risk_values = {
        "bruto_impact": bruto, "bruto_priority": priority(bruto_likelihood, bruto),
        "bruto_level_id": level_for(grid, bruto_likelihood, bruto),
        "netto_impact": netto, "netto_priority": priority(netto_likelihood, netto),
        "netto_level_id": level_for(grid, netto_likelihood, netto)}
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

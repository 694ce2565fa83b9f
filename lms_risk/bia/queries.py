"""Read functions on BIAs that pages and other features may use. Each runs a constant number of
queries, whatever the number of BIAs, versions, links or the length of a dependency chain.

- :func:`current_versions` ``(bia_ids=None)`` → ``{bia id: BiaVersion}``: each BIA's current
  (latest) version with its scores loaded (2 queries; 1 with ``scores=False``). ``None``: every
  BIA.
- :func:`derived_windows` ``(version_ids, config)`` → ``{version id: window}``: where each
  version's grid reaches the MTPD threshold (1 query, no scores loaded).
- :func:`targets` ``(bia_ids=None)`` → ``{bia id: Targets}``: MTPD (derived or overridden; as
  stored at approval for an approved version), RTO, RPO, MBCO of the current version (2 queries
  and the BIA configuration).
- :func:`bias_for_risks` ``(risk_ids)`` → ``{risk id: [Bia, …]}``: the BIAs linked to each risk
  (2 queries: the links with their BIAs, and the BIAs' meldkamers).
- :func:`risks_for_bia` ``(bia_id)`` → the linked risks, by code (1 query).
- :func:`voorzieningen_without_current_bia` ``(today)`` → active voorzieningen (reference items)
  with no BIA, or whose BIAs all have their review overdue or no approved version, each with
  why (1 query for BIAs with their versions' approval; the reference data is cached).
- :func:`slow_dependencies` ``()`` → every dependency that recovers slower than what depends on
  it, followed through whole chains, for every BIA (:class:`~.graph.DependencyGraph`, a
  constant number of queries).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..reference.data import refdata
from .config import bia_config
from .models import Bia, BiaScore, BiaVersion, bia_risk


def current_versions(bia_ids=None, scores: bool = True) -> dict:
    """``scores=False``: the versions without their scores (what needs only their MTPD asks
    :func:`derived_windows`, one aggregate query, rather than load every score)."""
    latest = select(BiaVersion.bia_id, func.max(BiaVersion.number).label("number")) \
        .group_by(BiaVersion.bia_id)
    if bia_ids is not None:
        bia_ids = list(bia_ids)
        if not bia_ids:
            return {}
        latest = latest.where(BiaVersion.bia_id.in_(bia_ids))
    latest = latest.subquery()
    query = select(BiaVersion).join(latest, (BiaVersion.bia_id == latest.c.bia_id)
                                    & (BiaVersion.number == latest.c.number))
    if scores:
        query = query.options(selectinload(BiaVersion.scores))
    return {v.bia_id: v for v in db.session.scalars(query)}


def derived_windows(version_ids, config) -> dict:
    """``{version id: window}``: the first (shortest) window in which any category of the version
    reaches the MTPD threshold, what :func:`~.services.derived_mtpd` finds in a loaded grid, here
    from the scores that reach it (one query); a version that never does is left out."""
    version_ids = list(version_ids)
    order = {w.id: n for n, w in enumerate(config.windows)}
    if not version_ids or not order:
        return {}
    rows = db.session.execute(
        select(BiaScore.version_id, BiaScore.window_id).distinct()
        .where(BiaScore.version_id.in_(version_ids),
               BiaScore.impact_value >= config.mtpd_threshold,
               BiaScore.window_id.in_(list(order)),
               BiaScore.category_id.in_([c.id for c in config.categories])))
    first: dict = {}
    for version_id, window_id in rows:
        if version_id not in first or order[window_id] < order[first[version_id]]:
            first[version_id] = window_id
    return {v: config.windows[order[w]] for v, w in first.items()}


@dataclass
class Targets:
    version: BiaVersion
    mtpd: object  # services.Mtpd
    rto: int | None
    rpo: int | None
    mbco: int | None


def targets(bia_ids=None) -> dict:
    from .services import mtpd_from
    config = bia_config()
    versions = current_versions(bia_ids, scores=False)
    windows = derived_windows([v.id for v in versions.values()], config)
    return {bia_id: Targets(v, mtpd_from(v, windows.get(v.id), config), v.rto_minutes,
                            v.rpo_minutes, v.mbco_minutes)
            for bia_id, v in versions.items()}


def bias_for_risks(risk_ids) -> dict:
    risk_ids = list(risk_ids)
    out: dict = {rid: [] for rid in risk_ids}
    if not risk_ids:
        return out
    rows = db.session.execute(select(bia_risk.c.risk_id, Bia).join(Bia, Bia.id == bia_risk.c.bia_id)
                              .where(bia_risk.c.risk_id.in_(risk_ids)).order_by(Bia.code)
                              .options(selectinload(Bia.meldkamers)))
    for risk_id, bia in rows:
        out[risk_id].append(bia)
    return out


def risks_for_bia(bia_id: int) -> list:
    from ..risks.models import Risk
    return list(db.session.scalars(select(Risk).join(bia_risk, bia_risk.c.risk_id == Risk.id)
                                   .where(bia_risk.c.bia_id == bia_id).order_by(Risk.code)))


@dataclass
class MissingBia:
    voorziening: object  # a reference item
    reason: str  # "none", "overdue", "not_approved"
    bias: list


def voorzieningen_without_current_bia(today: date) -> list[MissingBia]:
    """Active voorzieningen without a current BIA: none at all (``none``), or every BIA of it has
    its review date passed (``overdue``) or no approved version (``not_approved``)."""
    refs = refdata()
    bias = db.session.scalars(select(Bia).where(Bia.voorziening_id.is_not(None))
                              .options(selectinload(Bia.versions)).order_by(Bia.code)).all()
    by_voorziening: dict = {}
    for bia in bias:
        by_voorziening.setdefault(bia.voorziening_id, []).append(bia)
    out = []
    for item in refs.voorzieningen.active:
        found = by_voorziening.get(item.id, [])
        if not found:
            out.append(MissingBia(item, "none", []))
            continue
        if any(_is_current(b, today) for b in found):
            continue
        approved = any(v.approved_at is not None for b in found for v in b.versions)
        out.append(MissingBia(item, "overdue" if approved else "not_approved", found))
    return out


def _is_current(bia: Bia, today: date) -> bool:
    if bia.next_review is not None and bia.next_review < today:
        return False
    return any(v.approved_at is not None for v in bia.versions)


def slow_dependencies() -> list:
    """(Bia, ChainWarning) for every BIA, through whole chains; each slow link is reported under
    every BIA whose chain reaches it."""
    from .graph import DependencyGraph
    graph = DependencyGraph.load()
    return [(graph.bias[bia_id], warning) for bia_id in sorted(graph.bias, key=lambda i:
                                                               graph.bias[i].code)
            for warning in graph.warnings(bia_id)[0]]

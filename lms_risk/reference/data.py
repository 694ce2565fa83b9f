"""The reference data a page, a form, an export or an import needs, loaded once per request.

Disciplines, meldkamers, voorzieningen, categories, the matrix's levels and scales and its grid:
small lists that nearly every request reads. :func:`refdata` loads them in a few queries and keeps
them on ``flask.g`` for the rest of the request; outside a request (the command line, a test
calling a service) every call loads afresh.

Inactive items stay resolvable by code and id (old risks keep them, an unchanged export re-imports),
but they are left out of ``choices``: forms, filters and the code lists offer only active ones.
"""

from dataclasses import dataclass, field
from functools import cached_property

from flask import g, has_request_context
from sqlalchemy import literal, select, union_all

from ..extensions import db
from ..matrix.models import ImpactClass, LikelihoodClass, MatrixCell, RiskLevel
from .models import Category, Discipline, Meldkamer, Voorziening

LISTS = {"disciplines": Discipline, "meldkamers": Meldkamer, "voorzieningen": Voorziening,
         "categories": Category}


@dataclass
class RefList:
    """One reference list, in its sort order: every item, and the active ones."""

    all: list
    by_code: dict = field(init=False)
    by_id: dict = field(init=False)

    def __post_init__(self):
        self.by_code = {item.code: item for item in self.all}
        self.by_id = {item.id: item for item in self.all}

    @property
    def active(self) -> list:
        return [item for item in self.all if item.active]

    def choices(self, keep=()) -> list:
        """Active items, plus the inactive ones in ``keep`` (codes a record already has)."""
        keep = set(keep)
        return [item for item in self.all if item.active or item.code in keep]


class RefData:
    """The code lists (loaded at once, one query) and the matrix's levels, scales and grid
    (each loaded when first asked for: a register page needs the levels, a form the scales)."""

    def __init__(self, disciplines: RefList, meldkamers: RefList, voorzieningen: RefList,
                 categories: RefList):
        self.disciplines, self.meldkamers = disciplines, meldkamers
        self.voorzieningen, self.categories = voorzieningen, categories

    def list(self, name: str) -> RefList:
        return getattr(self, name)

    @cached_property
    def levels(self) -> list:  # by rank, lowest first
        return list(db.session.scalars(select(RiskLevel).order_by(RiskLevel.rank)))

    @cached_property
    def level_by_id(self) -> dict:
        return {lvl.id: lvl for lvl in self.levels}

    @cached_property
    def level_by_code(self) -> dict:
        return {lvl.code: lvl for lvl in self.levels}

    @cached_property
    def likelihoods(self) -> list:  # by value
        return list(db.session.scalars(select(LikelihoodClass).order_by(LikelihoodClass.value)))

    @cached_property
    def impacts(self) -> list:
        return list(db.session.scalars(select(ImpactClass).order_by(ImpactClass.value)))

    def values(self, scale: str) -> frozenset[int]:
        """The values of a scale ("likelihoods", "impacts"), for range checks in hot loops."""
        cache = self.__dict__.setdefault("_values", {})
        if scale not in cache:
            cache[scale] = frozenset(c.value for c in getattr(self, scale))
        return cache[scale]

    @cached_property
    def grid(self) -> dict:  # (likelihood, impact) -> level id
        return {(lik, imp): level for lik, imp, level in db.session.execute(
            select(MatrixCell.likelihood_value, MatrixCell.impact_value, MatrixCell.level_id))}


@dataclass(frozen=True, slots=True)
class Item:
    """A reference item as lists show it (plain values, no ORM object)."""

    id: int
    code: str
    name_nl: str
    name_en: str
    sort_order: int
    active: bool


def load_refdata() -> RefData:
    """The four code lists in one UNION query; the rest when first used."""
    parts = [select(literal(kind).label("kind"), model.id, model.code, model.name_nl, model.name_en,
                    model.sort_order, model.active) for kind, model in LISTS.items()]
    lists: dict[str, list[Item]] = {kind: [] for kind in LISTS}
    for row in db.session.execute(union_all(*parts).order_by("kind", "sort_order", "id")):
        lists[row.kind].append(Item(*row[1:]))
    return RefData(**{kind: RefList(items) for kind, items in lists.items()})


def refdata() -> RefData:
    if not has_request_context():
        return load_refdata()
    data = g.get("_lms_refdata")
    if data is None:
        data = g._lms_refdata = load_refdata()
    return data


def forget_refdata() -> None:
    """After a change of reference data or the matrix within a request."""
    if has_request_context():
        g.pop("_lms_refdata", None)

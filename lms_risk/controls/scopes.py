"""Scopes of an implementation: a voorziening or a meldkamer from the reference data, keyed
``v:<id>`` or ``m:<id>``; and the BBN level of a scope (set by hand, else from the BIA's BIV
classification of a voorziening)."""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..bia.models import Bia
from ..extensions import db
from .models import ScopeLevel

PREFIX = {"voorziening": "v", "meldkamer": "m"}
KIND = {v: k for k, v in PREFIX.items()}


@dataclass(frozen=True)
class Scope:
    kind: str  # voorziening | meldkamer
    id: int
    code: str
    name_nl: str
    name_en: str

    @property
    def key(self) -> str:
        return f"{PREFIX[self.kind]}:{self.id}"

    @property
    def param(self) -> str:  # in URLs and the workbook: "voorziening:GMS"
        return f"{self.kind}:{self.code}"

    def name(self, lang: str) -> str:
        return (self.name_en if lang == "en" else self.name_nl) or self.name_nl

    @property
    def meldkamer_id(self) -> int | None:
        return self.id if self.kind == "meldkamer" else None


def all_scopes(refs, active_only: bool = True) -> list[Scope]:
    """Voorzieningen first, then meldkamers, each in their sort order."""
    out = []
    for kind, items in (("voorziening", refs.voorzieningen), ("meldkamer", refs.meldkamers)):
        for item in (items.active if active_only else items.all):
            out.append(Scope(kind, item.id, item.code, item.name_nl, item.name_en))
    return out


def scope_by_param(refs, param: str | None) -> Scope | None:
    """``voorziening:GMS`` or ``meldkamer:RTD`` (as in URLs and the workbook)."""
    kind, _, code = (param or "").partition(":")
    items = {"voorziening": refs.voorzieningen, "meldkamer": refs.meldkamers}.get(kind)
    item = items.by_code.get(code) if items else None
    return Scope(kind, item.id, item.code, item.name_nl, item.name_en) if item else None


def scope_by_key(refs, key: str) -> Scope | None:
    prefix, _, ident = key.partition(":")
    items = {"v": refs.voorzieningen, "m": refs.meldkamers}.get(prefix)
    try:
        item = items.by_id.get(int(ident)) if items else None
    except ValueError:
        return None
    return Scope(KIND[prefix], item.id, item.code, item.name_nl, item.name_en) if item else None


@dataclass(frozen=True)
class Level:
    bbn: int
    source: str  # "hand" | "bia"


def scope_levels() -> dict[str, Level]:
    """scope key -> BBN level: the hand-set ones, else a voorziening's highest BIA BBN (2 queries)."""
    levels = {f"v:{vid}": Level(bbn, "bia") for vid, bbn in db.session.execute(
        select(Bia.voorziening_id, func.max(Bia.bbn))
        .where(Bia.voorziening_id.is_not(None), Bia.bbn.is_not(None))
        .group_by(Bia.voorziening_id))}
    for key, bbn in db.session.execute(select(ScopeLevel.scope_key, ScopeLevel.bbn_level)):
        levels[key] = Level(bbn, "hand")
    return levels

"""The dependency graph of BIAs, loaded in a constant number of queries.

A dependency of kind ``bia`` points at another BIA; one of kind ``voorziening`` at that
voorziening's BIA (its first, by id) when it has one; the others (supplier, location, person) are
leaves. :meth:`DependencyGraph.load` with a BIA's id finds every BIA reachable from it in one
recursive query (``WITH RECURSIVE … UNION``: each BIA once, so a loop ends), then loads those
BIAs, their dependencies and their current versions: five queries however long the chain.
Without an id it loads the whole graph (four queries).

:meth:`DependencyGraph.warnings` then walks the chain in memory: a dependency that recovers slower
than the strictest requirement above it is a warning; a path that comes back to a BIA already on
it is a loop, reported once and not followed. A BIA reached again under the same requirement is
not walked again, so a web of shared dependencies costs what its edges cost, not its paths.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, literal, select, union_all

from ..extensions import db
from ..i18n import localized
from ..reference.data import refdata
from .config import bia_config
from .models import Bia, BiaDependency


@dataclass
class ChainWarning:
    path: list  # names, from the BIA to the slow dependency
    recovery: int  # minutes the slow dependency needs
    required: int  # minutes within which what depends on it needs it
    required_by: str  # whose requirement that is
    # the same, each step as (BIA code, subject), or (None, name) for what is not a BIA: a page
    # can name a BIA by its code alone where room is short
    steps: list = field(default_factory=list)
    required_by_step: tuple = (None, "")

    @property
    def direct(self) -> bool:
        return len(self.path) == 2


def _edges():
    """(src, dst) for every dependency that leads to another BIA."""
    first = select(Bia.voorziening_id, func.min(Bia.id).label("bia_id")) \
        .where(Bia.voorziening_id.is_not(None)).group_by(Bia.voorziening_id).subquery()
    direct = select(BiaDependency.bia_id.label("src"), BiaDependency.target_bia_id.label("dst")) \
        .where(BiaDependency.kind == "bia", BiaDependency.target_bia_id.is_not(None))
    via = select(BiaDependency.bia_id.label("src"), first.c.bia_id.label("dst")) \
        .join(first, first.c.voorziening_id == BiaDependency.voorziening_id) \
        .where(BiaDependency.kind == "voorziening")
    return union_all(direct, via).subquery("edges")


def reachable_ids(bia_id: int) -> list[int]:
    """The BIA and every BIA its dependencies lead to, at any depth (one query)."""
    edges = _edges()
    reach = select(literal(bia_id).label("id")).cte("reach", recursive=True)
    reach = reach.union(select(edges.c.dst).join(reach, edges.c.src == reach.c.id))
    return list(db.session.scalars(select(reach.c.id)))


class DependencyGraph:
    def __init__(self, bias, dependencies, versions, config=None):
        from .queries import derived_windows
        from .services import mtpd_from
        self._mtpd_from = mtpd_from
        self.config = config or bia_config()
        self.refs = refdata()
        self.bias = {b.id: b for b in bias}
        self.dependencies: dict = {b.id: [] for b in bias}
        for dep in dependencies:
            self.dependencies.setdefault(dep.bia_id, []).append(dep)
        self.versions = versions
        # where each grid reaches the threshold: the MTPD a BIA without an RTO needs
        self.windows = derived_windows([v.id for v in versions.values()], self.config)
        self.first_for_voorziening: dict = {}
        for b in sorted(bias, key=lambda b: b.id):
            if b.voorziening_id is not None:
                self.first_for_voorziening.setdefault(b.voorziening_id, b.id)

    @classmethod
    def load(cls, bia_id: int | None = None, config=None) -> "DependencyGraph":
        from .queries import current_versions
        if bia_id is None:
            bias = db.session.scalars(select(Bia)).all()
            deps = db.session.scalars(select(BiaDependency).order_by(BiaDependency.id)).all()
            return cls(bias, deps, current_versions(scores=False), config)
        ids = reachable_ids(bia_id)
        bias = db.session.scalars(select(Bia).where(Bia.id.in_(ids))).all()
        deps = db.session.scalars(select(BiaDependency).where(BiaDependency.bia_id.in_(ids))
                                  .order_by(BiaDependency.id)).all()
        return cls(bias, deps, current_versions(ids, scores=False), config)

    # --- what a dependency is ---

    def target(self, dep) -> Bia | None:
        if dep.kind == "bia":
            return self.bias.get(dep.target_bia_id)
        if dep.kind == "voorziening":
            return self.bias.get(self.first_for_voorziening.get(dep.voorziening_id))
        return None

    def dependency_name(self, dep) -> str:
        if dep.kind == "bia":
            target = self.bias.get(dep.target_bia_id)
            return self.name(target) if target is not None else dep.name
        if dep.kind == "voorziening":
            item = self.refs.voorzieningen.by_id.get(dep.voorziening_id)
            return localized(item) if item is not None else dep.name
        return dep.name

    @staticmethod
    def name(bia: Bia) -> str:
        return f"{bia.code} {bia.subject}"

    @staticmethod
    def step(bia: Bia) -> tuple:
        return bia.code, bia.subject

    def rto(self, bia: Bia | None) -> int | None:
        version = self.versions.get(bia.id) if bia is not None else None
        return version.rto_minutes if version is not None else None

    def recovery(self, dep) -> tuple[int | None, bool]:
        """A dependency's own recovery time when known, else its BIA's RTO (and whether it is
        that RTO)."""
        if dep.recovery_minutes is not None:
            return dep.recovery_minutes, False
        rto = self.rto(self.target(dep))
        return rto, rto is not None

    def required(self, bia: Bia) -> int | None:
        """How fast the subject must be back: its RTO, else its MTPD."""
        version = self.versions.get(bia.id)
        if version is None:
            return None
        if version.rto_minutes is not None:
            return version.rto_minutes
        return self._mtpd_from(version, self.windows.get(version.id), self.config).minutes

    # --- the walk ---

    def warnings(self, bia_id: int) -> tuple[list[ChainWarning], list[list[str]]]:
        warnings: list[ChainWarning] = []
        loops: list[list[str]] = []
        start = self.bias[bia_id]
        # A BIA reached again under the same requirement adds nothing new: walked once, so many
        # paths through a shared dependency cost no more than one.
        walked: set = set()

        def walk(node, path, steps, on_path, required, required_by, required_step):
            for dep in self.dependencies.get(node.id, ()):
                target = self.target(dep)
                label = self.name(target) if target is not None else self.dependency_name(dep)
                step = self.step(target) if target is not None else (None, label)
                recovery, _ = self.recovery(dep)
                if recovery is not None and required is not None and recovery > required:
                    warnings.append(ChainWarning(path + [label], recovery, required, required_by,
                                                 steps + [step], required_step))
                if target is None:
                    continue
                if target.id in on_path:
                    loops.append(path + [label])
                    continue
                own = self.required(target)
                if required is None or (own is not None and own < required):
                    next_required, next_by, next_step = own, label, step
                else:
                    next_required, next_by, next_step = required, required_by, required_step
                if (target.id, next_required, next_by) in walked:
                    continue
                walked.add((target.id, next_required, next_by))
                walk(target, path + [label], steps + [step], on_path | {target.id},
                     next_required, next_by, next_step)

        walk(start, [self.name(start)], [self.step(start)], {start.id}, self.required(start),
             self.name(start), self.step(start))
        return warnings, loops

"""What the controls pages read: the Verklaring van Toepasselijkheid (filtered, in keyset pages),
the BBN gap analysis, the NIS2 view, a control's page and the risk panel. Each is a fixed number
of queries, whatever the number of controls, scopes and risks."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased, joinedload

from ..audit.models import AuditEvent
from ..extensions import db
from ..risks.models import DisciplineImpact, Risk
from .models import STATUSES, Control, ControlMapping, Framework, Implementation, RiskControl
from .scopes import Scope, all_scopes, scope_by_key, scope_levels

PAGE_SIZE = 100
STATUS_WEIGHT = {"volledig": 1.0, "deels": 0.5, "niet": 0.0}
# Made once: an alias of a mapped class costs about a millisecond to make, more than most of the
# queries that use it take to run.
_SCOPE_IMPL = aliased(Implementation, name="scope_impl")
_OTHER = aliased(Control, name="other_control")
_OTHER_FW = aliased(Framework, name="other_framework")


def percent(done: float, total: int) -> int | None:
    return round(100 * done / total) if total else None


# --- the Verklaring van Toepasselijkheid ----------------------------------------------------------

@dataclass
class VvtFilter:
    framework: str = ""  # framework code
    tag: str = ""
    bbn: int | None = None
    status: str = ""  # niet | deels | volledig | nvt
    owner: str = ""
    scope: str = ""  # voorziening:GMS | meldkamer:RTD
    after: str = ""  # keyset: "<framework id>.<sort order>.<id>"
    problems: list = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "VvtFilter":
        flt = cls(**{k: (args.get(k) or "").strip() for k in
                     ("framework", "tag", "status", "owner", "scope", "after")})
        bbn = (args.get("bbn") or "").strip()
        if bbn:
            if bbn in ("1", "2", "3"):
                flt.bbn = int(bbn)
            else:
                flt.problems.append("bbn")
        if flt.status and flt.status not in (*STATUSES, "nvt"):
            flt.problems.append("status")
            flt.status = ""
        return flt

    def to_args(self, **override) -> dict:
        values = {"framework": self.framework, "tag": self.tag, "bbn": self.bbn,
                  "status": self.status, "owner": self.owner, "scope": self.scope}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass
class VvtRow:
    control: Control
    impl: Implementation | None
    counts: dict  # status -> number of scopes (when no scope is chosen)


def _keyset(after: str):
    try:
        fw, order, ident = (int(x) for x in after.split("."))
    except ValueError:
        return None
    return tuple_(Control.framework_id, Control.sort_order, Control.id) > (fw, order, ident)


def vvt_page(flt: VvtFilter, scope: Scope | None, frameworks: list[Framework]):
    """One page of controls with the chosen scope's implementation (or status counts over all
    scopes), and the keyset of the next page. Three queries."""
    query = select(Control).where(Control.retired_at.is_(None))
    fw = next((f for f in frameworks if f.code == flt.framework), None)
    if flt.framework:
        query = query.where(Control.framework_id == (fw.id if fw else -1))
    if flt.tag:
        query = query.where(or_(Control.tags == flt.tag, Control.tags.like(f"{flt.tag}|%"),
                                Control.tags.like(f"%|{flt.tag}"),
                                Control.tags.like(f"%|{flt.tag}|%")))
    if flt.bbn:
        query = query.where(Control.bbn_level == flt.bbn)
    if scope is not None:
        impl = _SCOPE_IMPL
        query = query.outerjoin(impl, and_(impl.control_id == Control.id,
                                           impl.scope_key == scope.key))
        if flt.status == "nvt":
            query = query.where(impl.applicable.is_(False))
        elif flt.status == "niet":
            query = query.where(or_(impl.id.is_(None), and_(impl.status == "niet",
                                                            impl.applicable.is_(True))))
        elif flt.status:
            query = query.where(impl.status == flt.status, impl.applicable.is_(True))
        if flt.owner:
            query = query.where(impl.owner.ilike(f"%{flt.owner}%"))
    else:
        conditions = []
        if flt.status == "nvt":
            conditions.append(Implementation.applicable.is_(False))
        elif flt.status:
            conditions += [Implementation.status == flt.status, Implementation.applicable.is_(True)]
        if flt.owner:
            conditions.append(Implementation.owner.ilike(f"%{flt.owner}%"))
        if conditions:
            query = query.where(Control.id.in_(select(Implementation.control_id)
                                               .where(*conditions)))
    if flt.after and (keyset := _keyset(flt.after)) is not None:
        query = query.where(keyset)
    query = query.order_by(Control.framework_id, Control.sort_order, Control.id)
    controls = list(db.session.scalars(query.limit(PAGE_SIZE + 1)))
    more = len(controls) > PAGE_SIZE
    controls = controls[:PAGE_SIZE]
    ids = [c.id for c in controls]
    impls, counts = {}, defaultdict(dict)
    if ids and scope is not None:
        impls = {i.control_id: i for i in db.session.scalars(select(Implementation).where(
            Implementation.scope_key == scope.key, Implementation.control_id.in_(ids)))}
    elif ids:
        for cid, applicable, status, n in db.session.execute(
                select(Implementation.control_id, Implementation.applicable,
                       Implementation.status, func.count())
                .where(Implementation.control_id.in_(ids))
                .group_by(Implementation.control_id, Implementation.applicable,
                          Implementation.status)):
            key = status if applicable else "nvt"
            counts[cid][key] = counts[cid].get(key, 0) + n
    rows = [VvtRow(c, impls.get(c.id), counts.get(c.id, {})) for c in controls]
    next_after = (f"{controls[-1].framework_id}.{controls[-1].sort_order}.{controls[-1].id}"
                  if more else None)
    return rows, next_after


def frameworks_with_counts() -> list[tuple[Framework, int, int]]:
    """Every framework with its number of active and retired controls (one query)."""
    rows = db.session.execute(
        select(Framework,
               func.count(Control.id).filter(Control.retired_at.is_(None)),
               func.count(Control.id).filter(Control.retired_at.is_not(None)))
        .outerjoin(Control, Control.framework_id == Framework.id)
        .group_by(Framework.id).order_by(Framework.code))
    return [(fw, active, retired) for fw, active, retired in rows]


def all_tags() -> list[str]:
    tags = set()
    for (value,) in db.session.execute(select(Control.tags).where(Control.tags != "").distinct()):
        tags.update(t for t in value.split("|") if t)
    return sorted(tags)


# --- the BBN gap analysis -----------------------------------------------------------------------

@dataclass
class ScopeCompliance:
    scope: Scope
    level: int
    source: str
    required: int = 0
    volledig: int = 0
    deels: int = 0
    niet: int = 0
    nvt: int = 0

    @property
    def percent(self) -> int | None:
        return percent(self.volledig + 0.5 * self.deels, self.required - self.nvt)


@dataclass
class Gap:
    scope: Scope
    control_id: int
    label: str
    title: str
    framework_id: int
    bbn: int
    status: str
    priority: int
    risks: int


@dataclass
class GapAnalysis:
    voorzieningen: list[ScopeCompliance]
    meldkamers: list[ScopeCompliance]
    frameworks: list[tuple[Framework, int, int, int | None]]  # fw, required, done, percent
    gaps: list[Gap]
    total_gaps: int


def risk_priorities(discipline_id: int | None = None, bbn_only: bool = False) \
        -> dict[int, tuple[int, int]]:
    """control id -> (the highest netto priority of the open risks it reduces, how many): the
    register-wide priority (the worst discipline's), or one discipline's. One query."""
    if discipline_id is None:
        priority = Risk.netto_priority
        query = select(RiskControl.control_id, func.max(priority), func.count()) \
            .join(Risk, Risk.id == RiskControl.risk_id)
    else:
        priority = DisciplineImpact.netto_priority
        query = (select(RiskControl.control_id, func.max(priority), func.count())
                 .join(Risk, Risk.id == RiskControl.risk_id)
                 .join(DisciplineImpact, and_(DisciplineImpact.risk_id == RiskControl.risk_id,
                                              DisciplineImpact.discipline_id == discipline_id))
                 .where(DisciplineImpact.applies.is_(True)))
    if bbn_only:  # from the (few) controls with a BBN level to their links
        query = query.where(RiskControl.control_id.in_(
            select(Control.id).where(Control.bbn_level.is_not(None))))
    query = query.where(Risk.archived_at.is_(None), Risk.status != "gesloten") \
        .group_by(RiskControl.control_id)
    return {cid: (prio or 0, n) for cid, prio, n in db.session.execute(query)}


# the controls a BBN level can require: with a level, in force and assessable
_REQUIRED = (Control.bbn_level.is_not(None), Control.retired_at.is_(None),
             Control.assessable.is_(True))
GAP_FIRST = 8  # at least this many controls in the first read of implementations for the gaps


def gap_analysis(refs, lang: str, discipline_id: int | None = None, only_scope: str = "",
                 only_framework: int | None = None, limit: int = 50) -> GapAnalysis:
    """Per scope with a BBN level: the controls it requires (BBN level at most the scope's:
    BBN2 needs BBN1 and BBN2, BBN3 all), their status, the compliance and what is missing ranked
    by the priority of the risks those controls reduce.

    The counts are summed in the database (one grouped query over the implementations other
    than applicable and "niet", which is what remains of the required controls); the
    list of what is missing walks the required controls from the highest risk priority down and
    reads the implementations of the first few of them (as many as usually hold ``limit`` gaps
    over the scopes) and, only when those do not, of all the others: at most two queries."""
    levels = scope_levels()
    scopes = []
    for scope in all_scopes(refs):
        level = levels.get(scope.key)
        if level is not None:
            scopes.append(ScopeCompliance(scope, level.bbn, level.source))
    by_key = {s.scope.key: s for s in scopes}
    required = db.session.execute(
        select(Control.id, Control.ref_id, Control.urn, Control.title_nl, Control.title_en,
               Control.framework_id, Control.bbn_level)
        .where(*_REQUIRED).order_by(Control.framework_id, Control.sort_order, Control.id)).all()
    if not scopes or not required:
        return GapAnalysis([s for s in scopes if s.scope.kind == "voorziening"],
                           [s for s in scopes if s.scope.kind == "meldkamer"], [], [], 0)
    frameworks = {f.id: f for f in db.session.scalars(select(Framework))}
    per_level = defaultdict(int)  # (framework, bbn) -> required controls
    for c in required:
        per_level[(c.framework_id, c.bbn_level)] += 1
    counted = defaultdict(lambda: defaultdict(int))  # scope key -> (fw, bbn, status) -> n
    for key, fw_id, bbn, status, applicable, n in db.session.execute(
            select(Implementation.scope_key, Control.framework_id, Control.bbn_level,
                   Implementation.status, Implementation.applicable, func.count())
            .select_from(Control)
            .join(Implementation, Implementation.control_id == Control.id)
            .where(*_REQUIRED,
                   # "niet" is what is left: required minus the other statuses
                   or_(Implementation.status != "niet", Implementation.applicable.is_(False)))
            .group_by(Implementation.scope_key, Control.framework_id, Control.bbn_level,
                      Implementation.status, Implementation.applicable)):
        counted[key][(fw_id, bbn, status if applicable else "nvt")] += n
    per_fw = defaultdict(lambda: [0, 0.0])
    total_gaps = 0
    gap_scopes = [s for s in scopes if not only_scope or s.scope.param == only_scope]
    for sc in scopes:
        recorded = defaultdict(int)
        for (fw_id, bbn, status), n in counted[sc.scope.key].items():
            if bbn <= sc.level:
                recorded[(fw_id, status)] += n
        for fw_id in sorted({fw for fw, _ in per_level}):
            total = sum(n for (f, b), n in per_level.items() if f == fw_id and b <= sc.level)
            if not total:
                continue
            nvt, done = recorded[(fw_id, "nvt")], recorded[(fw_id, "volledig")]
            part = recorded[(fw_id, "deels")]
            niet = total - nvt - done - part  # no record counts as not implemented
            sc.required += total
            sc.volledig += done
            sc.deels += part
            sc.niet += niet
            sc.nvt += nvt
            per_fw[fw_id][0] += total - nvt
            per_fw[fw_id][1] += done + 0.5 * part
            if sc in gap_scopes and (only_framework is None or fw_id == only_framework):
                total_gaps += part + niet
    fw_rows = [(frameworks[fid], total, done, percent(done, total))
               for fid, (total, done) in sorted(per_fw.items())]
    gaps = _gaps(required, gap_scopes, discipline_id, only_framework, limit, lang)
    return GapAnalysis(voorzieningen=[s for s in scopes if s.scope.kind == "voorziening"],
                       meldkamers=[s for s in scopes if s.scope.kind == "meldkamer"],
                       frameworks=fw_rows, gaps=gaps, total_gaps=total_gaps)


def _gaps(required, scopes, discipline_id, only_framework, limit, lang) -> list[Gap]:
    if not scopes:
        return []
    priorities = risk_priorities(discipline_id, bbn_only=True)
    candidates = [c for c in required if only_framework is None
                  or c.framework_id == only_framework]

    def rank(c):
        prio, n = priorities.get(c.id, (0, 0))
        return -prio, -n, c.bbn_level

    candidates.sort(key=rank)
    keys = [s.scope.key for s in scopes]
    first = max(GAP_FIRST, 2 * -(-limit // len(scopes)))
    gaps: list[Gap] = []
    last = None
    rest = select(Control.id).where(*_REQUIRED)  # rather than a list of a thousand ids
    for batch, controls in ((candidates[:first], [c.id for c in candidates[:first]]),
                            (candidates[first:], rest)):
        if not batch or len(gaps) >= limit:
            break
        stored = {(cid, key): (status, applicable) for cid, key, status, applicable in
                  db.session.execute(
                      select(Implementation.control_id, Implementation.scope_key,
                             Implementation.status, Implementation.applicable)
                      .where(Implementation.control_id.in_(controls),
                             Implementation.scope_key.in_(keys)))}
        for c in batch:
            if len(gaps) >= limit and rank(c) != last:
                break  # the gaps found rank above all of this control's and the next ones'
            last = rank(c)
            prio, n = priorities.get(c.id, (0, 0))
            title = (c.title_en if lang == "en" else c.title_nl) or c.title_nl or c.title_en
            for sc in scopes:
                if c.bbn_level > sc.level:
                    continue
                status, applicable = stored.get((c.id, sc.scope.key), ("niet", True))
                if applicable and status != "volledig":
                    gaps.append(Gap(sc.scope, c.id, c.ref_id or c.urn.rsplit(":", 1)[-1],
                                    title, c.framework_id, c.bbn_level, status, prio, n))
    gaps.sort(key=lambda g: (-g.priority, -g.risks, g.bbn, g.status != "deels", g.label,
                             g.scope.code))
    return gaps[:limit]


# --- the NIS2 view ------------------------------------------------------------------------------

RANK_NAMES = {0: "nvt", 1: "niet", 2: "deels", 3: "volledig"}


@dataclass
class Coverage:
    measure: Control
    direct: bool
    covering: list[tuple[int, str, str, str]]  # control id, label, framework code, relationship
    counts: dict  # best status -> number of scopes ("volledig", "deels", "niet", "nvt")
    status: str | None = None  # the best status in the chosen scope


NIS2_PAGE = 50  # measures per page when the statuses are counted over every scope


@dataclass
class Nis2Page:
    coverage: list[Coverage]
    page: int
    pages: int
    total: int
    size: int  # measures per page


def nis2_view(framework: Framework, refs, scope: Scope | None = None, page: int = 1) -> Nis2Page:
    """Per measure of ``framework``: the controls that cover it (itself, and the controls mapped
    to it in either direction) and, per scope, the best status among them, counted over the
    scopes (or for the chosen scope). Three queries; the best status per measure and scope and
    their counts are computed in the database, which returns one row per measure and status.

    Over every scope the measures come in pages of ``NIS2_PAGE`` (each measure's cell reads
    its covering controls in every scope); for one chosen scope all measures are shown."""
    measures = list(db.session.scalars(
        select(Control).where(Control.framework_id == framework.id, Control.retired_at.is_(None),
                              Control.assessable.is_(True))
        .order_by(Control.sort_order, Control.id)))
    total = len(measures)
    pages = max(1, -(-total // NIS2_PAGE)) if scope is None else 1
    page = min(max(page, 1), pages)
    if scope is None:
        measures = measures[(page - 1) * NIS2_PAGE:page * NIS2_PAGE]
    if not measures:
        return Nis2Page([], page, pages, total, NIS2_PAGE)
    ids = [m.id for m in measures]
    other, fw = _OTHER, _OTHER_FW
    mapped = union_all(
        select(ControlMapping.source_id.label("measure_id"), ControlMapping.relation.label("rel"),
               ControlMapping.target_id.label("other_id"))
        .where(ControlMapping.source_id.in_(ids)),
        select(ControlMapping.target_id, ControlMapping.relation, ControlMapping.source_id)
        .where(ControlMapping.target_id.in_(ids))).subquery()
    covering = defaultdict(list)
    for mid, relation, oid, ref_id, urn, code in db.session.execute(
            select(mapped.c.measure_id, mapped.c.rel, other.id, other.ref_id, other.urn,
                   fw.code)
            .join(other, other.id == mapped.c.other_id)
            .join(fw, fw.id == other.framework_id)
            .where(other.retired_at.is_(None))
            .order_by(fw.code, other.sort_order)):
        covering[mid].append((oid, ref_id or urn.rsplit(":", 1)[-1], code, relation))

    cover = union_all(
        select(Control.id.label("measure_id"), Control.id.label("control_id"))
        .where(Control.id.in_(ids)),
        select(ControlMapping.target_id, ControlMapping.source_id)
        .where(ControlMapping.target_id.in_(ids)),
        select(ControlMapping.source_id, ControlMapping.target_id)
        .where(ControlMapping.source_id.in_(ids))).subquery()
    rank = case((Implementation.applicable.is_(False), 0),
                (Implementation.status == "volledig", 3), (Implementation.status == "deels", 2),
                else_=1)
    best = (select(cover.c.measure_id, Implementation.scope_key, func.max(rank).label("best"),
                   func.max(case((Implementation.control_id == cover.c.measure_id, 1),
                                 else_=0)).label("direct"))
            .select_from(cover)
            .join(Implementation, Implementation.control_id == cover.c.control_id))
    if scope is not None:
        best = best.where(Implementation.scope_key == scope.key)
    best = best.group_by(cover.c.measure_id, Implementation.scope_key).subquery()
    counts, direct = defaultdict(dict), set()
    for mid, value, has_direct, n in db.session.execute(
            select(best.c.measure_id, best.c.best, func.max(best.c.direct), func.count())
            .group_by(best.c.measure_id, best.c.best)):
        counts[mid][RANK_NAMES[value]] = n
        if has_direct:
            direct.add(mid)
    out = []
    for m in measures:
        status = next(iter(counts[m.id]), None) if scope is not None and counts[m.id] else None
        out.append(Coverage(m, m.id in direct, covering[m.id], counts[m.id], status))
    return Nis2Page(out, page, pages, total, NIS2_PAGE)


def nis2_frameworks(frameworks: list[Framework]) -> list[Framework]:
    return [f for f in frameworks if "nis2" in f.code.lower() or "cbw" in f.code.lower()
            or "nis2" in f.urn.lower()]


# --- a control's page and the risk panel --------------------------------------------------------

def ancestors(control: Control) -> list[Control]:
    """From the root down to the parent (one query per level; catalogues are a few deep)."""
    chain, seen = [], {control.id}
    node = control
    while node.parent_id is not None and node.parent_id not in seen:
        seen.add(node.parent_id)
        node = db.session.get(Control, node.parent_id)
        if node is None:
            break
        chain.append(node)
    return list(reversed(chain))


def control_page(control: Control, refs):
    children = list(db.session.scalars(select(Control).where(Control.parent_id == control.id)
                                       .order_by(Control.sort_order, Control.id)))
    impls = list(db.session.scalars(select(Implementation)
                                    .options(joinedload(Implementation.discipline))
                                    .where(Implementation.control_id == control.id)))
    by_key = {i.scope_key: i for i in impls}
    scopes = all_scopes(refs)
    known = {s.key for s in scopes}
    scopes += [s for key in by_key if key not in known and (s := scope_by_key(refs, key))]
    risks = db.session.execute(
        select(Risk, RiskControl.kind).join(RiskControl, RiskControl.risk_id == Risk.id)
        .where(RiskControl.control_id == control.id)
        .order_by(Risk.netto_priority.desc(), Risk.code)).all()
    other, fw = _OTHER, _OTHER_FW
    mappings = db.session.execute(
        select(ControlMapping.source_id, ControlMapping.relation, other, fw.code)
        .join(other, or_(and_(ControlMapping.source_id == control.id,
                              other.id == ControlMapping.target_id),
                         and_(ControlMapping.target_id == control.id,
                              other.id == ControlMapping.source_id)))
        .join(fw, fw.id == other.framework_id)
        .order_by(fw.code, other.sort_order)).all()
    outgoing = [(rel, c, code) for source, rel, c, code in mappings if source == control.id]
    incoming = [(rel, c, code) for source, rel, c, code in mappings if source != control.id]
    history = list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "control",
                                 AuditEvent.entity_id == str(control.id))
        .order_by(AuditEvent.id.desc()).limit(200)))
    return {"children": children, "scopes": scopes, "impls": by_key, "risks": risks,
            "outgoing": outgoing, "incoming": incoming, "history": history}


def risk_controls(risk_id: int, refs):
    """The controls linked to a risk with their status per scope (two queries)."""
    rows = db.session.execute(
        select(Control, RiskControl.kind, Framework.code)
        .join(RiskControl, RiskControl.control_id == Control.id)
        .join(Framework, Framework.id == Control.framework_id)
        .where(RiskControl.risk_id == risk_id)
        .order_by(Framework.code, Control.sort_order)).all()
    ids = [c.id for c, _, _ in rows]
    per_control = defaultdict(list)
    if ids:
        for impl in db.session.scalars(select(Implementation)
                                       .where(Implementation.control_id.in_(ids))):
            scope = scope_by_key(refs, impl.scope_key)
            if scope is not None:
                per_control[impl.control_id].append((scope, impl))
    return [(c, kind, code, sorted(per_control[c.id], key=lambda p: (p[0].kind != "voorziening",
                                                                      p[0].code)))
            for c, kind, code in rows]

"""What the continuity pages read: each list is one query (or two), whatever the data's size.

``latest_exercise_id`` finds a plan's latest exercise by an index lookup; ``current_rtos`` each
BIA's RTO in its latest version. The overview's lists, the takeover matrix and the
percentages are built from a handful of such queries (see ``overview``)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import aliased, load_only

from ..bia.models import Bia, BiaDependency, BiaVersion
from ..core.rows import plain_rows
from ..extensions import db
from ..matrix.models import RiskLevel
from ..risks.models import Risk
from .models import Exercise, Finding, Plan, plan_risk

YEAR = 365
# Made once: an alias of a mapped class costs about a millisecond to make, more than the query
# that uses it takes to run.
_RTO_VERSION = aliased(BiaVersion, name="rto_version")
_LATEST = aliased(Exercise, name="latest_exercise")
MATRIX_PLANS = 3  # plans a takeover cell links to; the rest through the plans list
LIST_LIMIT = 50  # rows a list shows on the page; the Excel export has them all


def _rows(statement) -> list[tuple]:
    """The statement's rows as plain tuples, without the ORM's result objects (the overview reads
    a thousand plans and every BIA and dependency)."""
    return plain_rows(db.session.connection(), statement)


def _latest_version_numbers():
    return (select(BiaVersion.bia_id, func.max(BiaVersion.number).label("number"))
            .group_by(BiaVersion.bia_id).subquery())


def current_rto_query():
    """(bia_id, rto_minutes) of each BIA's latest version, as a subquery."""
    latest = _latest_version_numbers()
    return (select(BiaVersion.bia_id.label("bia_id"), BiaVersion.rto_minutes.label("rto"))
            .join(latest, and_(latest.c.bia_id == BiaVersion.bia_id,
                               latest.c.number == BiaVersion.number))
            .subquery())


def current_rto_of(bia_id_column):
    """A correlated scalar: the RTO of the BIA's latest version (an index lookup)."""
    version = _RTO_VERSION
    return (select(version.rto_minutes).where(version.bia_id == bia_id_column)
            .order_by(version.number.desc()).limit(1).scalar_subquery())


def current_rtos(bia_ids=None) -> dict[int, int | None]:
    rto = current_rto_query()
    query = select(rto.c.bia_id, rto.c.rto)
    if bia_ids is not None:
        query = query.where(rto.c.bia_id.in_(list(bia_ids)))
    return dict(_rows(query))


def latest_exercise_id(plan_id_column):
    """A correlated scalar: the id of the plan's latest exercise (by date, then the latest
    recorded), found in the index on (plan_id, held_on) without reading the other exercises."""
    latest = _LATEST
    return (select(latest.id).where(latest.plan_id == plan_id_column)
            .order_by(latest.held_on.desc(), latest.id.desc()).limit(1).scalar_subquery())


@dataclass
class Verdict:
    """An exercise's achieved recovery time against its plan's target and its BIA's RTO."""

    achieved: int | None
    target: int | None
    rto: int | None

    @property
    def missed_target(self) -> bool:
        return None not in (self.achieved, self.target) and self.achieved > self.target

    @property
    def missed_rto(self) -> bool:
        return None not in (self.achieved, self.rto) and self.achieved > self.rto

    @property
    def met(self) -> bool | None:
        """True when every known target was met; None when nothing could be compared."""
        if self.achieved is None or (self.target is None and self.rto is None):
            return None
        return not (self.missed_target or self.missed_rto)


def plan_rto(plan) -> int | None:
    if plan.bia_id is None:
        return None
    return current_rtos([plan.bia_id]).get(plan.bia_id)


# --- the risk page's panel ----------------------------------------------------------------------

def plans_for_risk(risk_id: int) -> list[tuple]:
    """(plan, last exercise as a dict or None) of every plan linked to the risk, in one query:
    the plan's columns the panel shows, its latest exercise (an index lookup) and its BIA's RTO
    (a correlated lookup)."""
    rows = db.session.execute(
        select(Plan, Exercise.code, Exercise.held_on, Exercise.achieved_minutes, Exercise.result,
               Exercise.kind, current_rto_of(Plan.bia_id))
        .join(plan_risk, plan_risk.c.plan_id == Plan.id)
        .outerjoin(Exercise, Exercise.id == latest_exercise_id(Plan.id))
        .where(plan_risk.c.risk_id == risk_id).order_by(Plan.code)
        .options(load_only(Plan.code, Plan.title, Plan.meldkamer_id, Plan.target_minutes,
                           Plan.bia_id)))
    out = []
    for plan, code, held_on, achieved, result, kind, rto in rows:
        exercise = None
        if code is not None:
            exercise = {"code": code, "held_on": held_on, "result": result,
                        "achieved": achieved, "kind": kind,
                        "verdict": Verdict(achieved, plan.target_minutes, rto)}
        out.append((plan, exercise))
    return out


def findings_for_risk(risk_id: int) -> list[dict]:
    """The exercise findings that point at the risk (it was made from one, or they were added to
    it as actions), newest exercise first, with their exercise and plan: one query."""
    rows = db.session.execute(
        select(Finding.description, Finding.link, Exercise.code, Exercise.held_on, Plan.code,
               Plan.title)
        .join(Exercise, Exercise.id == Finding.exercise_id).join(Plan, Plan.id == Exercise.plan_id)
        .where(Finding.risk_id == risk_id)
        .order_by(Exercise.held_on.desc(), Exercise.code.desc(), Finding.position))
    return [{"text": text, "link": link, "exercise": code, "held_on": held_on, "plan": plan,
             "plan_title": title} for text, link, code, held_on, plan, title in rows]


# --- the overview -------------------------------------------------------------------------------

def high_level_ids() -> list[int]:
    """The risk levels 'hoog' and above (the two highest ranks of the matrix)."""
    ranks = db.session.execute(select(RiskLevel.id, RiskLevel.rank)
                               .order_by(RiskLevel.rank.desc())).all()
    return [i for i, _rank in ranks[:2]]


def _open_risks():
    return and_(Risk.archived_at.is_(None), Risk.status != "gesloten")


def high_risks_without_plan(level_ids, limit=LIST_LIMIT):
    query = (select(Risk.code, Risk.title, Risk.netto_level_id, Risk.owner)
             .where(_open_risks(), Risk.netto_level_id.in_(level_ids),
                    ~select(plan_risk.c.risk_id).where(plan_risk.c.risk_id == Risk.id).exists())
             .order_by(Risk.netto_priority.desc(), Risk.code))
    return _limited(query, limit)


def _limited(query, limit, count=None):
    """(rows, total): the first ``limit`` rows and how many there are in all. Two queries: the
    page can stop after ``limit`` rows of an index, and the count needs no sort (a count riding
    along as a window makes the database build and sort every row)."""
    if limit is None:
        rows = _rows(query)
        return rows, len(rows)
    rows = _rows(query.limit(limit))
    if len(rows) < limit:
        return rows, len(rows)
    if count is None:
        count = select(func.count()).select_from(query.order_by(None).subquery())
    return rows, db.session.scalar(count)


def plans_not_exercised(today: date, limit=LIST_LIMIT, rows=None):
    """Plans in force (not 'vervallen') without an exercise in the last 12 months (BIO2
    5.30.01): (code, title, meldkamer_id, voorziening_id, last exercised or None), never
    exercised first, then the longest ago. Taken from ``rows`` (``plan_rows()``: every plan in
    force with its latest exercise) when the caller has them: no query of its own."""
    since = today - timedelta(days=YEAR)
    rows = plan_rows() if rows is None else rows
    found = [r for r in rows if r.last_date is None or r.last_date < since]
    found.sort(key=lambda r: (r.last_date is not None, r.last_date or since, r.code))
    shown = found if limit is None else found[:limit]
    return [(r.code, r.title, r.meldkamer_id, r.voorziening_id, r.last_date)
            for r in shown], len(found)


def exercises_over_rto(limit=LIST_LIMIT):
    """Exercises whose achieved recovery time exceeded the RTO of the BIA their plan covers."""
    rto = current_rto_of(Plan.bia_id)  # the page walks the date index and stops
    query = (select(Exercise.code, Exercise.held_on, Plan.code, Plan.title,
                    Exercise.achieved_minutes, rto, Plan.target_minutes)
             .join(Plan, Plan.id == Exercise.plan_id)
             .where(Plan.bia_id.is_not(None), Exercise.achieved_minutes > rto)
             .order_by(Exercise.held_on.desc(), Exercise.code))
    rtos = current_rto_query()  # the count reads every exercise: a join is faster there
    count = (select(func.count()).select_from(Exercise)
             .join(Plan, Plan.id == Exercise.plan_id).join(rtos, rtos.c.bia_id == Plan.bia_id)
             .where(Exercise.achieved_minutes > rtos.c.rto))
    return _limited(query, limit, count)


def voorzieningen_without_bia(refs, today: date) -> list[tuple]:
    """(voorziening, reason, bia code or None, review date or None) for each active voorziening
    without a BIA, without an approved BIA version, or whose BIA's review is overdue."""
    approved = (select(BiaVersion.bia_id).where(BiaVersion.approved_at.is_not(None))
                .group_by(BiaVersion.bia_id).subquery())
    rows = _rows(
        select(Bia.voorziening_id, Bia.code, Bia.next_review, approved.c.bia_id)
        .outerjoin(approved, approved.c.bia_id == Bia.id)
        .where(Bia.voorziening_id.is_not(None)).order_by(Bia.code))
    by_voorziening: dict[int, list] = {}
    for vid, code, review, approved_id in rows:
        by_voorziening.setdefault(vid, []).append((code, review, approved_id is not None))
    out = []
    for item in refs.voorzieningen.active:
        bias = by_voorziening.get(item.id, [])
        if not bias:
            out.append((item, "none", None, None))
            continue
        good = [b for b in bias if b[2] and (b[1] is None or b[1] >= today)]
        if good:
            continue
        overdue = [b for b in bias if b[2] and b[1] is not None and b[1] < today]
        if overdue:
            code, review, _ok = min(overdue, key=lambda b: b[1])
            out.append((item, "overdue", code, review))
        else:
            out.append((item, "unapproved", bias[0][0], bias[0][1]))
    return out


def slow_dependencies(limit=LIST_LIMIT, rtos=None) -> tuple[list, int]:
    """Dependencies that recover slower than the RTO of the BIA depending on them:
    (bia code, subject, rto, dependency name, its recovery time). A dependency on another BIA
    (or on a voorziening that has one) recovers in that BIA's RTO unless a time is given."""
    bias = {b[0]: b for b in _rows(select(Bia.id, Bia.code, Bia.subject, Bia.voorziening_id))}
    rtos = current_rtos() if rtos is None else rtos
    by_voorziening = {}
    for b_id, _code, _subject, voorziening_id in bias.values():
        if voorziening_id is not None:
            by_voorziening.setdefault(voorziening_id, b_id)
    deps = _rows(
        select(BiaDependency.bia_id, BiaDependency.kind, BiaDependency.target_bia_id,
               BiaDependency.voorziening_id, BiaDependency.name, BiaDependency.recovery_minutes)
        .order_by(BiaDependency.bia_id, BiaDependency.id))
    out = []
    for bia_id, kind, target_id, voorziening_id, name, minutes in deps:
        own = rtos.get(bia_id)
        if own is None:
            continue
        target = target_id if kind == "bia" else by_voorziening.get(voorziening_id)
        if minutes is None and target is not None:
            minutes = rtos.get(target)
        if minutes is None or minutes <= own:
            continue
        if target is not None and target in bias:
            name = name or f"{bias[target][1]} {bias[target][2]}"
        out.append((bias[bia_id][1], bias[bia_id][2], own, name or kind, minutes,
                    bias[target][1] if target in bias else None))
    out.sort(key=lambda r: (r[0], -r[4]))
    return (out if limit is None else out[:limit]), len(out)


@dataclass
class PlanRow:
    id: int
    code: str
    title: str
    meldkamer_id: int | None
    voorziening_id: int | None
    fallback_id: int | None
    fallback_kind: str | None
    approved: bool
    target: int | None
    rto: int | None
    last_code: str | None
    last_date: date | None
    last_achieved: int | None

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.last_achieved, self.target, self.rto)


def plan_rows(rtos=None, paired: bool = False) -> list[PlanRow]:
    """Every plan in force with its latest exercise (one index lookup per plan, in the same
    query: a correlated id on SQLite, a LATERAL join on PostgreSQL, each the faster there) and
    its BIA's RTO (``rtos``, else one more query). ``paired``: only the plans that name a
    meldkamer and a fallback (the takeover matrix's), without RTOs (it shows none)."""
    head = (Plan.id, Plan.code, Plan.title, Plan.meldkamer_id, Plan.voorziening_id,
            Plan.fallback_meldkamer_id, Plan.fallback_kind, Plan.approved_at.is_not(None),
            Plan.target_minutes, Plan.bia_id)
    if db.session.get_bind().dialect.name == "postgresql":
        last = (select(Exercise.code, Exercise.held_on, Exercise.achieved_minutes)
                .where(Exercise.plan_id == Plan.id)
                .order_by(Exercise.held_on.desc(), Exercise.id.desc()).limit(1).lateral())
        query = (select(*head, last.c.code, last.c.held_on, last.c.achieved_minutes)
                 .outerjoin(last, true()))
    else:
        query = (select(*head, Exercise.code, Exercise.held_on, Exercise.achieved_minutes)
                 .outerjoin(Exercise, Exercise.id == latest_exercise_id(Plan.id)))
    query = query.where(Plan.status != "vervallen")
    if paired:
        query = query.where(Plan.meldkamer_id.is_not(None),
                            Plan.fallback_meldkamer_id.is_not(None))
        rtos = {}
    rows = _rows(query.order_by(Plan.code))
    rtos = current_rtos() if rtos is None else rtos
    return [PlanRow(p_id, code, title, m, v, f, kind, approved, target, rtos.get(bia_id),
                    last_code, last_date, achieved)
            for (p_id, code, title, m, v, f, kind, approved, target, bia_id, last_code,
                 last_date, achieved) in rows]


def age_class(last: date | None, today: date) -> str:
    """'recent' (within 12 months), 'aging' (12–24 months), 'old' (longer) or 'never'."""
    if last is None:
        return "never"
    days = (today - last).days
    return "recent" if days <= YEAR else "aging" if days <= 2 * YEAR else "old"


@dataclass
class TakeoverCell:
    plans: list = field(default_factory=list)  # PlanRow
    voorzieningen: list = field(default_factory=list)  # ids; None = every voorziening
    last: date | None = None
    age: str = "never"
    names: str = ""  # the voorzieningen's codes, joined once here rather than per cell in HTML
    shown: list = field(default_factory=list)  # the codes of the first plans the cell links to
    more: int = 0  # how many plans beyond those
    more_query: str = ""  # the plans list's query string for all of them


def takeover_matrix(rows: list[PlanRow], refs, today: date) -> dict:
    """{(meldkamer id, fallback meldkamer id): TakeoverCell} of the plans that name both."""
    cells: dict[tuple, TakeoverCell] = {}
    for row in rows:
        if row.meldkamer_id is None or row.fallback_id is None:
            continue
        cell = cells.setdefault((row.meldkamer_id, row.fallback_id), TakeoverCell())
        cell.plans.append(row)
        if row.voorziening_id not in cell.voorzieningen:
            cell.voorzieningen.append(row.voorziening_id)
        if row.last_date is not None and (cell.last is None or row.last_date > cell.last):
            cell.last = row.last_date
    order = {v.id: n for n, v in enumerate(refs.voorzieningen.all)}
    by_id = refs.voorzieningen.by_id
    every = _("alle")
    meldkamers = refs.meldkamers.by_id
    for (m, f), cell in cells.items():
        cell.age = age_class(cell.last, today)
        cell.voorzieningen.sort(key=lambda v: -1 if v is None else order.get(v, 99))
        cell.names = ", ".join(by_id[v].code if v in by_id else every
                               for v in cell.voorzieningen)
        cell.shown = [p.code for p in cell.plans[:MATRIX_PLANS]]
        cell.more = len(cell.plans) - len(cell.shown)
        if cell.more and m in meldkamers and f in meldkamers:
            cell.more_query = urlencode({"meldkamer": meldkamers[m].code,
                                         "fallback": meldkamers[f].code})
    return cells


@dataclass
class Coverage:
    """For one meldkamer (over the voorzieningen) or one voorziening (over the meldkamers): how
    many of its pairs have an approved plan, one exercised within 12 months, and one whose last
    exercise met its targets."""

    total: int
    documented: int = 0
    exercised: int = 0
    met: int = 0

    def pct(self, name: str) -> int:
        return round(100 * getattr(self, name) / self.total) if self.total else 0


def coverage(rows: list[PlanRow], refs, today: date) -> tuple[dict, dict]:
    """({meldkamer id: Coverage}, {voorziening id: Coverage}). A plan without a voorziening
    covers every voorziening of its meldkamer; one without a meldkamer, every meldkamer."""
    meldkamers = [m.id for m in refs.meldkamers.active]
    voorzieningen = [v.id for v in refs.voorzieningen.active]
    # the (m, v) pairs that have a plan documented / exercised / whose targets were met
    have: tuple[set, set, set] = (set(), set(), set())
    since = today - timedelta(days=YEAR)
    for row in rows:
        flags = (row.approved, row.last_date is not None and row.last_date >= since,
                 bool(row.verdict.met) if row.last_achieved is not None else False)
        if not (flags[0] or flags[1] or flags[2]):
            continue  # a pair without any of the three adds nothing to a percentage
        ms = [row.meldkamer_id] if row.meldkamer_id is not None else meldkamers
        vs = [row.voorziening_id] if row.voorziening_id is not None else voorzieningen
        pairs = [(m, v) for m in ms for v in vs]
        for flag, found in zip(flags, have):
            if flag:
                found.update(pairs)
    by_m = {m: Coverage(len(voorzieningen)) for m in meldkamers}
    by_v = {v: Coverage(len(meldkamers)) for v in voorzieningen}
    for name, found in zip(("documented", "exercised", "met"), have):
        for side, counts in ((by_m, Counter(m for m, _v in found)),
                             (by_v, Counter(v for _m, v in found))):
            for key, count in counts.items():
                if key in side:
                    setattr(side[key], name, count)
    return by_m, by_v


@dataclass
class Overview:
    high_risks: tuple
    not_exercised: tuple
    over_rto: tuple
    no_bia: list
    slow: tuple
    matrix: dict
    by_meldkamer: dict
    by_voorziening: dict
    levels: dict


def overview(refs, today: date, limit=LIST_LIMIT) -> Overview:
    levels = [lvl.id for lvl in sorted(refs.levels, key=lambda lvl: lvl.rank)[-2:]]
    rtos = current_rtos()
    rows = plan_rows(rtos)
    by_m, by_v = coverage(rows, refs, today)
    return Overview(
        high_risks=high_risks_without_plan(levels, limit), not_exercised=plans_not_exercised(
            today, limit, rows), over_rto=exercises_over_rto(limit),
        no_bia=voorzieningen_without_bia(refs, today), slow=slow_dependencies(limit, rtos),
        matrix=takeover_matrix(rows, refs, today), by_meldkamer=by_m, by_voorziening=by_v,
        levels={lvl.id: lvl for lvl in refs.levels})

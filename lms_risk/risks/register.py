"""The register's filters, sorting and keyset pagination, shared by the page, heatmaps and export.

Every filter lives in the URL so that a view can be shared. ``discipline`` narrows to the risks that
affect that discipline; then ``level``, ``likelihood`` and ``impact`` refer to that discipline's
score, otherwise to the register-wide score. ``basis`` says which score: netto (default) or bruto.
Archived risks are left out of every view, count and heatmap; ``status=gearchiveerd`` shows only
them, to those who may see them (``can_view_archived``).
"""

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Date, and_, func, literal, or_, select, tuple_
from flask import has_request_context
from sqlalchemy.orm import aliased

from ..extensions import db
from ..matrix.models import RiskLevel
from ..reference.models import Category, Discipline, Meldkamer, Voorziening
from .labels import STATUSES, Status
from .models import DisciplineImpact, Risk, risk_meldkamer, risk_voorziening
from .permissions import can_view_archived

ALL = "all"
CLOSED = (Status.GESLOTEN.value,)  # statuses the default view leaves out; status=all shows them
ARCHIVED = "gearchiveerd"  # the status filter that shows archived risks (and only them)
REVIEWS = ("overdue",)
SORTS = ("priority", "bruto", "code", "title", "updated", "review")
MAX_PAGE_SIZE = 500
NO_REVIEW = date(9999, 12, 31)  # risks without a review date sort last
# Built once: an alias copies every column, which costs more than the rest of the query building.
DI_FILTER = aliased(DisciplineImpact, name="di_filter")
DI_SORT = aliased(DisciplineImpact, name="di_sort")


@dataclass(frozen=True)
class RegisterFilter:
    discipline: str | None = None  # a discipline code, or None for all risks
    meldkamer: str | None = None
    voorziening: str | None = None
    category: str | None = None
    status: str | None = None  # None: every status except closed; "all": every status;
    # "gearchiveerd": the archived risks (every other value leaves them out)
    level: str | None = None
    owner: str | None = None
    q: str | None = None
    basis: str = "netto"
    likelihood: int | None = None
    impact: int | None = None
    sort: str = "priority"  # one of SORTS, or "priority-<CODE>" for one discipline's priority
    review: str | None = None  # "overdue": the next review lies before today
    problems: tuple[str, ...] = field(default=(), compare=False)

    URL_FIELDS = ("discipline", "meldkamer", "voorziening", "category", "status", "level", "owner",
                  "q", "basis", "likelihood", "impact", "sort", "review")

    @classmethod
    def from_args(cls, args, default_discipline: str | None = None,
                  archived_allowed: bool | None = None) -> "RegisterFilter":
        """Read the URL; unknown values are dropped and named in ``problems``, never an error.
        ``status=gearchiveerd`` is such a value for someone who may not see archived risks
        (``archived_allowed``; by default: the signed-in user's permission in a request, the
        operator's outside one)."""
        values, problems = {}, []
        discipline = args.get("discipline")
        if discipline is None:
            discipline = default_discipline
        elif discipline in ("", ALL):
            discipline = None
        for name in ("meldkamer", "voorziening", "category", "status", "level", "owner", "q"):
            value = (args.get(name) or "").strip()
            values[name] = value or None
        values["discipline"] = discipline.upper() if discipline else None
        basis = args.get("basis", "netto")
        if basis not in ("netto", "bruto"):
            problems.append("basis")
            basis = "netto"
        values["basis"] = basis
        review = (args.get("review") or "").strip() or None
        if review is not None and review not in REVIEWS:
            problems.append("review")
            review = None
        values["review"] = review
        for name in ("likelihood", "impact"):
            raw = args.get(name)
            if raw:
                if raw.isdigit():
                    values[name] = int(raw)
                else:
                    problems.append(name)
        sort = args.get("sort", "priority")
        if sort not in SORTS and not sort.startswith("priority-"):
            problems.append("sort")
            sort = "priority"
        values["sort"] = sort
        if values["status"] and values["status"] not in STATUSES + (ALL, ARCHIVED):
            problems.append("status")
            values["status"] = None
        if values["status"] == ARCHIVED and not _may_see_archived(archived_allowed):
            problems.append("status")
            values["status"] = None
        return cls(**values, problems=tuple(problems))

    def to_args(self, **overrides) -> dict:
        """URL arguments for this filter (with overrides); an explicit 'all' keeps 'all risks'."""
        merged = replace(self, **overrides) if overrides else self
        args = {}
        for name in self.URL_FIELDS:
            value = getattr(merged, name)
            if name == "discipline":
                args[name] = value or ALL
            elif name == "basis" and value == "netto" or name == "sort" and value == "priority":
                continue
            elif value not in (None, ""):
                args[name] = value
        return args

    @property
    def sort_discipline(self) -> str | None:
        if self.sort.startswith("priority-"):
            return self.sort.split("-", 1)[1].upper()
        if self.sort in ("priority", "bruto"):
            return self.discipline
        return None

    def is_narrowed(self) -> bool:
        return any(getattr(self, n) for n in ("meldkamer", "voorziening", "category", "status",
                                              "level", "owner", "q", "likelihood", "impact",
                                              "review"))

    def checked(self, known: dict) -> "RegisterFilter":
        """This filter with every code that ``known`` (URL field -> set of codes) does not hold
        named in ``problems``; the page says so instead of silently showing nothing."""
        problems = list(self.problems)
        for name, codes in known.items():
            value = getattr(self, name)
            if value and value not in codes and name not in problems:
                problems.append(name)
        return replace(self, problems=tuple(problems))


def _may_see_archived(allowed: bool | None) -> bool:
    if allowed is not None:
        return allowed
    if not has_request_context():
        return True  # the command line: an operator on the server
    from flask_login import current_user
    return can_view_archived(current_user)


@dataclass(slots=True)
class RegisterRow:
    """What the register page shows of one risk; plain values, no ORM object."""

    id: int
    code: str
    title: str
    status: str
    owner: str
    likelihood: int
    priority: int
    level_id: int | None
    next_review: date | None
    netto_level_id: int | None
    target_level_id: int | None
    sort_key: tuple = ()
    # discipline id -> (priority, level id) for the disciplines the risk applies to
    impacts: dict = field(default_factory=dict)
    overdue: bool = False  # the next review lies before today (closed risks are never overdue)
    above_target: bool = False  # the netto level is worse than the target level


@dataclass
class Page:
    rows: list[RegisterRow]
    total: int
    next_cursor: str | None
    size: int


class Codes:
    """Reference codes resolved to ids: from lists the caller has already loaded, or one small
    query per list."""

    def __init__(self, disciplines=None, levels=None):
        self.disciplines = ({d.code: d.id for d in disciplines} if disciplines is not None else
                            dict(db.session.execute(select(Discipline.code, Discipline.id)).all()))
        self.levels = ({lvl.code: lvl.id for lvl in levels} if levels is not None else
                       dict(db.session.execute(select(RiskLevel.code, RiskLevel.id)).all()))


def score_columns(flt: RegisterFilter, di):
    """(likelihood, impact, level id) columns the filter's basis and discipline refer to."""
    scored = di if di is not None else Risk
    return (getattr(Risk, f"{flt.basis}_likelihood"), getattr(scored, f"{flt.basis}_impact"),
            getattr(scored, f"{flt.basis}_level_id"))


def filtered_select(flt: RegisterFilter, codes: Codes | None = None):
    """The select of risks for a filter, without order, and the discipline-impact alias it joins."""
    codes = codes or Codes()
    stmt = select(Risk)
    di = None
    if flt.discipline:
        di = DI_FILTER
        stmt = stmt.join(di, and_(di.risk_id == Risk.id,
                                  di.discipline_id == codes.disciplines.get(flt.discipline, -1),
                                  di.applies.is_(True)))
    score_likelihood, score_impact, score_level = score_columns(flt, di)
    if flt.meldkamer:
        stmt = stmt.where(Risk.id.in_(
            select(risk_meldkamer.c.risk_id).join(Meldkamer).where(Meldkamer.code == flt.meldkamer)))
    if flt.voorziening:
        stmt = stmt.where(Risk.id.in_(
            select(risk_voorziening.c.risk_id).join(Voorziening)
            .where(Voorziening.code == flt.voorziening)))
    if flt.category:
        stmt = stmt.where(Risk.category_id.in_(select(Category.id).where(Category.code == flt.category)))
    if flt.status == ARCHIVED:
        stmt = stmt.where(Risk.archived_at.is_not(None))
    else:
        stmt = stmt.where(Risk.archived_at.is_(None))
    if flt.status is None:
        stmt = stmt.where(Risk.status.not_in(CLOSED))
    elif flt.status not in (ALL, ARCHIVED):
        stmt = stmt.where(Risk.status == flt.status)
    if flt.review == "overdue":
        stmt = stmt.where(Risk.next_review < today(), Risk.status.not_in(CLOSED))
    if flt.owner:
        stmt = stmt.where(Risk.owner == flt.owner)
    if flt.level:
        stmt = stmt.where(score_level == codes.levels.get(flt.level, -1))
    if flt.likelihood:
        stmt = stmt.where(score_likelihood == flt.likelihood)
    if flt.impact:
        stmt = stmt.where(score_impact == flt.impact)
    if flt.q:
        pattern = "%" + flt.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Risk.title.ilike(pattern, escape="\\"),
                              Risk.code.ilike(pattern, escape="\\"),
                              Risk.owner.ilike(pattern, escape="\\")))
    return stmt, di


def today() -> date:
    """The day reviews fall due against (one place, so tests can move it)."""
    return date.today()


@dataclass(frozen=True)
class SortKey:
    column: object
    descending: bool
    kind: type  # int, str, date or datetime: what the cursor must hold for it


def _sort_columns(flt: RegisterFilter, stmt, di, codes: Codes):
    """(stmt with any join the sort needs, sort keys); the last key is unique, so the order is
    total and a cursor holding every key's value resumes exactly after its row."""
    if flt.sort in ("priority", "bruto") or flt.sort.startswith("priority-"):
        basis = "bruto" if flt.sort == "bruto" else flt.basis
        code = flt.sort_discipline
        wide = getattr(Risk, f"{basis}_priority")
        if code:
            if di is None or code != flt.discipline:
                di = DI_SORT
                stmt = stmt.join(di, and_(di.risk_id == Risk.id,
                                          di.discipline_id == codes.disciplines.get(code, -1)))
            # Ties in a discipline's priority: the register-wide priority, then the code.
            return stmt, [SortKey(getattr(di, f"{basis}_priority"), True, int),
                          SortKey(wide, True, int), SortKey(Risk.code, False, str)]
        return stmt, [SortKey(wide, True, int), SortKey(Risk.code, False, str)]
    if flt.sort == "code":
        return stmt, [SortKey(Risk.code, False, str)]
    if flt.sort == "title":
        return stmt, [SortKey(Risk.title, False, str), SortKey(Risk.code, False, str)]
    if flt.sort == "review":
        return stmt, [SortKey(func.coalesce(Risk.next_review, literal(NO_REVIEW, Date)), False, date),
                      SortKey(Risk.code, False, str)]
    return stmt, [SortKey(Risk.updated_at, True, datetime), SortKey(Risk.code, False, str)]


def _after(keys: list[SortKey], values: list):
    """The rows after the one whose sort key is ``values``: a row comparison where every key runs
    the same way (indexes serve it), else the expanded form for mixed directions."""
    bounds = [literal(v, k.column.type) for k, v in zip(keys, values)]
    if len({k.descending for k in keys}) == 1:
        key, bound = tuple_(*[k.column for k in keys]), tuple_(*bounds)
        return key < bound if keys[0].descending else key > bound
    clauses = []
    for i, k in enumerate(keys):
        equal = [keys[j].column == bounds[j] for j in range(i)]
        beyond = k.column < bounds[i] if k.descending else k.column > bounds[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def ordered_select(flt: RegisterFilter, codes: Codes | None = None):
    """Every risk matching the filter, in the register's order: (select, sort keys)."""
    codes = codes or Codes()
    stmt, di = filtered_select(flt, codes)
    stmt, keys = _sort_columns(flt, stmt, di, codes)
    return stmt.order_by(*[k.column.desc() if k.descending else k.column.asc() for k in keys]), keys


RISK_ONLY_FILTERS = ("meldkamer", "voorziening", "category", "status", "owner", "q", "likelihood")


def count_risks(flt: RegisterFilter, codes: Codes | None = None) -> int:
    codes = codes or Codes()
    if flt.discipline and flt.status == ALL and not flt.review \
            and not any(getattr(flt, name) for name in RISK_ONLY_FILTERS if name != "status"):
        # Everything asked lives on the discipline's impact rows: count them from their index
        # alone instead of joining every risk (less the few archived ones).
        di = DisciplineImpact
        stmt = select(func.count()).where(
            di.discipline_id == codes.disciplines.get(flt.discipline, -1), di.applies.is_(True),
            di.risk_id.not_in(select(Risk.id).where(Risk.archived_at.is_not(None))))
        _, impact, level = score_columns(flt, di)
        if flt.level:
            stmt = stmt.where(level == codes.levels.get(flt.level, -1))
        if flt.impact:
            stmt = stmt.where(impact == flt.impact)
        return db.session.scalar(stmt)
    base, _ = filtered_select(flt, codes)
    return db.session.scalar(select(func.count()).select_from(
        base.with_only_columns(Risk.id).subquery()))


def register_page(flt: RegisterFilter, after: str | None = None, size: int = 50,
                  disciplines=None, levels=None) -> Page:
    """One page of the register in three queries (count, rows, impacts), whatever ``size`` is or
    how deep the page lies: the cursor holds the sort keys of the last row shown (keyset
    pagination), so a deep page costs what the first one does."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    codes = Codes(disciplines, levels)
    stmt, keys = ordered_select(flt, codes)
    cursor = decode_cursor(after, keys)
    if cursor is not None:
        stmt = stmt.where(_after(keys, cursor))
    b = flt.basis
    stmt = stmt.with_only_columns(
        Risk.id, Risk.code, Risk.title, Risk.status, Risk.owner,
        getattr(Risk, f"{b}_likelihood"), getattr(Risk, f"{b}_priority"),
        getattr(Risk, f"{b}_level_id"), Risk.next_review, Risk.netto_level_id,
        Risk.target_level_id, *[k.column for k in keys],
    ).limit(size + 1)
    fixed = 11
    rows = [RegisterRow(*values[:fixed], sort_key=tuple(values[fixed:]))
            for values in db.session.execute(stmt)]
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].sort_key)
    ranks = ({lvl.id: lvl.rank for lvl in levels} if levels is not None else
             dict(db.session.execute(select(RiskLevel.id, RiskLevel.rank)).all()))
    due = today()
    for row in rows:
        row.overdue = is_overdue(row.status, row.next_review, due)
        row.above_target = is_above_target(row.netto_level_id, row.target_level_id, ranks)
    if rows:
        by_id = {row.id: row for row in rows}
        priority_col = getattr(DisciplineImpact, f"{b}_priority")
        level_col = getattr(DisciplineImpact, f"{b}_level_id")
        for risk_id, discipline_id, prio, level in db.session.execute(
            select(DisciplineImpact.risk_id, DisciplineImpact.discipline_id, priority_col, level_col)
            .where(DisciplineImpact.risk_id.in_(by_id), DisciplineImpact.applies.is_(True))
        ):
            by_id[risk_id].impacts[discipline_id] = (prio, level)
    return Page(rows=rows, total=count_risks(flt, codes), next_cursor=next_cursor, size=size)


def is_overdue(status: str, next_review: date | None, due: date | None = None) -> bool:
    """A review date that has passed, on a risk that is not closed."""
    return (next_review is not None and status not in CLOSED
            and next_review < (due or today()))


def is_above_target(level_id: int | None, target_id: int | None, ranks: dict) -> bool:
    """The netto level is worse (higher rank) than the target level."""
    if level_id is None or target_id is None or level_id not in ranks or target_id not in ranks:
        return False
    return ranks[level_id] > ranks[target_id]


def encode_cursor(values) -> str:
    """A cursor holding every sort key of a row (see :func:`_sort_columns`)."""
    plain = [v.isoformat() if isinstance(v, (date, datetime)) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(raw: str | None, keys: list[SortKey]) -> list | None:
    """The sort keys from a cursor; None (first page) for anything malformed or made for another
    sort."""
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        decoded = []
        for key, value in zip(keys, values):
            if key.kind in (date, datetime):
                value = key.kind.fromisoformat(value)
            elif key.kind is int and (not isinstance(value, int) or isinstance(value, bool)):
                return None
            elif key.kind is str and not isinstance(value, str):
                return None
            decoded.append(value)
        return decoded
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def discipline_select(flt: RegisterFilter, code: str, codes: Codes | None = None):
    """The filter's risks that affect discipline ``code``, by that discipline's netto priority,
    with the discipline's impact row alongside: select(Risk, DisciplineImpact)."""
    codes = codes or Codes()
    stmt, _ = filtered_select(flt, codes)
    stmt = stmt.join(DI_SORT, and_(DI_SORT.risk_id == Risk.id,
                                   DI_SORT.discipline_id == codes.disciplines.get(code, -1),
                                   DI_SORT.applies.is_(True)))
    return stmt.add_columns(DI_SORT).order_by(DI_SORT.netto_priority.desc(),
                                              Risk.netto_priority.desc(), Risk.code.asc())

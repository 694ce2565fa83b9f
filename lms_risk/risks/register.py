"""The register's filters, sorting and keyset pagination, shared by the page, heatmaps and export.

Every filter lives in the URL so that a view can be shared. ``discipline`` narrows to the risks that
affect that discipline; then ``level``, ``likelihood`` and ``impact`` refer to that discipline's
score, otherwise to the register-wide score. ``basis`` says which score: netto (default) or bruto.
"""

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Date, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import aliased

from ..extensions import db
from ..matrix.models import RiskLevel
from ..reference.models import Category, Discipline, Meldkamer, Voorziening
from .labels import STATUSES
from .models import DisciplineImpact, Risk, risk_meldkamer, risk_voorziening

ALL = "all"
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
    status: str | None = None
    level: str | None = None
    owner: str | None = None
    q: str | None = None
    basis: str = "netto"
    likelihood: int | None = None
    impact: int | None = None
    sort: str = "priority"  # one of SORTS, or "priority-<CODE>" for one discipline's priority
    problems: tuple[str, ...] = field(default=(), compare=False)

    URL_FIELDS = ("discipline", "meldkamer", "voorziening", "category", "status", "level", "owner",
                  "q", "basis", "likelihood", "impact", "sort")

    @classmethod
    def from_args(cls, args, default_discipline: str | None = None) -> "RegisterFilter":
        """Read the URL; unknown values are dropped and named in ``problems``, never an error."""
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
        values["basis"] = basis if basis in ("netto", "bruto") else "netto"
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
        if values["status"] and values["status"] not in STATUSES:
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
                                              "level", "owner", "q", "likelihood", "impact"))


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
    sort_key: object
    # discipline id -> (priority, level id) for the disciplines the risk applies to
    impacts: dict = field(default_factory=dict)


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
    if flt.status:
        stmt = stmt.where(Risk.status == flt.status)
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


def _sort_columns(flt: RegisterFilter, stmt, di, codes: Codes):
    """(stmt with any join the sort needs, sort key columns, descending?); id breaks ties."""
    if flt.sort in ("priority", "bruto") or flt.sort.startswith("priority-"):
        basis = "bruto" if flt.sort == "bruto" else flt.basis
        code = flt.sort_discipline
        if code:
            if di is None or code != flt.discipline:
                di = DI_SORT
                stmt = stmt.join(di, and_(di.risk_id == Risk.id,
                                          di.discipline_id == codes.disciplines.get(code, -1)))
            # di.risk_id equals Risk.id here; ordering by it lets the index serve the sort
            return stmt, [getattr(di, f"{basis}_priority"), di.risk_id], True
        return stmt, [getattr(Risk, f"{basis}_priority"), Risk.id], True
    if flt.sort == "code":
        return stmt, [Risk.code, Risk.id], False
    if flt.sort == "title":
        return stmt, [Risk.title, Risk.id], False
    if flt.sort == "review":
        return stmt, [func.coalesce(Risk.next_review, literal(NO_REVIEW, Date)), Risk.id], False
    return stmt, [Risk.updated_at, Risk.id], True


def ordered_select(flt: RegisterFilter, codes: Codes | None = None):
    """Every risk matching the filter, in the register's order: (select, key columns, descending)."""
    codes = codes or Codes()
    stmt, di = filtered_select(flt, codes)
    stmt, columns, descending = _sort_columns(flt, stmt, di, codes)
    return stmt.order_by(*[c.desc() if descending else c.asc() for c in columns]), columns, descending


RISK_ONLY_FILTERS = ("meldkamer", "voorziening", "category", "status", "owner", "q", "likelihood")


def count_risks(flt: RegisterFilter, codes: Codes | None = None) -> int:
    codes = codes or Codes()
    if flt.discipline and not any(getattr(flt, name) for name in RISK_ONLY_FILTERS):
        # Everything asked lives on the discipline's impact rows: count them from their index
        # alone instead of joining every risk.
        di = DisciplineImpact
        stmt = select(func.count()).where(
            di.discipline_id == codes.disciplines.get(flt.discipline, -1), di.applies.is_(True))
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
    how deep the page lies: the cursor holds the sort key of the last row shown (keyset
    pagination), so a deep page costs what the first one does."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    codes = Codes(disciplines, levels)
    stmt, columns, descending = ordered_select(flt, codes)
    cursor = _decode_cursor(after, flt)
    if cursor is not None:
        key = tuple_(*columns)
        bound = tuple_(*[literal(v, c.type) for v, c in zip(cursor, columns)])
        stmt = stmt.where(key < bound if descending else key > bound)
    b = flt.basis
    stmt = stmt.with_only_columns(
        Risk.id, Risk.code, Risk.title, Risk.status, Risk.owner,
        getattr(Risk, f"{b}_likelihood"), getattr(Risk, f"{b}_priority"),
        getattr(Risk, f"{b}_level_id"), Risk.next_review, columns[0],
    ).limit(size + 1)
    rows = [RegisterRow(*values) for values in db.session.execute(stmt)]
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].sort_key, rows[-1].id)
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


def encode_cursor(sort_value, risk_id: int) -> str:
    if isinstance(sort_value, (date, datetime)):
        sort_value = sort_value.isoformat()
    raw = json.dumps([sort_value, risk_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(raw: str | None, flt: RegisterFilter) -> list | None:
    """The sort key from a cursor; None (first page) for anything malformed."""
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        value, risk_id = values
        if not isinstance(risk_id, int):
            return None
        if flt.sort == "review":
            value = date.fromisoformat(value)
        elif flt.sort == "updated":
            value = datetime.fromisoformat(value)
        elif flt.sort in ("code", "title"):
            if not isinstance(value, str):
                return None
        elif not isinstance(value, int):
            return None
        return [value, risk_id]
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
    return stmt.add_columns(DI_SORT).order_by(DI_SORT.netto_priority.desc(), DI_SORT.risk_id.desc())

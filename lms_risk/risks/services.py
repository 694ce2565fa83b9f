"""Creating, changing and deleting risks. Flush, never commit: the caller owns the transaction."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select

from ..audit.models import AuditEvent
from ..audit.services import record
from .permissions import can_score
from ..extensions import db
from ..reference.models import Category, Discipline, Meldkamer, Voorziening
from ..timeutil import utcnow
from .labels import STATUSES
from .models import DisciplineImpact, Risk, ScoreChange, risk_meldkamer, risk_voorziening
from ..matrix.services import load_grid
from .scoring import apply_scores, derive

SCORE_RANGE = range(1, 6)


class RiskError(Exception):
    """A change that the rules refuse; ``errors`` maps a field name to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class StaleRiskError(Exception):
    """Someone else saved the risk since this change was started from ``expected`` version."""

    def __init__(self, risk: Risk, expected: int):
        super().__init__(f"{risk.code}: version {expected} is older than {risk.version}")
        self.risk = risk
        self.expected = expected


class ScorePermissionError(Exception):
    def __init__(self, discipline_code: str):
        super().__init__(discipline_code)
        self.discipline_code = discipline_code


@dataclass
class ImpactData:
    applies: bool = False
    bruto_impact: int | None = None
    netto_impact: int | None = None
    rationale: str = ""


@dataclass
class RiskData:
    """Everything a user can set on a risk; codes refer to reference data."""

    title: str
    bruto_likelihood: int
    netto_likelihood: int
    description: str = ""
    cause: str = ""
    consequence: str = ""
    category_code: str | None = None
    owner: str = ""
    status: str = "concept"
    meldkamer_codes: list[str] = field(default_factory=list)
    voorziening_codes: list[str] = field(default_factory=list)
    target_level_id: int | None = None
    next_review: date | None = None
    # discipline code -> impact; a discipline left out is left as it is (or "not applicable" when new)
    impacts: dict[str, ImpactData] = field(default_factory=dict)


SCORE_FIELDS = ("bruto_likelihood", "netto_likelihood")
IMPACT_SCORE_FIELDS = ("applies", "bruto_impact", "netto_impact")
TEXT_FIELDS = ("title", "description", "cause", "consequence", "owner", "status", "next_review",
               "target_level_id", "category_id")


def validate(data: RiskData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title or not data.title.strip():
        errors["title"] = "missing"
    elif len(data.title) > 300:
        errors["title"] = "too_long"
    if data.status not in STATUSES:
        errors["status"] = "unknown"
    for name in SCORE_FIELDS:
        if getattr(data, name) not in SCORE_RANGE:
            errors[name] = "out_of_range"
    if not errors.get("netto_likelihood") and not errors.get("bruto_likelihood"):
        if data.netto_likelihood > data.bruto_likelihood:
            errors["netto_likelihood"] = "netto_above_bruto"
    for code, impact in data.impacts.items():
        if not impact.applies:
            continue
        for name in ("bruto_impact", "netto_impact"):
            if getattr(impact, name) not in SCORE_RANGE:
                errors[f"{code}.{name}"] = "out_of_range"
        if (f"{code}.bruto_impact" not in errors and f"{code}.netto_impact" not in errors
                and impact.netto_impact > impact.bruto_impact):
            errors[f"{code}.netto_impact"] = "netto_above_bruto"
    return errors


class _Refs:
    """Reference data by code, loaded once per operation (an import touches thousands of rows)."""

    def __init__(self):
        self.disciplines = {d.code: d for d in db.session.scalars(db.select(Discipline))}
        self.categories = {c.code: c for c in db.session.scalars(db.select(Category))}
        self.meldkamers = {m.code: m for m in db.session.scalars(db.select(Meldkamer))}
        self.voorzieningen = {v.code: v for v in db.session.scalars(db.select(Voorziening))}
        self.grid = load_grid()

    def resolve(self, data: RiskData) -> dict[str, str]:
        errors = {}
        if data.category_code and data.category_code not in self.categories:
            errors["category"] = "unknown"
        for name, codes, known in (("meldkamers", data.meldkamer_codes, self.meldkamers),
                                   ("voorzieningen", data.voorziening_codes, self.voorzieningen)):
            if any(c not in known for c in codes):
                errors[name] = "unknown"
        if any(c not in self.disciplines for c in data.impacts):
            errors["impacts"] = "unknown_discipline"
        return errors


def load_refs() -> _Refs:
    return _Refs()


def next_code() -> str:
    codes = db.session.scalars(db.select(Risk.code).where(Risk.code.like("R-%"))).all()
    numbers = [int(c[2:]) for c in codes if c[2:].isdigit()]
    return f"R-{(max(numbers, default=0) + 1):04d}"


def _check(data: RiskData, refs: _Refs) -> None:
    errors = validate(data) | refs.resolve(data)
    if errors:
        raise RiskError(errors)


def _snapshot(risk: Risk) -> dict:
    snap = {name: getattr(risk, name) for name in TEXT_FIELDS + SCORE_FIELDS}
    snap["next_review"] = risk.next_review.isoformat() if risk.next_review else None
    snap["meldkamers"] = sorted(m.code for m in risk.meldkamers)
    snap["voorzieningen"] = sorted(v.code for v in risk.voorzieningen)
    for impact in risk.impacts:
        for name in IMPACT_SCORE_FIELDS + ("rationale",):
            snap[f"{impact.discipline.code}.{name}"] = getattr(impact, name)
    return snap


def create_risk(data: RiskData, user, *, code: str | None = None, reason: str = "",
                refs: _Refs | None = None) -> Risk:
    refs = refs or _Refs()
    _check(data, refs)
    for discipline_code, new in data.impacts.items():
        if new.applies and not can_score(user, refs.disciplines[discipline_code].id):
            raise ScorePermissionError(discipline_code)
    risk = Risk(code=code or next_code(), created_by_id=getattr(user, "id", None))
    risk.impacts = [DisciplineImpact(discipline=d, discipline_id=d.id)
                    for d in sorted(refs.disciplines.values(), key=lambda d: d.id)]
    _assign(risk, data, refs)
    risk.updated_by_id = risk.created_by_id
    apply_scores(risk, refs.grid)
    db.session.add(risk)
    db.session.flush()
    record("create", "risk", risk.code, user, summary=risk.title,
           changes={k: [None, v] for k, v in _snapshot(risk).items() if v not in (None, "", [])})
    return risk


def update_risk(risk: Risk, data: RiskData, user, *, expected_version: int, reason: str = "",
                refs: _Refs | None = None) -> dict:
    """Apply ``data``; returns the audit diff (empty when nothing changed)."""
    if risk.version != expected_version:
        raise StaleRiskError(risk, expected_version)
    refs = refs or _Refs()
    _check(data, refs)
    user_id = getattr(user, "id", None)
    for code, new in data.impacts.items():
        current = risk.impact_for(refs.disciplines[code].id)
        if _impact_differs(current, new) and not can_score(user, refs.disciplines[code].id):
            raise ScorePermissionError(code)
    before = _snapshot(risk)
    old_scores = _scores(risk)
    # One save is one write: a lazy load on the way (the history collection, an expired user)
    # would otherwise autoflush the half-made change and raise the version twice.
    with db.session.no_autoflush:
        _assign(risk, data, refs)
        apply_scores(risk, refs.grid)
        after = _snapshot(risk)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        if not changes:
            return {}
        now = utcnow()
        new_scores = _scores(risk)
        for (discipline_id, name), old in old_scores.items():
            new = new_scores[(discipline_id, name)]
            if old != new:
                risk.score_changes.append(ScoreChange(
                    discipline_id=discipline_id, field=name, old_value=_str(old),
                    new_value=_str(new), reason=reason, user_id=user_id, changed_at=now))
        risk.updated_at = now
        risk.updated_by_id = user_id
    db.session.flush()
    record("update", "risk", risk.code, user, summary=reason, changes=changes)
    return changes


def delete_risk(risk: Risk, user, reason: str = "") -> None:
    snapshot = {k: [v, None] for k, v in _snapshot(risk).items()}
    record("delete", "risk", risk.code, user, summary=reason or risk.title, changes=snapshot)
    db.session.delete(risk)
    db.session.flush()


def _impact_differs(current: DisciplineImpact | None, new: ImpactData) -> bool:
    if current is None:
        return new.applies
    if not new.applies and not current.applies:
        return False
    return (current.applies, current.bruto_impact, current.netto_impact, current.rationale or "") != (
        new.applies, new.bruto_impact, new.netto_impact, new.rationale or "")


def _assign(risk: Risk, data: RiskData, refs: _Refs) -> None:
    risk.title = data.title.strip()
    risk.description = data.description or ""
    risk.cause = data.cause or ""
    risk.consequence = data.consequence or ""
    risk.owner = (data.owner or "").strip()
    risk.status = data.status
    risk.bruto_likelihood = data.bruto_likelihood
    risk.netto_likelihood = data.netto_likelihood
    risk.target_level_id = data.target_level_id
    risk.next_review = data.next_review
    category = refs.categories.get(data.category_code) if data.category_code else None
    risk.category_id = category.id if category else None
    meldkamers = [refs.meldkamers[c] for c in data.meldkamer_codes]
    if {m.id for m in risk.meldkamers} != {m.id for m in meldkamers}:
        risk.meldkamers = meldkamers
    voorzieningen = [refs.voorzieningen[c] for c in data.voorziening_codes]
    if {v.id for v in risk.voorzieningen} != {v.id for v in voorzieningen}:
        risk.voorzieningen = voorzieningen
    for code, new in data.impacts.items():
        impact = risk.impact_for(refs.disciplines[code].id)
        if impact is None:  # a discipline added after this risk was made
            impact = DisciplineImpact(discipline=refs.disciplines[code])
            risk.impacts.append(impact)
        if new.applies:
            values = (True, new.bruto_impact, new.netto_impact, new.rationale or "")
        else:  # not applicable: scores cleared, the rationale (why not) kept
            values = (False, None, None, new.rationale or "")
        for name, value in zip(("applies", "bruto_impact", "netto_impact", "rationale"), values):
            if getattr(impact, name) != value:
                setattr(impact, name, value)


def _scores(risk: Risk) -> dict[tuple[int | None, str], object]:
    scores = {(None, name): getattr(risk, name) for name in SCORE_FIELDS}
    for impact in risk.impacts:
        for name in IMPACT_SCORE_FIELDS:
            scores[(impact.discipline_id, name)] = getattr(impact, name)
    return scores


def _str(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def bulk_create_risks(items: list[tuple[str, RiskData]], user, *, reason: str = "",
                      refs: _Refs | None = None) -> int:
    """Create many risks in a few statements (the Excel import of thousands of rows).

    Validated and derived exactly as :func:`create_risk` does, each with its audit event; written
    with multi-row Core inserts instead of one flush per risk. Returns the number created.
    """
    if not items:
        return 0
    refs = refs or _Refs()
    user_id = getattr(user, "id", None)
    now = utcnow()
    disciplines = [(d.id, d.code) for d in sorted(refs.disciplines.values(), key=lambda d: d.id)]
    may_score = {code: can_score(user, d_id) for d_id, code in disciplines}
    none = ImpactData()
    risk_rows, derived_impacts = [], []
    for code, data in items:
        _check(data, refs)
        for discipline_code, new in data.impacts.items():
            if new.applies and not may_score[discipline_code]:
                raise ScorePermissionError(discipline_code)
        impacts = {c: data.impacts.get(c, none) for _, c in disciplines}
        derived, per_impact = derive(
            {"bruto": data.bruto_likelihood, "netto": data.netto_likelihood},
            {c: (i.applies, i.bruto_impact, i.netto_impact) for c, i in impacts.items()},
            refs.grid)
        derived_impacts.append((impacts, per_impact))
        category = refs.categories.get(data.category_code) if data.category_code else None
        risk_rows.append({
            "code": code, "title": data.title.strip(), "description": data.description or "",
            "cause": data.cause or "", "consequence": data.consequence or "",
            "owner": (data.owner or "").strip(), "status": data.status,
            "category_id": category.id if category else None,
            "bruto_likelihood": data.bruto_likelihood, "netto_likelihood": data.netto_likelihood,
            "target_level_id": data.target_level_id, "next_review": data.next_review,
            "version": 1, "created_at": now, "updated_at": now,
            "created_by_id": user_id, "updated_by_id": user_id, **derived,
        })
    # Core inserts on the tables are multi-row statements; the ORM's bulk insert (and RETURNING
    # in parameter order, on SQLite) fall back to a statement a row and cost several times more.
    db.session.execute(insert(Risk.__table__), risk_rows)
    codes = [code for code, _ in items]
    ids: dict[str, int] = {}
    for start in range(0, len(codes), 900):  # SQLite's bound-parameter limit
        ids.update(db.session.execute(select(Risk.code, Risk.id).where(
            Risk.code.in_(codes[start:start + 900]))).all())
    impact_rows, meldkamer_rows, voorziening_rows, audit_rows = [], [], [], []
    for (code, data), (impacts, per_impact) in zip(items, derived_impacts):
        risk_id = ids[code]
        snapshot = {}
        for d_id, d_code in disciplines:
            new = impacts[d_code]
            applies = bool(new.applies)
            row = {"risk_id": risk_id, "discipline_id": d_id, "applies": applies,
                   "bruto_impact": new.bruto_impact if applies else None,
                   "netto_impact": new.netto_impact if applies else None,
                   "rationale": new.rationale or "", **per_impact[d_code]}
            impact_rows.append(row)
            if applies:
                snapshot.update({f"{d_code}.applies": [None, True],
                                 f"{d_code}.bruto_impact": [None, row["bruto_impact"]],
                                 f"{d_code}.netto_impact": [None, row["netto_impact"]]})
        meldkamer_rows += [{"risk_id": risk_id, "meldkamer_id": refs.meldkamers[c].id}
                           for c in dict.fromkeys(data.meldkamer_codes)]
        voorziening_rows += [{"risk_id": risk_id, "voorziening_id": refs.voorzieningen[c].id}
                             for c in dict.fromkeys(data.voorziening_codes)]
        snapshot.update({"title": [None, data.title.strip()], "status": [None, data.status],
                         "bruto_likelihood": [None, data.bruto_likelihood],
                         "netto_likelihood": [None, data.netto_likelihood]})
        audit_rows.append({"at": now, "user_id": user_id, "action": "create", "entity_type": "risk",
                           "entity_id": code, "summary": reason or data.title.strip(),
                           "changes": snapshot})
    db.session.execute(insert(DisciplineImpact.__table__), impact_rows)
    if meldkamer_rows:
        db.session.execute(insert(risk_meldkamer), meldkamer_rows)
    if voorziening_rows:
        db.session.execute(insert(risk_voorziening), voorziening_rows)
    db.session.execute(insert(AuditEvent.__table__), audit_rows)
    return len(items)

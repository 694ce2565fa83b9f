"""Creating, changing and deleting risks. Flush, never commit: the caller owns the transaction."""

from sqlalchemy import insert, select

from ..audit.models import AuditEvent
from ..audit.services import record
from ..extensions import db
from ..reference.data import RefData, refdata
from ..timeutil import utcnow
from .fields import IMPACT_FIELDS, IMPACT_SCORE_FIELDS, RISK_FIELDS, SCORE_FIELDS, ImpactData, RiskData
from .labels import ERROR_MESSAGES
from .models import DisciplineImpact, Risk, ScoreChange, risk_meldkamer, risk_voorziening
from .permissions import can_score
from .scoring import apply_scores, derive


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


def validate(data: RiskData, refs: RefData | None = None) -> dict[str, str]:
    """Clean ``data`` in place by the field specification and check the risk's own rules.
    Returns {field key: message}; per-discipline keys look like "AMB.netto_impact"."""
    refs = refs or refdata()
    errors = RISK_FIELDS.clean(data)
    errors.update(_check_codes(RISK_FIELDS, data, refs))
    for name in SCORE_FIELDS:
        if name not in errors and getattr(data, name) not in _scale(refs, RISK_FIELDS[name]):
            errors[name] = str(ERROR_MESSAGES["out_of_range"])
    if not errors.get("netto_likelihood") and not errors.get("bruto_likelihood"):
        if data.netto_likelihood > data.bruto_likelihood:
            errors["netto_likelihood"] = str(ERROR_MESSAGES["netto_above_bruto"])
    for code, impact in data.impacts.items():
        if code not in refs.disciplines.by_code:
            errors["impacts"] = str(ERROR_MESSAGES["unknown_discipline"])
            continue
        errors.update({f"{code}.{k}": v for k, v in IMPACT_FIELDS.clean(impact).items()})
        if not impact.applies:
            continue
        for name in ("bruto_impact", "netto_impact"):
            if getattr(impact, name) not in _scale(refs, IMPACT_FIELDS[name]):
                errors[f"{code}.{name}"] = str(ERROR_MESSAGES["out_of_range"])
        if (f"{code}.bruto_impact" not in errors and f"{code}.netto_impact" not in errors
                and impact.netto_impact > impact.bruto_impact):
            errors[f"{code}.netto_impact"] = str(ERROR_MESSAGES["netto_above_bruto"])
    return errors


def _scale(refs: RefData, spec) -> frozenset[int]:
    return refs.values(spec.scale)


def _check_codes(fields, data, refs: RefData) -> dict[str, str]:
    errors = {}
    for spec in fields:
        if spec.kind not in ("ref", "refs"):
            continue
        codes = getattr(data, spec.name)
        codes = codes if spec.kind == "refs" else [codes] if codes else []
        known = refs.level_by_code if spec.ref == "levels" else refs.list(spec.ref).by_code
        if any(c not in known for c in codes):
            errors[spec.name] = str(ERROR_MESSAGES["unknown"])
    return errors


def next_code() -> str:
    codes = db.session.scalars(db.select(Risk.code).where(Risk.code.like("R-%"))).all()
    numbers = [int(c[2:]) for c in codes if c[2:].isdigit()]
    return f"R-{(max(numbers, default=0) + 1):04d}"


def _check(data: RiskData, refs: RefData) -> None:
    errors = validate(data, refs)
    if errors:
        raise RiskError(errors)


def _snapshot(risk: Risk, refs: RefData) -> dict:
    snap = RISK_FIELDS.snapshot(risk, refs)
    for impact in risk.impacts:
        code = refs.disciplines.by_id[impact.discipline_id].code
        snap.update(IMPACT_FIELDS.snapshot(impact, refs, prefix=f"{code}."))
    return snap


def create_risk(data: RiskData, user, *, code: str | None = None, reason: str = "",
                refs: RefData | None = None) -> Risk:
    refs = refs or refdata()
    _check(data, refs)
    for discipline_code, new in data.impacts.items():
        if new.applies and not can_score(user, refs.disciplines.by_code[discipline_code].id):
            raise ScorePermissionError(discipline_code)
    risk = Risk(code=code or next_code(), created_by_id=getattr(user, "id", None))
    risk.impacts = [DisciplineImpact(discipline_id=d.id)
                    for d in sorted(refs.disciplines.all, key=lambda d: d.id)]
    _assign(risk, data, refs)
    risk.updated_by_id = risk.created_by_id
    apply_scores(risk, refs.grid)
    db.session.add(risk)
    db.session.flush()
    record("create", "risk", risk.code, user, summary=risk.title,
           changes={k: [None, v] for k, v in _snapshot(risk, refs).items()
                    if v not in (None, "", [], False)})
    return risk


def update_risk(risk: Risk, data: RiskData, user, *, expected_version: int, reason: str = "",
                refs: RefData | None = None) -> dict:
    """Apply ``data``; returns the audit diff (empty when nothing changed)."""
    if risk.version != expected_version:
        raise StaleRiskError(risk, expected_version)
    refs = refs or refdata()
    _check(data, refs)
    user_id = getattr(user, "id", None)
    for code, new in data.impacts.items():
        discipline_id = refs.disciplines.by_code[code].id
        current = risk.impact_for(discipline_id)
        if _impact_differs(current, new) and not can_score(user, discipline_id):
            raise ScorePermissionError(code)
    before = _snapshot(risk, refs)
    old_scores = _scores(risk)
    # One save is one write: a lazy load on the way (the history collection, an expired user)
    # would otherwise autoflush the half-made change and raise the version twice.
    with db.session.no_autoflush:
        _assign(risk, data, refs)
        apply_scores(risk, refs.grid)
        after = _snapshot(risk, refs)
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
    snapshot = {k: [v, None] for k, v in _snapshot(risk, refdata()).items()
                if v not in (None, "", [], False)}
    record("delete", "risk", risk.code, user, summary=reason or risk.title, changes=snapshot)
    db.session.delete(risk)
    db.session.flush()


def _impact_differs(current: DisciplineImpact | None, new: ImpactData) -> bool:
    if current is None:
        return new.applies
    if not new.applies and not current.applies:
        return False
    return any(getattr(current, f.name) != getattr(new, f.name) for f in IMPACT_FIELDS)


def _assign(risk: Risk, data: RiskData, refs: RefData) -> None:
    RISK_FIELDS.assign(risk, data, refs)
    for code, new in data.impacts.items():
        discipline_id = refs.disciplines.by_code[code].id
        impact = risk.impact_for(discipline_id)
        if impact is None:  # a discipline added after this risk was made
            impact = DisciplineImpact(discipline_id=discipline_id)
            risk.impacts.append(impact)
        if not new.applies:  # not applicable: scores cleared, the rationale (why not) kept
            new = ImpactData(applies=False, rationale=new.rationale)
        IMPACT_FIELDS.assign(impact, new, refs)


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


# The risk's many-to-many fields and their association tables, for bulk inserts.
LINK_TABLES = {"meldkamers": (risk_meldkamer, "meldkamer_id"),
               "voorzieningen": (risk_voorziening, "voorziening_id")}


def bulk_create_risks(items: list[tuple[str, RiskData]], user, *, reason: str = "",
                      refs: RefData | None = None, validated: bool = False) -> int:
    """Create many risks in a few statements (the Excel import of thousands of rows).

    Validated and derived exactly as :func:`create_risk` does, each with its audit event; written
    with multi-row Core inserts instead of one flush per risk. Returns the number created.
    ``validated``: the caller has just run :func:`validate` on these very objects (the import's
    plan does, in the same transaction), so the rules are not checked twice.
    """
    if not items:
        return 0
    refs = refs or refdata()
    user_id = getattr(user, "id", None)
    now = utcnow()
    disciplines = [(d.id, d.code) for d in sorted(refs.disciplines.all, key=lambda d: d.id)]
    may_score = {code: can_score(user, d_id) for d_id, code in disciplines}
    none = ImpactData()
    columns = [spec for spec in RISK_FIELDS if spec.kind != "refs"]
    risk_rows, derived_impacts = [], []
    for code, data in items:
        if not validated:
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
        row = {"code": code, "version": 1, "created_at": now, "updated_at": now,
               "created_by_id": user_id, "updated_by_id": user_id, **derived}
        for spec in columns:
            value = getattr(data, spec.name)
            if spec.kind == "ref":
                value = _ref_id(refs, spec.ref, value)
            row[spec.attr] = value
        risk_rows.append(row)
    # Core inserts on the tables are multi-row statements; the ORM's bulk insert (and RETURNING
    # in parameter order, on SQLite) fall back to a statement a row and cost several times more.
    db.session.execute(insert(Risk.__table__), risk_rows)
    codes = [code for code, _ in items]
    ids: dict[str, int] = {}
    for start in range(0, len(codes), 900):  # SQLite's bound-parameter limit
        ids.update(db.session.execute(select(Risk.code, Risk.id).where(
            Risk.code.in_(codes[start:start + 900]))).all())
    impact_rows, audit_rows = [], []
    link_rows: dict[str, list] = {name: [] for name in LINK_TABLES}
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
        for name, (table, column) in LINK_TABLES.items():
            items_of = refs.list(name).by_code
            link_rows[name] += [{"risk_id": risk_id, column: items_of[c].id}
                                for c in dict.fromkeys(getattr(data, name))]
        snapshot.update({"title": [None, data.title], "status": [None, data.status],
                         "bruto_likelihood": [None, data.bruto_likelihood],
                         "netto_likelihood": [None, data.netto_likelihood]})
        audit_rows.append({"at": now, "user_id": user_id, "action": "create", "entity_type": "risk",
                           "entity_id": code, "summary": reason or data.title,
                           "changes": snapshot})
    db.session.execute(insert(DisciplineImpact.__table__), impact_rows)
    for name, (table, _column) in LINK_TABLES.items():
        if link_rows[name]:
            db.session.execute(insert(table), link_rows[name])
    db.session.execute(insert(AuditEvent.__table__), audit_rows)
    return len(items)


def _ref_id(refs: RefData, ref: str, code):
    if code in (None, ""):
        return None
    return (refs.level_by_code if ref == "levels" else refs.list(ref).by_code)[code].id

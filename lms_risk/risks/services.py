"""Creating, changing, archiving and deleting risks. Flush, never commit: the caller owns the
transaction."""

from datetime import date
from operator import attrgetter

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm.exc import StaleDataError

from ..audit.models import AuditEvent
from ..audit.services import record
from ..core.codes import CodeCounter
from ..core.codes import next_code as next_code_in
from ..core.fields import Field, clean_text
from ..core.rows import execute_many
from ..core.uow import ConcurrentChangeError
from ..extensions import db
from ..reference.data import RefData, refdata
from ..timeutil import utcnow
from .citations import citation_check, refused_citations
from .fields import IMPACT_FIELDS, IMPACT_SCORE_FIELDS, RISK_FIELDS, SCORE_FIELDS, ImpactData, RiskData
from .labels import ERROR_MESSAGES
from .models import DisciplineImpact, Risk, ScoreChange, risk_meldkamer, risk_voorziening
from .permissions import can_archive_risks, can_delete_risks, can_restore_risks, can_score
from .scoring import IMPACT_DERIVED, apply_scores, derive


class RiskError(Exception):
    """A change that the rules refuse; ``errors`` maps a field name to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class StaleRiskError(Exception):
    """Someone else saved the risk since this change was started from ``expected`` version, and
    changed a field that this change changes too. ``fields``: those keys ("title",
    "AMB.netto_impact"); empty when what changed since is not known (then every field differs)."""

    def __init__(self, risk: Risk, expected: int, fields=()):
        super().__init__(f"{risk.code}: version {expected} is older than {risk.version}")
        self.risk = risk
        self.expected = expected
        self.fields = list(fields)


class ConcurrentSaveError(ConcurrentChangeError):
    """The database refused the write: another save of the risk committed while this one ran
    (SQLAlchemy's StaleDataError on the version column). The session must be rolled back; doing
    the unit of work again then either merges or raises :class:`StaleRiskError`."""


class RiskPermissionError(Exception):
    """The user may not do this to a risk (archive, restore, delete for good)."""


class ScorePermissionError(Exception):
    """A change to the impact of a discipline the user may not score. ``fields``: the changed
    keys ("POL.rationale")."""

    def __init__(self, discipline_code: str, fields=()):
        super().__init__(discipline_code)
        self.discipline_code = discipline_code
        self.fields = list(fields)


def validate(data: RiskData, refs: RefData | None = None, *, cleaned: bool = False) \
        -> dict[str, str]:
    """Clean ``data`` in place by the field specification and check the risk's own rules.
    Returns {field key: message}; per-discipline keys look like "AMB.netto_impact".
    ``cleaned``: every value is clean already (the import's: its cells as the fields' parsers
    give them, the rest as the register keeps them), so not cleaned again (``FieldSet.clean``)."""
    refs = refs or refdata()
    errors = RISK_FIELDS.clean(data, cleaned=cleaned)
    errors.update(_check_codes(_RISK_REF_FIELDS, data, refs))
    for name in SCORE_FIELDS:
        if name not in errors and getattr(data, name) not in _scale(refs, RISK_FIELDS[name]):
            errors[name] = str(ERROR_MESSAGES["out_of_range"])
    if not errors.get("netto_likelihood") and not errors.get("bruto_likelihood"):
        if data.netto_likelihood > data.bruto_likelihood:
            errors["netto_likelihood"] = str(ERROR_MESSAGES["netto_above_bruto"])
    known = refs.disciplines.by_code
    bruto_scale = _scale(refs, IMPACT_FIELDS["bruto_impact"])
    netto_scale = _scale(refs, IMPACT_FIELDS["netto_impact"])
    clean_impacts = not cleaned or IMPACT_FIELDS.checks_clean_values
    for code, impact in data.impacts.items():
        if code not in known:
            errors["impacts"] = str(ERROR_MESSAGES["unknown_discipline"])
            continue
        keys = _impact_key(code)
        if clean_impacts and (refused := IMPACT_FIELDS.clean(impact, cleaned=cleaned)):
            errors.update({keys[k]: v for k, v in refused.items()})
        bruto, netto = impact.bruto_impact, impact.netto_impact
        if not impact.applies:
            if bruto not in (None, "") or netto not in (None, ""):
                # Scores of a discipline the risk does not apply to would be dropped unseen.
                errors[keys["applies"]] = str(ERROR_MESSAGES["scores_not_applicable"])
            continue
        if bruto not in bruto_scale:
            errors[keys["bruto_impact"]] = str(ERROR_MESSAGES["out_of_range"])
        if netto not in netto_scale:
            errors[keys["netto_impact"]] = str(ERROR_MESSAGES["out_of_range"])
        if (keys["bruto_impact"] not in errors and keys["netto_impact"] not in errors
                and netto > bruto):
            errors[keys["netto_impact"]] = str(ERROR_MESSAGES["netto_above_bruto"])
    return errors


def _scale(refs: RefData, spec) -> frozenset[int]:
    return refs.values(spec.scale)


def _check_codes(fields, data, refs: RefData) -> dict[str, str]:
    errors = {}
    for spec in fields:
        if spec.kind not in ("ref", "refs"):
            continue
        codes = getattr(data, spec.name)
        if not codes:
            continue
        known = refs.level_by_code if spec.ref == "levels" else refs.list(spec.ref).by_code
        if spec.kind == "refs":
            unknown = any(c not in known for c in codes)
        else:
            unknown = codes not in known
        if unknown:
            errors[spec.name] = str(ERROR_MESSAGES["unknown"])
    return errors


_RISK_REF_FIELDS = [spec for spec in RISK_FIELDS if spec.kind in ("ref", "refs")]
CODE_SERIES = "risk"


def next_code() -> str:
    """The next free risk code (``core.codes``: one atomic UPDATE … RETURNING on the counter
    row; a code given explicitly before the counter saw it, as an import's, is skipped)."""
    return next_code_in(CODE_SERIES, Risk, "R-", 4)


def reserve_codes(codes) -> None:
    """Raise the counter past codes given explicitly (an import's R-1001), so that
    :func:`next_code` never hands them out again."""
    numbers = [int(c[2:]) for c in codes if c and c.startswith("R-") and c[2:].isdigit()]
    if not numbers:
        return
    table = CodeCounter.__table__
    highest = max(numbers)
    db.session.execute(update(table).where(table.c.name == CODE_SERIES, table.c.value < highest)
                       .values(value=highest))


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


def risk_values(risk: Risk, refs: RefData) -> RiskData:
    """The risk's current values as RiskData (every discipline's impact)."""
    impacts = {refs.disciplines.by_id[i.discipline_id].code: ImpactData(**IMPACT_FIELDS.values(i, refs))
               for i in risk.impacts}
    return RiskData(**RISK_FIELDS.values(risk, refs), impacts=impacts)


def _snapper(spec):
    """A function giving a value as the audit trail stores it (``spec.snapshot`` of the value,
    empty text as ""), or None where that is the value itself: the import's hot loops call it
    for every field of thousands of risks."""
    if spec.kind == "bool":
        return None  # callers make it a bool
    if spec.kind in ("text", "longtext") and type(spec).snapshot is Field.snapshot:
        return _text_or_empty
    if spec.kind in ("int", "choice", "ref") and type(spec).snapshot is Field.snapshot:
        return None  # ints and codes are stored as they are
    return lambda value: spec.snapshot(_empty_text(spec, value))


def _text_or_empty(value):
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


_RISK_SNAP = [(spec.name, _snapper(spec)) for spec in RISK_FIELDS]
_IMPACT_SNAP = [(spec.name, _snapper(spec), spec.kind == "bool",
                 spec.name in ("bruto_impact", "netto_impact")) for spec in IMPACT_FIELDS]
_IMPACT_KEYS: dict[str, list[str]] = {}  # discipline code -> ["AMB.applies", …]
_IMPACT_VALUES = attrgetter(*(name for name, *_rest in _IMPACT_SNAP))  # an impact's, in order
_IMPACT_IS_SCORE = [score for *_rest, score in _IMPACT_SNAP]
_BRUTO_AT, _NETTO_AT = (IMPACT_FIELDS.fields.index(IMPACT_FIELDS[name])
                        for name in ("bruto_impact", "netto_impact"))


_IMPACT_KEY: dict[str, dict[str, str]] = {}  # discipline code -> {"applies": "AMB.applies", …}


def _impact_key(code: str) -> dict[str, str]:
    keys = _IMPACT_KEY.get(code)
    if keys is None:
        keys = _IMPACT_KEY[code] = {spec.name: f"{code}.{spec.name}" for spec in IMPACT_FIELDS}
    return keys


def _impact_keys(code: str) -> list[str]:
    keys = _IMPACT_KEYS.get(code)
    if keys is None:
        keys = _IMPACT_KEYS[code] = [f"{code}.{spec.name}" for spec in IMPACT_FIELDS]
    return keys


def data_snapshot(data: RiskData) -> dict:
    """``data`` keyed and valued as the audit trail stores a risk ("AMB.netto_impact", codes, ISO
    dates); scores of a discipline that does not apply are not kept, so they read as empty."""
    snap = {}
    for name, snapper in _RISK_SNAP:
        value = getattr(data, name)
        snap[name] = value if snapper is None else snapper(value)
    for code, impact in data.impacts.items():
        applies = impact.applies
        for key, (name, snapper, boolean, score) in zip(_impact_keys(code), _IMPACT_SNAP):
            value = None if score and not applies else getattr(impact, name)
            snap[key] = bool(value) if boolean else value if snapper is None else snapper(value)
    return snap


_RISK_SNAPPER = dict(_RISK_SNAP)
_IMPACT_SNAPPER = {name: rest for name, *rest in _IMPACT_SNAP}


def _changes(current: dict, data: RiskData, codes, keys=None) -> dict:
    """What ``data`` changes in a risk whose values the import read as ``current`` (field names
    and "<CODE>.<name>" keys, codes not ids), for the disciplines ``codes``: the audit diff
    {key: [old, new]} in snapshot values, exactly as comparing the two snapshots
    (:func:`data_snapshot`) gives it. One pass, converting only the values that differ.
    ``keys``: the only keys that can differ, when the caller knows them (the import compared its
    cells already); the others are not compared then."""
    get = current.get
    if keys is not None:
        return _changes_among(get, data, keys)
    changes = {}
    for name, snapper in _RISK_SNAP:
        old, new = get(name), getattr(data, name)
        if old == new:
            continue
        if snapper is not None:
            old, new = snapper(old), snapper(new)
        if old != new:
            changes[name] = [old, new]
    impacts = data.impacts
    keys_of = _IMPACT_KEYS
    for code in codes:
        impact = impacts.get(code)
        if impact is None:  # left as it is
            continue
        keys = keys_of.get(code) or _impact_keys(code)
        applies = bool(impact.applies)
        new_values = _IMPACT_VALUES(impact)
        if not applies:
            new_values = tuple(None if score else value
                               for value, score in zip(new_values, _IMPACT_IS_SCORE))
        if tuple(map(get, keys)) == new_values:  # the usual impact: nothing changed
            continue
        for key, (name, snapper, boolean, score) in zip(keys, _IMPACT_SNAP):
            old = get(key)
            new = None if score and not applies else getattr(impact, name)
            if old == new:
                continue
            if boolean:
                old, new = bool(old), bool(new)
            elif snapper is not None:
                old, new = snapper(old), snapper(new)
            if old != new:
                changes[key] = [old, new]
    return changes


def _changes_among(get, data: RiskData, keys) -> dict:
    """:func:`_changes` of only ``keys`` (``get``: the current values' lookup)."""
    changes = {}
    impacts = data.impacts
    for key in keys:
        code, _dot, name = key.rpartition(".")
        if not code:
            old, new = get(name), getattr(data, name)
            snapper = _RISK_SNAPPER[name]
        else:
            impact = impacts.get(code)
            if impact is None:  # left as it is
                continue
            snapper, boolean, score = _IMPACT_SNAPPER[name]
            old = get(key)
            new = None if score and not impact.applies else getattr(impact, name)
            if boolean:
                old, new = bool(old), bool(new)
        if old == new:
            continue
        if snapper is not None:
            old, new = snapper(old), snapper(new)
        if old != new:
            changes[key] = [old, new]
    return changes


def _impact_scores(current: dict, data: RiskData, codes) -> dict:
    """Each discipline's (applies, bruto, netto) after the change: the data's where it carries
    the discipline, else the current values."""
    scores = {}
    get, impacts = current.get, data.impacts
    for code in codes:
        impact = impacts.get(code)
        if impact is None:
            named = _impact_key(code)
            scores[code] = (bool(get(named["applies"])), get(named["bruto_impact"]),
                            get(named["netto_impact"]))
        else:
            applies = bool(impact.applies)
            scores[code] = (applies, impact.bruto_impact if applies else None,
                            impact.netto_impact if applies else None)
    return scores


def _empty_text(spec, value):
    return "" if value is None and spec.kind in ("text", "longtext") else value


def score_changed(before: dict, after: dict) -> bool:
    """Whether a score (likelihood, applies, impact) differs between two snapshots."""
    return any(before.get(k) != after.get(k) for k in set(before) | set(after)
               if k.rpartition(".")[2] in SCORE_FIELDS + IMPACT_SCORE_FIELDS)


def denied_fields(user, before: dict, after: dict, refs: RefData) -> dict[str, list[str]]:
    """{discipline code: changed keys} of the disciplines whose impact the change touches and
    ``user`` may not score. The one rule for the form, the import and any other path: every impact
    field counts, the rationale too, whether or not the discipline applies."""
    denied: dict[str, list[str]] = {}
    may: dict[str, bool] = {}  # per discipline, asked once
    for key, value in after.items():
        code, _, name = key.rpartition(".")
        if not code or before.get(key, _EMPTY_IMPACT.get(name)) == value:
            continue
        if code not in may:
            discipline = refs.disciplines.by_code.get(code)
            may[code] = discipline is None or can_score(user, discipline.id)
        if not may[code]:
            denied.setdefault(code, []).append(key)
    return denied


_EMPTY_IMPACT = {"applies": False, "bruto_impact": None, "netto_impact": None, "rationale": ""}


def _check_permission(user, before: dict, after: dict, refs: RefData) -> None:
    denied = denied_fields(user, before, after, refs)
    if denied:
        code = sorted(denied)[0]
        raise ScorePermissionError(code, denied[code])


def _check_citations(risk_id: int | None, before: dict, after: dict) -> None:
    """A changed rationale cites only what the declaring feature allows there (refused, never
    fixed up on the fly: see ``Feature.text_references``)."""
    errors = refused_citations(risk_id, before, after)
    if errors:
        raise RiskError(errors)


def create_risk(data: RiskData, user, *, code: str | None = None, reason: str = "",
                refs: RefData | None = None) -> Risk:
    refs = refs or refdata()
    _check(data, refs)
    after = data_snapshot(data)
    _check_permission(user, {}, after, refs)
    _check_citations(None, {}, after)
    if code:
        reserve_codes([code])
    risk = Risk(code=code or next_code(), created_by_id=getattr(user, "id", None))
    risk.impacts = [DisciplineImpact(discipline_id=d.id)
                    for d in sorted(refs.disciplines.all, key=lambda d: d.id)]
    _assign(risk, data, refs)
    risk.updated_by_id = risk.created_by_id
    apply_scores(risk, refs.grid)
    db.session.add(risk)
    db.session.flush()
    record("create", "risk", risk.code, user, summary=risk.title, version=risk.version,
           changes={k: [None, v] for k, v in _snapshot(risk, refs).items()
                    if v not in (None, "", [], False)})
    return risk


def base_snapshot(code: str, expected: int, current_version: int, current: dict) -> dict | None:
    """The values of risk ``code`` at version ``expected``, rebuilt from the audit events of the
    updates since (each records the version it produced and old → new per field). None when the
    trail does not account for every version in between (events from before versions were
    recorded): then nothing is known about what changed."""
    if expected > current_version:
        return None
    rows = db.session.execute(
        select(AuditEvent.entity_version, AuditEvent.changes)
        .where(AuditEvent.entity_type == "risk", AuditEvent.entity_id == code,
               AuditEvent.entity_version > expected, AuditEvent.entity_version <= current_version)
        .order_by(AuditEvent.entity_version, AuditEvent.id)).all()
    if [v for v, _ in rows] != list(range(expected + 1, current_version + 1)):
        return None
    return rebuild_base(current, [changes for _, changes in rows])


def rebuild_base(current: dict, changes_since: list[dict | None]) -> dict:
    base = dict(current)
    seen = set()
    for changes in changes_since:
        for key, (old, _new) in (changes or {}).items():
            if key not in seen:
                seen.add(key)
                base[key] = old
    return base


def merge_keys(mine: dict, base: dict | None, current: dict) -> tuple[list[str], list[str]]:
    """Field-level merge of a change made from ``base`` with the ``current`` values.

    Returns (conflicts, theirs): ``conflicts`` are the keys this change changes that someone else
    changed too, to another value; ``theirs`` the keys only someone else changed (keep theirs).
    With ``base`` unknown, every key where ``mine`` differs from ``current`` conflicts."""
    if base is None:
        return [k for k in mine if mine[k] != current.get(k)], []
    conflicts, theirs = [], []
    for key, value in mine.items():
        was = base.get(key)
        if current.get(key) == was:
            continue  # nobody else changed it
        if value == was:
            theirs.append(key)
        elif value != current.get(key):
            conflicts.append(key)
    return conflicts, theirs


def _take_current(data: RiskData, current: RiskData, keys) -> None:
    for key in keys:
        code, _, name = key.rpartition(".")
        if code:
            setattr(data.impacts[code], name, getattr(current.impacts[code], name))
        else:
            setattr(data, name, getattr(current, name))


def update_risk(risk: Risk, data: RiskData, user, *, expected_version: int, reason: str = "",
                refs: RefData | None = None, require_reason: bool = False) -> dict:
    """Apply ``data``, a change made from version ``expected_version``; returns the audit diff
    (empty when nothing changed).

    When the risk was saved since, the change is merged field by field: it is refused
    (:class:`StaleRiskError`) only when a field it changes was changed by someone else to another
    value; fields only the other changed keep their value. A write that loses the race in the
    database raises :class:`ConcurrentSaveError` (roll back and do it again)."""
    refs = refs or refdata()
    if risk.archived_at is not None:
        raise RiskError({"archived": str(ERROR_MESSAGES["archived"])})
    _check(data, refs)
    current = risk_values(risk, refs)
    before = data_snapshot(current)
    if risk.version != expected_version:
        mine = data_snapshot(data)
        base = base_snapshot(risk.code, expected_version, risk.version, before)
        conflicts, theirs = merge_keys(mine, base, before)
        if conflicts:
            raise StaleRiskError(risk, expected_version, conflicts)
        _take_current(data, current, theirs)
        _check(data, refs)  # the merged whole must still hold (netto ≤ bruto, …)
    after = {**before, **data_snapshot(data)}
    _check_permission(user, before, after, refs)
    _check_citations(risk.id, before, after)
    if require_reason and not reason.strip() and score_changed(before, after):
        raise RiskError({"reason": str(ERROR_MESSAGES["reason_required"])})
    user_id = getattr(user, "id", None)
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
    code = risk.code
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ConcurrentSaveError(code) from error
    record("update", "risk", risk.code, user, summary=reason, changes=changes,
           version=risk.version)
    return changes


REASON_MAX = 500  # as the form's reason field


def clean_reason(reason: str | None, *, required: bool = True) -> str:
    """A reason as it is kept: trimmed, one text cleaning (no control characters), at most
    :data:`REASON_MAX` characters; required unless ``required`` is false. Raises RiskError on
    the key "reason"."""
    text = (reason or "").strip()
    if not text:
        if required:
            raise RiskError({"reason": str(ERROR_MESSAGES["archive_reason_required"])})
        return ""
    try:
        text = clean_text(text)
    except ValueError as error:
        raise RiskError({"reason": str(error)}) from error
    if len(text) > REASON_MAX:
        raise RiskError({"reason": str(ERROR_MESSAGES["reason_too_long"])})
    return text


def _flush(risk: Risk) -> None:
    code = risk.code
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ConcurrentSaveError(code) from error


def archive_risk(risk: Risk, reason: str, actor) -> None:
    """Take ``risk`` out of the register, the heatmaps and the default export, keeping its score
    history and audit trail; :func:`restore_risk` brings it back. A reason is required."""
    if not can_archive_risks(actor):
        raise RiskPermissionError(risk.code)
    if risk.archived_at is not None:
        raise RiskError({"archived": str(ERROR_MESSAGES["archived"])})
    reason = clean_reason(reason)
    risk.archived_at = utcnow()
    risk.archived_by_id = getattr(actor, "id", None)
    risk.archived_reason = reason
    _flush(risk)
    record("archive", "risk", risk.code, actor, summary=reason, version=risk.version,
           changes={"archived_reason": ["", reason]})


def restore_risk(risk: Risk, actor, reason: str = "") -> None:
    """Bring an archived risk back into the register as it was; the reason is optional."""
    if not can_restore_risks(actor):
        raise RiskPermissionError(risk.code)
    if risk.archived_at is None:
        raise RiskError({"archived": str(ERROR_MESSAGES["not_archived"])})
    reason = clean_reason(reason, required=False)
    was = risk.archived_reason or ""
    risk.archived_at = None
    risk.archived_by_id = None
    risk.archived_reason = ""
    _flush(risk)
    record("restore", "risk", risk.code, actor, summary=reason, version=risk.version,
           changes={"archived_reason": [was, ""]})


def hard_delete_risk(risk: Risk, reason: str, actor) -> None:
    """Delete ``risk`` for good, score history included: an administrator only, with a reason.
    The audit event keeps a snapshot of every value that was set (shown with names), whether it
    was archived, and how many score changes went with it."""
    if not can_delete_risks(actor):
        raise RiskPermissionError(risk.code)
    reason = clean_reason(reason)
    snapshot = {k: [v, None] for k, v in _snapshot(risk, refdata()).items()
                if v not in (None, "", [], False)}
    if risk.archived_at is not None:
        snapshot["archived_reason"] = [risk.archived_reason, None]
    history = db.session.scalar(select(func.count(ScoreChange.id))
                                .where(ScoreChange.risk_id == risk.id))
    if history:
        snapshot["score_changes"] = [history, None]
    record("delete", "risk", risk.code, actor, summary=reason, changes=snapshot,
           version=risk.version)
    db.session.delete(risk)
    _flush(risk)


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
    ``validated``: the caller has just run :func:`validate` and :func:`denied_fields` on these very
    objects (the import's plan does, in the same transaction), so they are not checked twice.
    """
    if not items:
        return 0
    refs = refs or refdata()
    user_id = getattr(user, "id", None)
    now = utcnow()
    disciplines = [(d.id, d.code) for d in sorted(refs.disciplines.all, key=lambda d: d.id)]
    none = ImpactData()
    columns = [spec for spec in RISK_FIELDS if spec.kind != "refs"]
    risk_rows, derived_impacts = [], []
    if not validated:
        cites = citation_check((None, [i.rationale for i in data.impacts.values()])
                               for _code, data in items)
    for code, data in items:
        if not validated:  # the import's plan checked the rules and the permissions already
            _check(data, refs)
            snapshot = data_snapshot(data)
            _check_permission(user, {}, snapshot, refs)
            if errors := cites(None, {}, snapshot):
                raise RiskError(errors)
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
    codes = [code for code, _ in items]
    reserve_codes(codes)
    db.session.execute(insert(Risk.__table__), risk_rows)
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
                           "changes": snapshot, "entity_version": 1})
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


_IMPACT_COLUMNS = ("applies", "bruto_impact", "netto_impact", "rationale", "bruto_priority",
                   "netto_priority", "bruto_level_id", "netto_level_id")
_DERIVED = ("bruto_impact", "netto_impact", "bruto_priority", "netto_priority", "bruto_level_id",
            "netto_level_id")


def bulk_update_risks(items: list[tuple[dict, RiskData]], user, *, reason: str = "",
                      refs: RefData | None = None, checked: bool = False) -> int:
    """Change many risks in a few statements (the Excel import of thousands of changed rows).

    ``items``: (current, data) with ``current`` the risk's values as the import reads them
    (``id``, ``version``, field names and "<CODE>.<name>" keys, codes not ids, plus the stored
    derived columns when known, ``_risk`` {column: value} and ``_impacts`` {discipline code:
    values in the order of ``IMPACT_DERIVED``}: then only those that differ are written,
    and none are derived again when no score changes); or (current, data, keys) when only those
    keys can differ (the import compared its cells already).
    Checked and derived as :func:`update_risk` does; written as one executemany UPDATE per set of changed columns, with the version check in
    the WHERE clause (a risk saved meanwhile raises :class:`ConcurrentSaveError`: roll back),
    score changes and one audit event per risk as multi-row inserts. Returns the number changed."""
    if not items:
        return 0
    refs = refs or refdata()
    user_id = getattr(user, "id", None)
    now = utcnow()
    disciplines = {d.code: d.id for d in refs.disciplines.all}
    risk_table, impact_table = Risk.__table__, DisciplineImpact.__table__
    column_of = {spec.name: spec for spec in RISK_FIELDS if spec.kind != "refs"}
    by_columns: dict[tuple, list] = {}
    impact_rows, score_rows, audit_rows = [], [], []
    link_changes: dict[str, list] = {name: [] for name in LINK_TABLES}
    # Someone who may score every discipline cannot be refused: no need to compare per risk.
    scores_all = all(can_score(user, d_id) for d_id in disciplines.values())
    score_keys = {**{name: None for name in SCORE_FIELDS},
                  **{f"{code}.{name}": code for code in disciplines
                     for name in IMPACT_SCORE_FIELDS}}
    grid = refs.grid
    if not checked:
        cites = citation_check((current["id"], [i.rationale for i in data.impacts.values()])
                               for current, data in items)
    for current, data, *keys in items:
        if not checked:  # the import's plan validated (and cleaned) each row already
            _check(data, refs)
        changes = _changes(current, data, disciplines, keys[0] if keys else None)
        if not scores_all or not checked:  # only what changes counts, as in whole snapshots
            before = {k: old for k, (old, _new) in changes.items()}
            after = {k: new for k, (_old, new) in changes.items()}
        if not scores_all:
            _check_permission(user, before, after, refs)
        if not checked and (errors := cites(current["id"], before, after)):
            raise RiskError(errors)
        if not changes:
            continue
        risk_id, version = current["id"], current["version"]
        stored, stored_impacts = current.get("_risk"), current.get("_impacts")
        touched, scored, values = set(), False, {}
        for key, (old, new) in changes.items():
            code, dot, name = key.partition(".")
            if dot:
                touched.add(code)  # a discipline whose impact row changes
            elif (spec := column_of.get(key)) is not None:
                value = getattr(data, key)
                values[spec.attr] = _ref_id(refs, spec.ref, value) if spec.kind == "ref" else value
            if key in score_keys:
                scored = True
                score_rows.append({"risk_id": risk_id,
                                   "discipline_id": disciplines[code] if dot else None,
                                   "field": name if dot else key, "old_value": _str(old),
                                   "new_value": _str(new), "reason": reason, "user_id": user_id,
                                   "changed_at": now})
        if (not scored and stored is not None and stored_impacts is not None
                and touched <= stored_impacts.keys()):
            # The same scores give what is stored (a change of the grid re-derives every risk):
            # only the impact rows whose own fields changed are written.
            per_impact = {code: dict(zip(IMPACT_DERIVED, stored_impacts[code]))
                          for code in touched}
            rows_of = touched
            impacts = _impact_scores(current, data, touched)
        else:
            impacts = _impact_scores(current, data, disciplines)
            derived, per_impact = derive(
                {"bruto": data.bruto_likelihood, "netto": data.netto_likelihood}, impacts, grid)
            # Derived values that differ from the stored ones (all of them when those are
            # unknown); an impact row whose derived values no longer match (as after a change of
            # likelihood) is written too.
            values.update((k, v) for k, v in derived.items()
                          if stored is None or k not in stored or stored[k] != v)
            rows_of = [code for code in disciplines if code in touched or stored_impacts is None
                       or (code in stored_impacts and stored_impacts[code]
                           != tuple(map(per_impact[code].__getitem__, IMPACT_DERIVED)))]
        row = {"b_id": risk_id, "b_version": version, "version": version + 1, "updated_at": now,
               "updated_by_id": user_id, **values}
        by_columns.setdefault(tuple(sorted(values)), []).append(row)
        for code in rows_of:
            applies, bruto, netto = impacts[code]
            impact_rows.append({"b_risk": risk_id, "b_discipline": disciplines[code],
                                "applies": applies, "bruto_impact": bruto, "netto_impact": netto,
                                "rationale": data.impacts[code].rationale or "",
                                **per_impact[code]})
        for name in LINK_TABLES:
            if name in changes:
                link_changes[name].append((risk_id, getattr(data, name)))
        audit_rows.append({"at": now, "user_id": user_id, "action": "update", "entity_type": "risk",
                           "entity_id": current["code"], "summary": reason, "changes": changes,
                           "entity_version": version + 1})
    for names, rows in by_columns.items():
        statement = (update(risk_table)
                     .where(risk_table.c.id == bindparam("b_id"),
                            risk_table.c.version == bindparam("b_version"))
                     .values({n: bindparam(n) for n in ("version", "updated_at", "updated_by_id",
                                                        *names)}))
        if execute_many(db.session.connection(), statement, rows) not in (-1, len(rows)):
            raise ConcurrentSaveError("import")
    if impact_rows:
        execute_many(
            db.session.connection(),
            update(impact_table)
            .where(impact_table.c.risk_id == bindparam("b_risk"),
                   impact_table.c.discipline_id == bindparam("b_discipline"))
            .values({n: bindparam(n) for n in _IMPACT_COLUMNS}), impact_rows)
    for name, (table, column) in LINK_TABLES.items():
        pairs = link_changes[name]
        if not pairs:
            continue
        ids = [risk_id for risk_id, _codes in pairs]
        for start in range(0, len(ids), 900):
            db.session.execute(table.delete().where(table.c.risk_id.in_(ids[start:start + 900])))
        items_of = refs.list(name).by_code
        rows = [{"risk_id": risk_id, column: items_of[c].id}
                for risk_id, codes in pairs for c in dict.fromkeys(codes)]
        if rows:
            db.session.execute(insert(table), rows)
    execute_many(db.session.connection(), insert(ScoreChange.__table__), score_rows)
    execute_many(db.session.connection(), insert(AuditEvent.__table__), audit_rows)
    db.session.expire_all()  # ORM objects loaded before now read the new rows
    return len(audit_rows)

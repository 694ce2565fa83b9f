"""Every change to a BIA, and the rules it keeps. Services flush and write the audit trail; they
never commit (the request or command does).

Rules: scores never decrease over time within a category; the MTPD is the first time window in
which any category reaches the threshold (a setting), unless overridden with a reason; RTO ≤ MTPD;
an approved version is frozen, and keeps the MTPD it had when approved; BBN follows from B, I and V through the rule table.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.services import record
from ..core.codes import next_code
from ..extensions import db
from ..i18n import localized
from ..reference.data import refdata
from ..timeutil import utcnow
from .config import BiaConfig, bia_config
from .fields import (
    BIA_FIELDS,
    DEPENDENCY_KIND_LABELS,
    ROW_FIELDS,
    VERSION_FIELDS,
    BiaData,
    VersionData,
    minutes_label,
)
from .graph import ChainWarning, DependencyGraph
from .models import (
    DEPENDENCY_KINDS,
    Bia,
    BiaClassification,
    BiaDependency,
    BiaRow,
    BiaScore,
    BiaVersion,
    bia_risk,
)


class BiaError(Exception):
    """Refused: ``errors`` maps a field (or ``grid.<cat>.<win>``) to a message."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class FrozenVersionError(BiaError):
    def __init__(self, version):
        super().__init__({"version": _("Versie %(n)s is vastgesteld en kan niet meer worden "
                                       "gewijzigd; maak een nieuwe versie.", n=version.number)})


# --- MTPD ---------------------------------------------------------------------------------------

@dataclass
class Mtpd:
    minutes: int | None
    derived_minutes: int | None  # what the grid says
    window: object | None  # the window the grid reaches the threshold in
    overridden: bool
    reason: str = ""
    threshold: int | None = None  # the impact value it was derived with
    kept: bool = False  # as stored at approval (not derived from the current settings)


def derived_mtpd(grid: dict, config: BiaConfig):
    """The first window (shortest first) in which any category's score reaches the threshold."""
    threshold = config.mtpd_threshold
    for window in config.windows:
        if any((grid.get((c.id, window.id)) or 0) >= threshold for c in config.categories):
            return window
    return None


def mtpd_kept(version: BiaVersion) -> bool:
    """Whether the version's MTPD is the one stored at its approval (an approved version's)."""
    return version.frozen and version.approved_mtpd_threshold is not None


def mtpd(version: BiaVersion, config: BiaConfig | None = None) -> Mtpd:
    """The version's MTPD: as stored at approval for an approved version, else derived from its
    grid under the current settings."""
    config = config or bia_config()
    window = None if mtpd_kept(version) else derived_mtpd(version.grid(), config)
    return mtpd_from(version, window, config)


def mtpd_from(version: BiaVersion, window, config: BiaConfig | None = None) -> Mtpd:
    """The version's MTPD when its grid reaches the threshold in ``window`` (None: never), as
    :func:`derived_mtpd` or :func:`~.queries.derived_windows` found it. An approved version's
    is the one stored at its approval, whatever ``window`` says."""
    config = config or bia_config()
    if mtpd_kept(version):
        derived = version.approved_mtpd_minutes
        window = config.window_by_id.get(version.approved_mtpd_window_id)
        threshold, kept = version.approved_mtpd_threshold, True
    else:
        derived = window.minutes if window else None
        threshold, kept = config.mtpd_threshold, False
    if version.mtpd_override_minutes is not None:
        return Mtpd(version.mtpd_override_minutes, derived, window, True,
                    version.mtpd_override_reason, threshold, kept)
    return Mtpd(derived, derived, window, False, "", threshold, kept)


# --- checks -------------------------------------------------------------------------------------

def grid_errors(grid: dict, config: BiaConfig) -> dict:
    """A score lower than an earlier window's in the same category, named by cell."""
    errors = {}
    for category in config.categories:
        highest, highest_window = None, None
        for window in config.windows:
            value = grid.get((category.id, window.id))
            if value is None:
                continue
            if highest is not None and value < highest:
                errors[f"grid.{category.code}.{window.code}"] = _(
                    "%(category)s: de score bij %(window)s (%(value)s) is lager dan bij "
                    "%(earlier)s (%(earlier_value)s); een impact neemt in de tijd niet af.",
                    category=localized(category), window=localized(window), value=value,
                    earlier=localized(highest_window), earlier_value=highest)
            else:
                highest, highest_window = value, window
    return errors


def version_errors(version: BiaVersion, data: VersionData, grid: dict, config) -> dict:
    """Every rule a version's fields and grid must keep, {key: message}; nothing is changed (the
    form and the BIA sheet's import both ask here)."""
    errors = VERSION_FIELDS.clean(data)
    errors.update(grid_errors(grid, config))
    allowed = {c.value for c in refdata().impacts}
    for (cat_id, win_id), value in grid.items():
        if value is not None and value not in allowed:
            cat, win = config.category_by_id[cat_id], config.window_by_id[win_id]
            errors[f"grid.{cat.code}.{win.code}"] = _("buiten de impactschaal")
    if data.mtpd_override_minutes is not None and not (data.mtpd_override_reason or "").strip():
        errors["mtpd_override_reason"] = _("Geef een reden voor de handmatige MTPD.")
    if errors:
        return errors
    if data.mtpd_override_minutes is not None:
        limit = data.mtpd_override_minutes
    else:
        window = derived_mtpd(grid, config)
        limit = window.minutes if window else None
    if data.rto_minutes is not None and limit is not None and data.rto_minutes > limit:
        errors["rto_minutes"] = _("De RTO (%(rto)s) mag niet langer zijn dan de MTPD (%(mtpd)s).",
                                  rto=minutes_label(data.rto_minutes), mtpd=minutes_label(limit))
    return errors


# --- the subject --------------------------------------------------------------------------------

def _next_code() -> str:
    return next_code("bia", Bia, "BIA-", 3)


def create_bia(data: BiaData, user, refs=None) -> Bia:
    refs = refs or refdata()
    errors = BIA_FIELDS.clean(data)
    if errors:
        raise BiaError(errors)
    bia = Bia(code=_next_code(), subject="", owner="")
    BIA_FIELDS.assign(bia, data, refs)
    bia.versions.append(BiaVersion(number=1, mtpd_override_reason="", mbco=""))
    db.session.add(bia)
    db.session.flush()
    record("create", "bia", bia.code, user, summary=bia.subject,
           changes={k: [None, v] for k, v in BIA_FIELDS.snapshot(bia, refs).items()
                    if v not in (None, "", [])})
    db.session.flush()
    return bia


def update_bia(bia: Bia, data: BiaData, user, refs=None) -> dict:
    refs = refs or refdata()
    errors = BIA_FIELDS.clean(data)
    if errors:
        raise BiaError(errors)
    before = BIA_FIELDS.snapshot(bia, refs)
    BIA_FIELDS.assign(bia, data, refs)
    after = BIA_FIELDS.snapshot(bia, refs)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        db.session.flush()
        record("update", "bia", bia.code, user, summary=bia.subject, changes=changes)
        db.session.flush()
    return changes


# --- a version ----------------------------------------------------------------------------------

def version_snapshot(version: BiaVersion, refs, config) -> dict:
    out = {f"v.{k}": v for k, v in VERSION_FIELDS.snapshot(version, refs).items()}
    for (cat_id, win_id), value in version.grid().items():
        cat, win = config.category_by_id[cat_id], config.window_by_id[win_id]
        out[f"grid.{cat.code}.{win.code}"] = value
    for row in version.rows:
        cat = config.category_by_id[row.category_id]
        for k, v in ROW_FIELDS.snapshot(row, refs).items():
            out[f"row.{cat.code}.{k}"] = v
    return out


def update_version(version: BiaVersion, data: VersionData, grid: dict, rows: dict, user,
                   refs=None, config=None) -> dict:
    """Save a version's fields, its grid ({(category id, window id): value or None}) and its rows
    ({category id: RowData}). Refused when the version is approved or a rule is broken."""
    refs, config = refs or refdata(), config or bia_config()
    if version.frozen:
        raise FrozenVersionError(version)
    errors = version_errors(version, data, grid, config)
    for cat_id, row in rows.items():
        code = config.category_by_id[cat_id].code
        errors.update({f"row.{code}.{k}": v for k, v in ROW_FIELDS.clean(row).items()})
    if errors:
        raise BiaError(errors)
    before = version_snapshot(version, refs, config)
    VERSION_FIELDS.assign(version, data, refs)
    scores = {(s.category_id, s.window_id): s for s in version.scores}
    for key, value in grid.items():
        score = scores.get(key)
        if value is None:
            if score is not None:
                version.scores.remove(score)
        elif score is None:
            version.scores.append(BiaScore(category_id=key[0], window_id=key[1],
                                           impact_value=value))
        elif score.impact_value != value:
            score.impact_value = value
    existing = version.row_by_category()
    for cat_id, data_row in rows.items():
        row = existing.get(cat_id)
        if row is None:
            if not (data_row.justification or data_row.quantity is not None or data_row.unit):
                continue
            row = BiaRow(category_id=cat_id, justification="", unit="")
            version.rows.append(row)
        ROW_FIELDS.assign(row, data_row, refs)
    after = version_snapshot(version, refs, config)
    changes = {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after))
               if before.get(k) != after.get(k) and not (before.get(k) in (None, "")
                                                          and after.get(k) in (None, ""))}
    if changes:
        db.session.flush()
        record("update", "bia", version.bia.code, user,
               summary=_("versie %(n)s", n=version.number), changes=changes)
        db.session.flush()
    return changes


def new_version(bia: Bia, user) -> BiaVersion:
    """A new version, a copy of the current one (not approved)."""
    current = bia.current
    version = BiaVersion(number=(current.number + 1) if current else 1,
                         mtpd_override_reason="", mbco="")
    if current is not None:
        for name in ("assessment_date", "mtpd_override_minutes", "mtpd_override_reason",
                     "rto_minutes", "rpo_minutes", "mbco_minutes", "mbco"):
            setattr(version, name, getattr(current, name))
        version.scores = [BiaScore(category_id=s.category_id, window_id=s.window_id,
                                   impact_value=s.impact_value) for s in current.scores]
        version.rows = [BiaRow(category_id=r.category_id, justification=r.justification,
                               quantity=r.quantity, unit=r.unit) for r in current.rows]
    bia.versions.append(version)
    db.session.flush()
    record("new_version", "bia", bia.code, user, summary=_("versie %(n)s", n=version.number),
           changes={"version": [current.number if current else None, version.number]})
    db.session.flush()
    return version


def approve_version(version: BiaVersion, user, config=None) -> None:
    """Approve (freeze) a version, and keep the MTPD its grid gives now: a later change of the
    threshold or of a time window does not change it."""
    if version.frozen:
        raise FrozenVersionError(version)
    config = config or bia_config()
    window = derived_mtpd(version.grid(), config)
    version.approved_mtpd_minutes = window.minutes if window else None
    version.approved_mtpd_window_id = window.id if window else None
    version.approved_mtpd_threshold = config.mtpd_threshold
    version.approved_at = utcnow()
    version.approved_by_id = getattr(user, "id", None)
    db.session.flush()
    record("approve", "bia", version.bia.code, user,
           summary=_("versie %(n)s", n=version.number), changes={"approved": [None, True]})
    db.session.flush()


# --- dependencies -------------------------------------------------------------------------------

@dataclass
class DependencyInput:
    kind: str
    target_bia_id: int | None = None
    voorziening: str | None = None  # code
    name: str = ""
    recovery_minutes: int | None = None


def dependency_name(dep: BiaDependency) -> str:
    if dep.kind == "bia" and dep.target_bia is not None:
        return f"{dep.target_bia.code} {dep.target_bia.subject}"
    if dep.kind == "voorziening" and dep.voorziening is not None:
        return localized(dep.voorziening)
    return dep.name


def add_dependency(bia: Bia, data: DependencyInput, user, refs=None) -> BiaDependency:
    refs = refs or refdata()
    errors = {}
    if data.kind not in DEPENDENCY_KINDS:
        errors["kind"] = _("onbekende waarde %(v)s", v=data.kind)
    dep = BiaDependency(kind=data.kind, name="", recovery_minutes=data.recovery_minutes)
    if data.recovery_minutes is not None and data.recovery_minutes < 0:
        errors["recovery_minutes"] = _("geen geheel getal")
    if data.kind == "bia":
        target = db.session.get(Bia, data.target_bia_id) if data.target_bia_id else None
        if target is None:
            errors["target_bia_id"] = _("vul dit veld in")
        elif target.id == bia.id:
            errors["target_bia_id"] = _("Een BIA kan niet van zichzelf afhangen.")
        else:
            dep.target_bia = target
    elif data.kind == "voorziening":
        item = refs.voorzieningen.by_code.get(data.voorziening or "")
        if item is None:
            errors["voorziening"] = _("vul dit veld in")
        else:
            dep.voorziening_id = item.id
    else:
        try:
            dep.name = BIA_FIELDS["owner"].clean(data.name)  # one line, at most 200 characters
        except ValueError as error:
            errors["name"] = str(error)
        if not errors.get("name") and not dep.name:
            errors["name"] = _("vul dit veld in")
    if errors:
        raise BiaError(errors)
    bia.dependencies.append(dep)
    db.session.flush()
    record("create", "bia", bia.code, user, summary=_("afhankelijkheid"),
           changes={"dependency": [None, f"{dependency_name(dep)} "
                                         f"({DEPENDENCY_KIND_LABELS.get(dep.kind, dep.kind)})"],
                    "recovery_minutes": [None, dep.recovery_minutes]})
    db.session.flush()
    return dep


def remove_dependency(dep: BiaDependency, user) -> None:
    bia = dep.bia
    record("delete", "bia", bia.code, user, summary=_("afhankelijkheid"),
           changes={"dependency": [dependency_name(dep), None]})
    bia.dependencies.remove(dep)
    db.session.flush()


def bia_for_voorziening(voorziening_id: int) -> Bia | None:
    return db.session.scalar(select(Bia).where(Bia.voorziening_id == voorziening_id)
                             .order_by(Bia.id).limit(1))


def chain_warnings(bia: Bia, config=None) -> tuple[list[ChainWarning], list[list[str]]]:
    """Dependencies that recover slower than what depends on them, followed through the whole
    chain: each link is measured against the strictest requirement above it. Returns the
    warnings and the loops found (each a path that comes back to a BIA already on it); a loop is
    reported once and not followed further. The chain is loaded in a constant number of queries
    (see ``graph.py``)."""
    return DependencyGraph.load(bia.id, config).warnings(bia.id)


# --- links to risks -----------------------------------------------------------------------------

def _risk_label(risk) -> str:
    return f"{risk.code} {risk.title}"


def _bia_label(bia: Bia) -> str:
    return f"{bia.code} {bia.subject}"


def link_risk(bia: Bia, risk, user) -> bool:
    """Link a risk to a BIA; recorded in both their trails. False when it already was."""
    if db.session.scalar(select(bia_risk.c.bia_id).where(bia_risk.c.bia_id == bia.id,
                                                         bia_risk.c.risk_id == risk.id)):
        return False
    if risk.archived_at is not None:
        raise BiaError({"risk": _("Risico %(code)s is gearchiveerd en kan niet worden gekoppeld.",
                                  code=risk.code)})
    db.session.execute(bia_risk.insert().values(bia_id=bia.id, risk_id=risk.id))
    _forget_links(bia, risk)
    record("link", "bia", bia.code, user, summary=_risk_label(risk),
           changes={"risk": [None, _risk_label(risk)]})
    record("link", "risk", risk.code, user, summary=_bia_label(bia),
           changes={"BIA": [None, _bia_label(bia)]})
    db.session.flush()
    return True


def unlink_risk(bia: Bia, risk, user) -> bool:
    """Remove a link; recorded in both trails. False when there was none."""
    result = db.session.execute(bia_risk.delete().where(bia_risk.c.bia_id == bia.id,
                                                        bia_risk.c.risk_id == risk.id))
    if not result.rowcount:
        return False
    _forget_links(bia, risk)
    record("unlink", "bia", bia.code, user, summary=_risk_label(risk),
           changes={"risk": [_risk_label(risk), None]})
    record("unlink", "risk", risk.code, user, summary=_bia_label(bia),
           changes={"BIA": [_bia_label(bia), None]})
    db.session.flush()
    return True


def _forget_links(bia, risk) -> None:
    """The link table was written directly: loaded collections must be read again."""
    db.session.expire(bia, ["risks"])
    db.session.expire(risk, ["bias"])


# --- BIV and BBN --------------------------------------------------------------------------------

def bbn_for(b: int, i: int, v: int, config=None) -> int:
    config = config or bia_config()
    try:
        return config.bbn_rule[(b, i, v)]
    except KeyError:
        raise BiaError({"biv": _("Geen BBN-regel voor B%(b)s I%(i)s V%(v)s.", b=b, i=i, v=v)})


def classify(bia: Bia, b: int, i: int, v: int, user, reason: str = "", config=None):
    errors = {}
    for key, value in (("b", b), ("i", i), ("v", v)):
        if value not in (1, 2, 3):
            errors[key] = _("kies 1, 2 of 3")
    try:
        reason = _clean_reason(reason)
    except ValueError as error:
        errors["reason"] = str(error)
    if errors:
        raise BiaError(errors)
    bbn = bbn_for(b, i, v, config)
    before = {"b": bia.biv_b, "i": bia.biv_i, "v": bia.biv_v, "bbn": bia.bbn}
    bia.biv_b, bia.biv_i, bia.biv_v, bia.bbn = b, i, v, bbn
    after = {"b": b, "i": i, "v": v, "bbn": bbn}
    changes = {f"biv.{k}": [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changes:
        return None
    entry = BiaClassification(b=b, i=i, v=v, bbn=bbn, reason=reason,
                              user_id=getattr(user, "id", None))
    bia.classifications.append(entry)
    db.session.flush()
    record("classify", "bia", bia.code, user, summary=reason, changes=changes)
    db.session.flush()
    return entry


def _clean_reason(reason: str) -> str:
    from ..core.fields import clean_text
    reason = clean_text((reason or "").strip())
    if len(reason) > 500:
        raise ValueError(_("te lang: %(n)s tekens, hoogstens %(max)s", n=len(reason), max=500))
    return reason

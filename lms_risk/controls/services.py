"""Changing implementations, BBN levels of scopes and risk links. Every change flushes (never
commits) and records the audit trail, so a control's page can show its history.

An implementation counts its saved changes (``revision``): a change made from an older revision
(the edit form's, a VvT row's) is refused, and a save that races past that check fails on the
UPDATE's condition (:class:`SavedMeanwhileError`), so no one overwrites another's change unseen."""

import logging
from dataclasses import asdict, dataclass, fields
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record
from ..core.uow import ConcurrentChangeError
from ..extensions import db
from ..timeutil import utcnow
from .models import LINK_KINDS, STATUSES, Control, Implementation, RiskControl, ScopeLevel
from .scopes import Scope

log = logging.getLogger("lms_risk.controls")


class ControlError(ValueError):
    """Refused input: ``errors`` maps a field to its message (Dutch msgid, translated by the
    caller's gettext)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class StaleImplementationError(ControlError):
    """The change was made from an older revision of the implementation: someone saved it
    since. ``errors`` has the message under ``revision`` (no field of its own: said at the top)."""

    def __init__(self, control: Control, scope: Scope, current: int, expected: int):
        super().__init__({"revision": _(
            "De implementatie van %(control)s in %(scope)s is intussen door iemand anders "
            "opgeslagen (versie %(now)s; u werkte vanaf versie %(then)s). Open de maatregel "
            "opnieuw en breng uw wijziging opnieuw aan.", control=control.label,
            scope=scope.param, now=current, then=expected)})


class SavedMeanwhileError(ConcurrentChangeError):
    """The database refused the write: another save of the implementation committed after this
    one read it (its revision in the UPDATE no longer matched). The session must be rolled back.
    ``errors`` as a ControlError's, for a form that shows it; ``message`` for the error page."""

    def __init__(self, label: str, scope_param: str):
        self.message = _(
            "De implementatie van %(control)s in %(scope)s is zojuist door iemand anders "
            "opgeslagen; er is niets opgeslagen. Open de maatregel opnieuw en breng uw wijziging "
            "opnieuw aan.", control=label, scope=scope_param)
        super().__init__(self.message)
        self.errors = {"revision": self.message}


@dataclass
class ImplementationData:
    """The field specification of an implementation: the form, the workbook and the services
    all use these names."""

    applicable: bool = True
    reason: str = ""
    status: str = "niet"
    owner: str = ""
    discipline_id: int | None = None  # the responsible organisation (LMS is a discipline)
    evidence: str = ""
    evidence_link: str = ""
    last_checked: date | None = None
    next_check: date | None = None


FIELDS = tuple(f.name for f in fields(ImplementationData))


def validate(data: ImplementationData) -> None:
    from flask_babel import gettext as _
    errors = {}
    if data.status not in STATUSES:
        errors["status"] = _("Onbekende status %(value)s.", value=data.status)
    if not data.applicable and not data.reason.strip():
        errors["reason"] = _("Geef de reden waarom deze maatregel niet van toepassing is.")
    link = data.evidence_link.strip()
    if link and not link.lower().startswith(("https://", "http://")):
        errors["evidence_link"] = _("Een link begint met https:// of http://.")
    if len(data.owner) > 200:
        errors["owner"] = _("Hooguit 200 tekens.")
    if len(link) > 500:
        errors["evidence_link"] = _("Hooguit 500 tekens.")
    if data.last_checked and data.next_check and data.next_check < data.last_checked:
        errors["next_check"] = _("De volgende controle ligt na de laatste.")
    if errors:
        raise ControlError(errors)


def refuse_retired(controls) -> None:
    """A retired control (no longer in its framework's catalogue) keeps its implementation
    records as they were: refuse changing them."""
    from flask_babel import gettext as _
    retired = [c.label for c in controls if c.retired_at is not None]
    if retired:
        raise ControlError({"control": _(
            "%(controls)s is ingetrokken (niet meer in de catalogus); de implementatie ervan "
            "kan niet meer worden gewijzigd.", controls=", ".join(retired))})


def current_data(impl: Implementation | None) -> ImplementationData:
    if impl is None:
        return ImplementationData()
    return ImplementationData(**{name: getattr(impl, name) for name in FIELDS})


def _record_change(impl: Implementation, control: Control, scope: Scope, old: dict, new: dict,
                   actor, action: str) -> None:
    changes = {k: [_plain(old[k]), _plain(new[k])] for k in FIELDS if old[k] != new[k]}
    if changes:
        record(action, "control", control.id, actor, summary=f"{control.label} · {scope.code}",
               changes={"scope": scope.key, **changes})


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def set_implementation(control: Control, scope: Scope, data: ImplementationData, actor,
                       impl: Implementation | None = None,
                       expected_revision: int | None = None) -> Implementation | None:
    """Create or update the implementation of ``control`` in ``scope``. Returns it (or None when
    nothing was stored and nothing changed). ``expected_revision``: the revision the change was
    made from (a form's; 0 when there was no record yet), refused when it has been saved since."""
    if impl is None:
        impl = db.session.scalar(select(Implementation).where(
            Implementation.control_id == control.id, Implementation.scope_key == scope.key))
    current = impl.revision if impl is not None else 0
    if expected_revision is not None and expected_revision != current:
        raise StaleImplementationError(control, scope, current, expected_revision)
    validate(data)
    old = asdict(current_data(impl))
    new = asdict(data)
    if old == new and impl is not None:
        return impl
    refuse_retired([control])
    # read before the first change: a load now would flush it, and a refused flush expires them
    label, param, actor_id = control.label, scope.param, getattr(actor, "id", None)
    if impl is None:
        if new == asdict(ImplementationData()):
            return None
        impl = Implementation(control_id=control.id, scope_key=scope.key,
                              voorziening_id=scope.id if scope.kind == "voorziening" else None,
                              meldkamer_id=scope.id if scope.kind == "meldkamer" else None)
        db.session.add(impl)
    else:
        impl.revision += 1
    for name in FIELDS:
        setattr(impl, name, new[name])
    impl.updated_at = utcnow()
    impl.updated_by_id = actor_id
    try:
        db.session.flush()
    except StaleDataError as error:
        raise SavedMeanwhileError(label, param) from error
    _record_change(impl, control, scope, old, new, actor, "implementation")
    return impl


BULK_FIELDS = ("status", "owner", "next_check")


def bulk_update(controls: list[Control], scope: Scope, changes: dict, actor) -> int:
    """Set ``status``, ``owner`` and/or ``next_check`` for ``controls`` in ``scope``. Returns how
    many implementations changed. Loads the existing records in one query."""
    unknown = set(changes) - set(BULK_FIELDS)
    if unknown:
        raise ControlError({k: "unknown field" for k in unknown})
    ids = [c.id for c in controls]
    existing = {i.control_id: i for i in db.session.scalars(select(Implementation).where(
        Implementation.scope_key == scope.key, Implementation.control_id.in_(ids)))} if ids else {}
    changed = 0
    for control in controls:
        impl = existing.get(control.id)
        data = current_data(impl)
        for key, value in changes.items():
            setattr(data, key, value)
        before = asdict(current_data(impl))
        result = set_implementation(control, scope, data, actor, impl=impl)
        if result is not None and asdict(current_data(result)) != before:
            changed += 1
    return changed


def set_scope_level(scope: Scope, level: int | None, actor, reason: str = "") -> None:
    """Set (or with None clear) the hand-set BBN level of a scope."""
    if level is not None and level not in (1, 2, 3):
        raise ControlError({"bbn_level": "1, 2 of 3"})
    row = db.session.get(ScopeLevel, scope.key)
    old = row.bbn_level if row else None
    if old == level:
        return
    if level is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(ScopeLevel(scope_key=scope.key, bbn_level=level, reason=reason))
    else:
        row.bbn_level, row.reason = level, reason
    db.session.flush()
    record("bbn_level", "control_scope", scope.key, actor, summary=scope.code,
           changes={"bbn_level": [old, level], "reason": reason or None})


def link_risk(risk, control: Control, kind: str, actor) -> None:
    """Link (or re-kind) a risk to a control that reduces it."""
    if kind not in LINK_KINDS:
        raise ControlError({"kind": kind})
    link = db.session.get(RiskControl, (risk.id, control.id))
    if link is not None and link.kind == kind:
        return
    old = link.kind if link else None
    if link is None:
        db.session.add(RiskControl(risk_id=risk.id, control_id=control.id, kind=kind))
    else:
        link.kind = kind
    db.session.flush()
    record("link_control", "control", control.id, actor, summary=f"{risk.code} · {control.label}",
           changes={"risk": risk.code, "kind": [old, kind]})


def unlink_risk(risk, control: Control, actor) -> None:
    link = db.session.get(RiskControl, (risk.id, control.id))
    if link is None:
        return
    old = link.kind
    db.session.delete(link)
    db.session.flush()
    record("unlink_control", "control", control.id, actor,
           summary=f"{risk.code} · {control.label}", changes={"risk": risk.code,
                                                              "kind": [old, None]})

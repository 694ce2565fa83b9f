"""Every change to a continuity plan, exercise and finding, and the rules they keep. Services
flush and write the audit trail; they never commit (the request or command does).

Rules: an approved plan is frozen (a new version changes it); a plan needs a meldkamer or a
voorziening, and does not fall back on its own meldkamer; an exercise's findings that became or
point at a risk are kept; a finding becomes a risk once.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record
from ..core.codes import next_code
from ..core.uow import ConcurrentChangeError
from ..extensions import db
from ..reference.data import refdata
from ..risks.fields import RiskData
from ..risks.services import create_risk
from ..timeutil import utcnow
from .fields import EXERCISE_FIELDS, PLAN_FIELDS, STEP_FIELDS, ExerciseData, PlanData, StepData
from .models import Exercise, Finding, Plan, PlanApproval, RecoveryStep, plan_risk


class PlanError(Exception):
    """Refused: ``errors`` maps a field (``steps.<n>.<name>``, ``findings.<n>``) to a message."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class FrozenPlanError(PlanError):
    def __init__(self, plan):
        super().__init__({"version": _("Versie %(n)s van dit plan is vastgesteld en kan niet meer "
                                       "worden gewijzigd; maak een nieuwe versie.",
                                       n=plan.version)})


class StalePlanError(PlanError):
    """The change was made from an older revision of the plan: someone saved it since."""

    def __init__(self, plan, expected):
        super().__init__({"revision": _(
            "Plan %(code)s is intussen door iemand anders opgeslagen (versie %(now)s; u werkte "
            "vanaf versie %(then)s). Open het plan opnieuw en breng uw wijziging opnieuw aan.",
            code=plan.code, now=plan.revision, then=expected)})


class StaleExerciseError(PlanError):
    """The change was made from an older revision of the exercise: someone saved it since."""

    def __init__(self, exercise, expected):
        super().__init__({"revision": _(
            "Oefening %(code)s is intussen door iemand anders opgeslagen (versie %(now)s; u "
            "werkte vanaf versie %(then)s). Open de oefening opnieuw en breng uw wijziging "
            "opnieuw aan.", code=exercise.code, now=exercise.revision, then=expected)})


class SavedMeanwhileError(ConcurrentChangeError):
    """The database refused the write: another save of the plan or exercise committed after this
    one read it (its revision in the UPDATE no longer matched). The session must be rolled back.
    ``errors`` as a PlanError's, for a form that shows it; ``message`` for the error page."""

    def __init__(self, exercise: bool, code: str):
        self.message = _(
            "Oefening %(code)s is zojuist door iemand anders opgeslagen; er is niets opgeslagen. "
            "Open de oefening opnieuw en breng uw wijziging opnieuw aan.", code=code) \
            if exercise else _(
            "Plan %(code)s is zojuist door iemand anders opgeslagen; er is niets opgeslagen. "
            "Open het plan opnieuw en breng uw wijziging opnieuw aan.", code=code)
        super().__init__(self.message)
        self.errors = {"revision": self.message}


def _flush(item) -> None:
    """Flush the session's changes to ``item`` (a plan or an exercise) and what hangs on it."""
    exercise, code = isinstance(item, Exercise), item.code  # before: a refused flush expires
    try:
        db.session.flush()
    except StaleDataError as error:
        raise SavedMeanwhileError(exercise, code) from error


def _plan_changed(action: str, plan: Plan, user, changes: dict) -> None:
    """A saved change of the plan: its revision counts it, the audit trail records it."""
    plan.revision += 1
    _flush(plan)
    record(action, "continuity_plan", plan.code, user, summary=plan.title, changes=changes,
           version=plan.version)




# --- plans --------------------------------------------------------------------------------------

def _step_text(step) -> str:
    minutes = "" if step.target_minutes is None else f" ({step.target_minutes} min)"
    who = f" [{step.responsible}]" if step.responsible else ""
    return f"{step.description}{who}{minutes}"


def plan_snapshot(plan: Plan, refs) -> dict:
    out = PLAN_FIELDS.snapshot(plan, refs)
    for n, step in enumerate(plan.steps, 1):
        out[f"step.{n}"] = _step_text(step)
    return out


def _plan_errors(data: PlanData) -> dict:
    errors = PLAN_FIELDS.clean(data)
    if not errors.get("meldkamer") and not errors.get("voorziening") \
            and not data.meldkamer and not data.voorziening:
        errors["meldkamer"] = _("Kies een meldkamer, een voorziening of beide.")
    if data.fallback_meldkamer and data.fallback_meldkamer == data.meldkamer:
        errors["fallback_meldkamer"] = _("Een meldkamer kan niet op zichzelf terugvallen.")
    if data.fallback_kind and not data.fallback_meldkamer:
        errors["fallback_kind"] = _("Kies ook de uitwijkmeldkamer.")
    for n, step in enumerate(data.steps or (), 1):
        errors.update({f"steps.{n}.{k}": v for k, v in STEP_FIELDS.clean(step).items()})
    return errors


def _assign_steps(plan: Plan, steps) -> None:
    if steps is None:
        return
    wanted = [(s.description, s.responsible or "", s.target_minutes) for s in steps]
    have = [(s.description, s.responsible, s.target_minutes) for s in plan.steps]
    if wanted == have:
        return
    for n, (description, responsible, minutes) in enumerate(wanted, 1):
        if n <= len(plan.steps):
            step = plan.steps[n - 1]
            step.description, step.responsible, step.target_minutes = \
                description, responsible, minutes
        else:
            plan.steps.append(RecoveryStep(position=n, description=description,
                                           responsible=responsible, target_minutes=minutes))
    del plan.steps[len(wanted):]


def create_plan(data: PlanData, user, refs=None) -> Plan:
    refs = refs or refdata()
    errors = _plan_errors(data)
    if errors:
        raise PlanError(errors)
    plan = Plan(code=next_code("continuity_plan", Plan, "CP-", 3), title="", version=1)
    PLAN_FIELDS.assign(plan, data, refs)
    _assign_steps(plan, data.steps or [])
    db.session.add(plan)
    db.session.flush()
    record("create", "continuity_plan", plan.code, user, summary=plan.title,
           changes={k: [None, v] for k, v in plan_snapshot(plan, refs).items()
                    if v not in (None, "", [])})
    return plan


def update_plan(plan: Plan, data: PlanData, user, refs=None,
                expected_revision: int | None = None) -> dict:
    """Apply ``data``; ``expected_revision``: the revision the change was made from (a form's,
    an import row's), refused when the plan has been saved since."""
    refs = refs or refdata()
    if expected_revision is not None and expected_revision != plan.revision:
        raise StalePlanError(plan, expected_revision)
    if plan.frozen:
        raise FrozenPlanError(plan)
    errors = _plan_errors(data)
    if errors:
        raise PlanError(errors)
    before = plan_snapshot(plan, refs)
    PLAN_FIELDS.assign(plan, data, refs)
    _assign_steps(plan, data.steps)
    _flush(plan)
    after = plan_snapshot(plan, refs)
    changes = {k: [before.get(k), after.get(k)] for k in before.keys() | after.keys()
               if before.get(k) != after.get(k)}
    if changes:
        _plan_changed("update", plan, user, changes)
    return changes


def approve_plan(plan: Plan, user, refs=None) -> PlanApproval:
    refs = refs or refdata()
    if plan.frozen:
        raise FrozenPlanError(plan)
    plan.approved_at = utcnow()
    plan.approved_by_id = getattr(user, "id", None)
    approval = PlanApproval(version=plan.version, snapshot=plan_snapshot(plan, refs),
                            approved_at=plan.approved_at, approved_by_id=plan.approved_by_id)
    plan.approvals.append(approval)
    _plan_changed("approve", plan, user, {"approved": [None, True]})
    return approval


def new_plan_version(plan: Plan, user) -> int:
    """Unfreeze an approved plan as its next version (the approved one stays as a snapshot)."""
    if not plan.frozen:
        raise PlanError({"version": _("Versie %(n)s is nog niet vastgesteld; wijzig die.",
                                      n=plan.version)})
    old = plan.version
    plan.version = old + 1
    plan.approved_at = None
    plan.approved_by_id = None
    _plan_changed("new_version", plan, user, {"version": [old, plan.version]})
    return plan.version


def set_plan_bia(plan: Plan, bia, user) -> None:
    """Which BIA the plan covers (its RTO is what exercises are held against); None: none.
    Part of the plan: an approved version keeps its BIA (a new version changes it)."""
    old = plan.bia.code if plan.bia is not None else None
    new = bia.code if bia is not None else None
    if old == new:
        return
    if plan.frozen:
        raise FrozenPlanError(plan)
    plan.bia = bia
    _plan_changed("update", plan, user, {"bia": [old, new]})


def _refuse_archived(risk) -> None:
    if risk.archived_at is not None:
        raise PlanError({"risk": _("Risico %(code)s is gearchiveerd en kan niet worden gekoppeld.",
                                   code=risk.code)})


def _plan_label(plan: Plan) -> str:
    return f"{plan.code} {plan.title}"


def link_risk(plan: Plan, risk, user) -> bool:
    """Link a risk to the plan; recorded in both their trails. False when it already was; an
    archived risk is refused."""
    if risk in plan.risks:
        return False
    _refuse_archived(risk)
    plan.risks.append(risk)
    _plan_changed("link", plan, user, {"risk": [None, risk.code]})
    record("link", "risk", risk.code, user, summary=_plan_label(plan),
           changes={"plan": [None, _plan_label(plan)]})
    return True


def unlink_risk(plan: Plan, risk, user) -> bool:
    """Remove a link; recorded in both trails. False when there was none."""
    if risk not in plan.risks:
        return False
    plan.risks.remove(risk)
    _plan_changed("unlink", plan, user, {"risk": [risk.code, None]})
    record("unlink", "risk", risk.code, user, summary=_plan_label(plan),
           changes={"plan": [_plan_label(plan), None]})
    return True


def plans_of_risks(risk_ids) -> set:
    return set(db.session.execute(select(plan_risk.c.plan_id, plan_risk.c.risk_id)
                                  .where(plan_risk.c.risk_id.in_(list(risk_ids)))).all())


# --- exercises ----------------------------------------------------------------------------------

def exercise_snapshot(exercise: Exercise, refs) -> dict:
    out = EXERCISE_FIELDS.snapshot(exercise, refs)
    out["plan"] = exercise.plan.code if exercise.plan else None
    for n, finding in enumerate(exercise.findings, 1):
        out[f"finding.{n}"] = finding.description
    return out


def _exercise_errors(data: ExerciseData) -> dict:
    errors = EXERCISE_FIELDS.clean(data)
    if not errors.get("held_on") and data.held_on and data.held_on > date.today():
        # An exercise is recorded after it was held: a future one would count as exercised.
        errors["held_on"] = _("De datum %(date)s ligt na vandaag; leg een oefening vast nadat "
                              "zij is gehouden.", date=data.held_on.strftime("%d-%m-%Y"))
    for n, text in enumerate(data.findings or (), 1):
        if not str(text).strip():
            errors[f"findings.{n}"] = _("Een bevinding mag niet leeg zijn.")
        elif len(str(text)) > 2000:
            errors[f"findings.{n}"] = _("te lang: %(n)s tekens, hoogstens %(max)s",
                                        n=len(str(text)), max=2000)
    return errors


def _assign_findings(exercise: Exercise, findings) -> dict:
    if findings is None:
        return {}
    wanted = [str(t).strip() for t in findings]
    errors = {}
    for n, finding in enumerate(exercise.findings, 1):
        gone = n > len(wanted)
        if finding.risk_id is not None and (gone or wanted[n - 1] != finding.description):
            errors[f"findings.{n}"] = _(
                "Bevinding %(n)s is al aan een risico gekoppeld en kan niet meer worden "
                "gewijzigd of verwijderd.", n=n)
    if errors:
        return errors
    for n, text in enumerate(wanted, 1):
        if n <= len(exercise.findings):
            if exercise.findings[n - 1].description != text:
                exercise.findings[n - 1].description = text
        else:
            exercise.findings.append(Finding(position=n, description=text))
    del exercise.findings[len(wanted):]
    return {}


def record_exercise(plan: Plan, data: ExerciseData, user, refs=None) -> Exercise:
    refs = refs or refdata()
    errors = _exercise_errors(data)
    if errors:
        raise PlanError(errors)
    exercise = Exercise(code=next_code("continuity_exercise", Exercise, "OEF-", 4), plan=plan, held_on=data.held_on,
                        kind=data.kind)
    EXERCISE_FIELDS.assign(exercise, data, refs)
    _assign_findings(exercise, data.findings or [])
    db.session.add(exercise)
    db.session.flush()
    record("create", "continuity_exercise", exercise.code, user, summary=plan.title,
           changes={k: [None, v] for k, v in exercise_snapshot(exercise, refs).items()
                    if v not in (None, "", [])})
    return exercise


def update_exercise(exercise: Exercise, data: ExerciseData, user, refs=None,
                    expected_revision: int | None = None) -> dict:
    """Apply ``data``; ``expected_revision``: the revision the change was made from (a form's,
    an import row's), refused when the exercise has been saved since."""
    refs = refs or refdata()
    if expected_revision is not None and expected_revision != exercise.revision:
        raise StaleExerciseError(exercise, expected_revision)
    errors = _exercise_errors(data)
    if errors:
        raise PlanError(errors)
    before = exercise_snapshot(exercise, refs)
    EXERCISE_FIELDS.assign(exercise, data, refs)
    errors = _assign_findings(exercise, data.findings)
    if errors:
        raise PlanError(errors)
    _flush(exercise)
    after = exercise_snapshot(exercise, refs)
    changes = {k: [before.get(k), after.get(k)] for k in before.keys() | after.keys()
               if before.get(k) != after.get(k)}
    if changes:
        exercise.revision += 1
        _flush(exercise)
        record("update", "continuity_exercise", exercise.code, user,
               summary=exercise.plan.title, changes=changes)
    return changes


# --- findings -----------------------------------------------------------------------------------

@dataclass
class NewRisk:
    """What the person turning a finding into a risk adds to it."""

    title: str
    description: str = ""
    bruto_likelihood: int | None = None
    netto_likelihood: int | None = None


def finding_risk_data(finding: Finding, refs=None) -> RiskData:
    """The new risk as pre-filled from the finding, its exercise and plan."""
    exercise, plan = finding.exercise, finding.exercise.plan
    description = _("Bevinding uit oefening %(code)s (%(date)s) van plan %(plan)s: %(text)s",
                    code=exercise.code, date=exercise.held_on.strftime("%d-%m-%Y"),
                    plan=f"{plan.code} {plan.title}", text=finding.description)
    return RiskData(title=finding.description[:300], description=description,
                    status="concept", owner="",
                    meldkamers=[plan.meldkamer.code] if plan.meldkamer else [],
                    voorzieningen=[plan.voorziening.code] if plan.voorziening else [])


def finding_to_risk(finding: Finding, new: NewRisk, user, refs=None):
    """Create a risk from ``finding`` (pre-filled, linked back to the exercise and its plan)."""
    refs = refs or refdata()
    if finding.risk_id is not None:
        raise PlanError({"finding": _("Deze bevinding is al aan risico %(code)s gekoppeld.",
                                      code=finding.risk.code)})
    data = finding_risk_data(finding, refs)
    data.title = new.title or data.title
    data.description = new.description or data.description
    data.bruto_likelihood = new.bruto_likelihood
    data.netto_likelihood = new.netto_likelihood
    risk = create_risk(data, user, refs=refs)  # RiskError when the risk's rules refuse it
    _link_finding(finding, risk, "nieuw", user)
    return risk


def link_finding(finding: Finding, risk, user) -> None:
    """Add ``finding`` as an action to an existing risk (and link the risk to the plan)."""
    if finding.risk_id is not None:
        raise PlanError({"finding": _("Deze bevinding is al aan risico %(code)s gekoppeld.",
                                      code=finding.risk.code)})
    _refuse_archived(risk)  # before anything is written
    _link_finding(finding, risk, "bestaand", user)


def _link_finding(finding: Finding, risk, link: str, user) -> None:
    exercise, plan = finding.exercise, finding.exercise.plan
    finding.risk = risk
    finding.link = link
    _flush(exercise)
    key = f"finding.{finding.position}"
    record("link", "continuity_exercise", exercise.code, user, summary=finding.description,
           changes={key: [None, risk.code]})
    record("finding", "risk", risk.code, user,
           summary=_("Actie uit oefening %(code)s (plan %(plan)s): %(text)s",
                     code=exercise.code, plan=plan.code, text=finding.description),
           changes={"exercise": [None, exercise.code], "plan": [None, plan.code]})
    link_risk(plan, risk, user)


def step_data(rows) -> list:
    return [StepData(description=d, responsible=r, target_minutes=m) for d, r, m in rows]

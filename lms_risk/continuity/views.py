"""Continuity pages: the overview, plans, exercises and findings, and the links to risks and a
BIA. Views are thin: see services (changes) and queries (what the pages read)."""

from datetime import date
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..bia.models import Bia
from ..core.access import deny, require
from ..core.forms import EmptyForm, show_errors
from ..core.logs import log_refusal
from ..extensions import db
from ..i18n import localized
from ..reference.data import refdata
from ..risks.models import Risk
from ..risks.permissions import can_view_archived
from ..risks.fields import field_label
from ..risks.services import RiskError
from .fields import (
    EXERCISE_KIND_LABELS,
    FALLBACK_LABELS,
    PLAN_STATUS_LABELS,
    RESULT_LABELS,
    minutes_label,
)
from .forms import (
    LinkPlanForm,
    LinkRiskForm,
    exercise_data,
    exercise_values,
    form_revision,
    make_bia_form,
    make_exercise_form,
    make_finding_risk_form,
    make_plan_form,
    plan_data,
    plan_values,
)
from .models import Exercise, Finding, Plan
from .overview_export import overview_workbook
from .permissions import (
    can_create_plan,
    can_edit_all_plans,
    can_edit_plan,
    can_make_risk,
    can_read_continuity,
    covers_meldkamer,
)
from .queries import Verdict, age_class, overview, plan_rows, plan_rto, takeover_matrix
from .services import (
    NewRisk,
    PlanError,
    SavedMeanwhileError,
    StaleExerciseError,
    StalePlanError,
    approve_plan,
    create_plan,
    finding_risk_data,
    finding_to_risk,
    link_finding,
    link_risk,
    new_plan_version,
    record_exercise,
    set_plan_bia,
    unlink_risk,
    update_exercise,
    update_plan,
)

bp = Blueprint("continuity", __name__, url_prefix="/continuity", static_folder="static")

LABELS = {"status": PLAN_STATUS_LABELS, "fallback": FALLBACK_LABELS,
          "kind": EXERCISE_KIND_LABELS, "result": RESULT_LABELS}


def _prefix(endpoint: str, **args) -> str:
    """The URL of ``endpoint`` without its code, to which a page appends codes: building
    thousands of links one ``url_for`` at a time costs more than the page's queries (codes are
    letters, digits and dashes: nothing to quote)."""
    return url_for(endpoint, code="X", **args)[:-1]


def _urls() -> dict:
    return {"plan": _prefix("continuity.plan"), "exercise": _prefix("continuity.exercise"),
            "risk": _prefix("risks.detail"), "bia": _prefix("bia.detail"),
            "plans": url_for("continuity.plans")}


def _ctx(**kwargs) -> dict:
    return dict(labels=LABELS, minutes_label=minutes_label, today=date.today(), urls=_urls(),
                **kwargs)


def _posted() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _get_plan(code: str) -> Plan:
    plan = db.session.scalar(select(Plan).where(Plan.code == code).options(
        selectinload(Plan.steps), selectinload(Plan.risks), selectinload(Plan.approvals),
        selectinload(Plan.exercises)))
    if plan is None:
        abort(404)
    return plan


def _get_exercise(code: str) -> Exercise:
    exercise = db.session.scalar(select(Exercise).where(Exercise.code == code).options(
        selectinload(Exercise.findings).selectinload(Finding.risk)))
    if exercise is None:
        abort(404)
    return exercise


def _require_edit(plan: Plan) -> None:
    if not can_edit_plan(current_user, plan):
        deny()


def _show_errors(form, error: PlanError) -> None:
    log_refusal("save", plan=request.view_args.get("code", "new"), fields=",".join(error.errors))
    show_errors(form, error.errors, {"steps.": "s-"})


# --- the overview -------------------------------------------------------------------------------

@bp.get("")
@require(can_read_continuity)
def index():
    refs = refdata()
    today = date.today()
    return render_template("continuity/overview.html", **_ctx(
        o=overview(refs, today), refs=refs, age_class=age_class))


@bp.get("/takeover")
@require(can_read_continuity)
def takeover():
    """The takeover matrix on its own page (one query: every plan in force that names both
    meldkamers, with its last exercise)."""
    refs = refdata()
    today = date.today()
    return render_template("continuity/takeover.html", **_ctx(
        matrix=takeover_matrix(plan_rows(paired=True), refs, today), refs=refs))


@bp.get("/overview.xlsx")
@require(can_read_continuity)
def export():
    refs = refdata()
    out = BytesIO()
    overview_workbook(out, overview(refs, date.today(), limit=None), refs, date.today())
    out.seek(0)
    return send_file(out, mimetype="application/vnd.openxmlformats-officedocument."
                     "spreadsheetml.sheet", as_attachment=True,
                     download_name=f"continuiteit-{date.today().isoformat()}.xlsx")


# --- plans --------------------------------------------------------------------------------------

@bp.get("/plans")
@require(can_read_continuity)
def plans():
    refs = refdata()
    args = {k: (request.args.get(k) or "").strip()
            for k in ("meldkamer", "voorziening", "fallback")}
    query = select(Plan).order_by(Plan.code).options(
        selectinload(Plan.meldkamer), selectinload(Plan.voorziening),
        selectinload(Plan.fallback_meldkamer))
    for name, ref, column in (("meldkamer", "meldkamers", Plan.meldkamer_id),
                              ("voorziening", "voorzieningen", Plan.voorziening_id),
                              ("fallback", "meldkamers", Plan.fallback_meldkamer_id)):
        if args[name]:
            item = refs.list(ref).by_code.get(args[name])
            query = query.where(column == (item.id if item else -1))
    items = db.session.scalars(query).all()
    return render_template("continuity/plans.html", **_ctx(plans=items, args=args, refs=refs))


def _scope_error(form, data, refs) -> bool:
    """A continuity coordinator's plan must be of one of their meldkamers (else they could not
    edit it afterwards)."""
    if can_edit_all_plans(current_user):
        return False
    item = refs.meldkamers.by_code.get(data.meldkamer or "")
    if item is not None and covers_meldkamer(current_user, item.id):
        return False
    form.meldkamer.errors = list(form.meldkamer.errors) + [
        _("Kies een meldkamer waarvoor u continuïteitscoördinator bent.")]
    log_refusal("save", plan=request.view_args.get("code", "new"), reason="scope")
    return True


def _keep(plan) -> dict:
    return {"meldkamer": [plan.meldkamer.code] if plan.meldkamer else [],
            "fallback_meldkamer": [plan.fallback_meldkamer.code] if plan.fallback_meldkamer
            else [],
            "voorziening": [plan.voorziening.code] if plan.voorziening else []}


@bp.route("/plans/new", methods=["GET", "POST"])
@require(can_create_plan)
def new_plan():
    refs = refdata()
    form = make_plan_form(refs, 0, data=None if request.method == "POST" else {
        "status": "concept"})
    if form.validate_on_submit():
        data = plan_data(form)
        if not _scope_error(form, data, refs):
            try:
                plan = create_plan(data, current_user, refs=refs)
            except PlanError as error:
                _show_errors(form, error)
            else:
                flash(_("Plan %(code)s is aangemaakt.", code=plan.code), "success")
                return redirect(url_for("continuity.plan", code=plan.code))
    return render_template("continuity/plan_form.html", form=form, plan=None), \
        422 if form.errors else 200


def _render_plan(plan, status=200, link_form=None, bia_form=None):
    rto = plan_rto(plan)
    bias = db.session.scalars(select(Bia).order_by(Bia.code)).all()
    exercises = [(e, Verdict(e.achieved_minutes, plan.target_minutes, rto))
                 for e in reversed(plan.exercises)]
    return render_template("continuity/plan.html", **_ctx(
        plan=plan, rto=rto, exercises=exercises, can_edit=can_edit_plan(current_user, plan),
        button_form=EmptyForm(), link_form=link_form or LinkRiskForm(),
        bia_form=bia_form or make_bia_form(bias, data={"bia": plan.bia_id}))), status


@bp.get("/plans/<code>")
@require(can_read_continuity)
def plan(code: str):
    return _render_plan(_get_plan(code))


@bp.route("/plans/<code>/edit", methods=["GET", "POST"])
@require(can_read_continuity)
def edit_plan(code: str):
    plan = _get_plan(code)
    _require_edit(plan)
    refs = refdata()
    if plan.frozen:
        flash(_("Versie %(n)s van dit plan is vastgesteld en kan niet meer worden gewijzigd; "
                "maak een nieuwe versie.", n=plan.version), "warning")
        if request.method == "POST":
            log_refusal("save", plan=code, reason="frozen")
            return _render_plan(plan, status=409)
        return redirect(url_for("continuity.plan", code=code))
    if request.method == "GET":
        form = make_plan_form(refs, len(plan.steps), keep=_keep(plan),
                              data=plan_values(plan, refs))
        return render_template("continuity/plan_form.html", form=form, plan=plan)
    form = make_plan_form(refs, len(plan.steps), keep=_keep(plan))
    if form.validate_on_submit():
        data = plan_data(form)
        if not _scope_error(form, data, refs):
            try:
                changes = update_plan(plan, data, current_user, refs=refs,
                                      expected_revision=form_revision(form))
            except (StalePlanError, SavedMeanwhileError) as error:  # said at the top
                db.session.rollback()  # after a refused flush; else nothing was written
                _show_errors(None, error)
                return render_template("continuity/plan_form.html", form=form, plan=plan), 409
            except PlanError as error:
                _show_errors(form, error)
            else:
                flash(_("Plan %(code)s is opgeslagen.", code=code) if changes
                      else _("Er was niets gewijzigd."), "success" if changes else "info")
                return redirect(url_for("continuity.plan", code=code))
    return render_template("continuity/plan_form.html", form=form, plan=plan), 422


@bp.post("/plans/<code>/approve")
@require(can_read_continuity)
def approve(code: str):
    plan = _get_plan(code)
    _require_edit(plan)
    _posted()
    try:
        approve_plan(plan, current_user)
    except PlanError as error:
        _show_errors(None, error)
        return _render_plan(plan, status=409)
    flash(_("Versie %(n)s van het plan is vastgesteld.", n=plan.version), "success")
    return redirect(url_for("continuity.plan", code=code))


@bp.post("/plans/<code>/versions/new")
@require(can_read_continuity)
def new_version(code: str):
    plan = _get_plan(code)
    _require_edit(plan)
    _posted()
    try:
        number = new_plan_version(plan, current_user)
    except PlanError as error:
        _show_errors(None, error)
        return _render_plan(plan, status=409)
    flash(_("Versie %(n)s is aangemaakt; de vastgestelde versie blijft bewaard.", n=number),
          "success")
    return redirect(url_for("continuity.edit_plan", code=code))


@bp.post("/plans/<code>/bia")
@require(can_read_continuity)
def plan_bia(code: str):
    plan = _get_plan(code)
    _require_edit(plan)
    bias = db.session.scalars(select(Bia).order_by(Bia.code)).all()
    form = make_bia_form(bias)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_plan(plan, status=422, bia_form=form)
    try:
        set_plan_bia(plan, db.session.get(Bia, form.bia.data) if form.bia.data else None,
                     current_user)
    except PlanError as error:  # an approved version keeps its BIA
        _show_errors(None, error)
        return _render_plan(plan, status=409)
    flash(_("De BIA van het plan is opgeslagen."), "success")
    return redirect(url_for("continuity.plan", code=code))


def _risk_by_code(code: str):
    return db.session.scalar(select(Risk).where(Risk.code == code.strip().upper()))


@bp.post("/plans/<code>/risks")
@require(can_read_continuity)
def link_plan_risk(code: str):
    plan = _get_plan(code)
    _require_edit(plan)
    form = LinkRiskForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_plan(plan, status=422, link_form=form)
    risk = _risk_by_code(form.risk.data)
    if risk is None:
        form.risk.errors = [_("Risico %(code)s bestaat niet.", code=form.risk.data)]
        return _render_plan(plan, status=422, link_form=form)
    try:
        link_risk(plan, risk, current_user)
    except PlanError as error:  # an archived risk
        form.risk.errors = list(error.errors.values())
        log_refusal("link", plan=code, risk=risk.code, reason="archived")
        return _render_plan(plan, status=422, link_form=form)
    flash(_("Risico %(code)s is aan het plan gekoppeld.", code=risk.code), "success")
    return redirect(url_for("continuity.plan", code=code) + "#risks")


@bp.post("/plans/<code>/risks/<risk_code>/delete")
@require(can_read_continuity)
def unlink_plan_risk(code: str, risk_code: str):
    plan = _get_plan(code)
    _require_edit(plan)
    risk = _risk_by_code(risk_code)
    if risk is None:
        abort(404)
    _posted()
    unlink_risk(plan, risk, current_user)
    flash(_("De koppeling met risico %(code)s is verwijderd.", code=risk.code), "success")
    target = request.form.get("next") == "risk"
    return redirect(url_for("risks.detail", code=risk.code) + "#panel-continuity" if target
                    else url_for("continuity.plan", code=code) + "#risks")


@bp.post("/risks/<risk_code>/plans")
@require(can_read_continuity)
def link_risk_plan(risk_code: str):
    """From the risk page's panel: link a plan (by its code) to the risk."""
    risk = _risk_by_code(risk_code)
    if risk is None or risk.archived_at is not None and not can_view_archived(current_user):
        abort(404)  # as its page: an archived risk has left the register for them
    form = LinkPlanForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Vul een plancode in."), "danger")
        return redirect(url_for("risks.detail", code=risk.code) + "#panel-continuity")
    plan = db.session.scalar(select(Plan).where(Plan.code == form.plan.data.strip().upper()))
    if plan is None:
        flash(_("Plan %(code)s bestaat niet.", code=form.plan.data), "danger")
        return redirect(url_for("risks.detail", code=risk.code) + "#panel-continuity")
    if not can_edit_plan(current_user, plan):
        if not can_create_plan(current_user):
            deny()  # no one who links plans: the form is not theirs
        # A coordinator who typed another meldkamer's plan: refused, with the reason on the page.
        log_refusal("link", plan=plan.code, risk=risk.code, reason="scope")
        flash(_("U mag plan %(code)s (%(where)s) niet koppelen: u kunt alleen plannen koppelen "
                "van een meldkamer waarvoor u continuïteitscoördinator bent.", code=plan.code,
                where=localized(plan.meldkamer) or _("landelijk")), "danger")
        return redirect(url_for("risks.detail", code=risk.code) + "#panel-continuity")
    try:
        link_risk(plan, risk, current_user)
    except PlanError as error:  # an archived risk
        log_refusal("link", plan=plan.code, risk=risk.code, reason="archived")
        for message in error.errors.values():
            flash(message, "danger")
        return redirect(url_for("risks.detail", code=risk.code) + "#panel-continuity")
    flash(_("Plan %(code)s is aan het risico gekoppeld.", code=plan.code), "success")
    return redirect(url_for("risks.detail", code=risk.code) + "#panel-continuity")


# --- exercises ----------------------------------------------------------------------------------

@bp.route("/plans/<code>/exercises/new", methods=["GET", "POST"])
@require(can_read_continuity)
def new_exercise(code: str):
    plan = _get_plan(code)
    _require_edit(plan)
    refs = refdata()
    form = make_exercise_form(refs, data=None if request.method == "POST" else {
        "held_on": date.today()})
    if form.validate_on_submit():
        try:
            exercise = record_exercise(plan, exercise_data(form), current_user, refs=refs)
        except PlanError as error:
            _show_errors(form, error)
        else:
            flash(_("Oefening %(code)s is vastgelegd.", code=exercise.code), "success")
            return redirect(url_for("continuity.exercise", code=exercise.code))
    return render_template("continuity/exercise_form.html", **_ctx(
        form=form, plan=plan, exercise=None, rto=plan_rto(plan))), 422 if form.errors else 200


@bp.get("/exercises/<code>")
@require(can_read_continuity)
def exercise(code: str):
    exercise = _get_exercise(code)
    plan = exercise.plan
    return render_template("continuity/exercise.html", **_ctx(
        exercise=exercise, plan=plan,
        verdict=Verdict(exercise.achieved_minutes, plan.target_minutes, plan_rto(plan)),
        can_edit=can_edit_plan(current_user, plan),
        can_make_risk=can_make_risk(current_user, plan), link_form=LinkRiskForm()))


@bp.route("/exercises/<code>/edit", methods=["GET", "POST"])
@require(can_read_continuity)
def edit_exercise(code: str):
    exercise = _get_exercise(code)
    plan = exercise.plan
    _require_edit(plan)
    refs = refdata()
    if request.method == "GET":
        form = make_exercise_form(refs, data=exercise_values(exercise, refs))
    else:
        form = make_exercise_form(refs)
        if form.validate_on_submit():
            try:
                changes = update_exercise(exercise, exercise_data(form), current_user, refs=refs,
                                          expected_revision=form_revision(form))
            except (StaleExerciseError, SavedMeanwhileError) as error:  # said at the top
                db.session.rollback()  # after a refused flush; else nothing was written
                _show_errors(None, error)
                return render_template("continuity/exercise_form.html", **_ctx(
                    form=form, plan=plan, exercise=exercise, rto=plan_rto(plan))), 409
            except PlanError as error:
                _show_errors(form, error)
            else:
                flash(_("Oefening %(code)s is opgeslagen.", code=code) if changes
                      else _("Er was niets gewijzigd."), "success" if changes else "info")
                return redirect(url_for("continuity.exercise", code=code))
    return render_template("continuity/exercise_form.html", **_ctx(
        form=form, plan=plan, exercise=exercise, rto=plan_rto(plan))), \
        422 if form.errors else 200


def _get_finding(finding_id: int) -> Finding:
    finding = db.session.get(Finding, finding_id)
    if finding is None:
        abort(404)
    return finding


@bp.route("/findings/<int:finding_id>/risk", methods=["GET", "POST"])
@require(can_read_continuity)
def finding_risk(finding_id: int):
    """A finding becomes a new risk: the form comes pre-filled from the finding, its exercise
    and plan; the new risk is linked back to both."""
    finding = _get_finding(finding_id)
    exercise, plan = finding.exercise, finding.exercise.plan
    if not can_make_risk(current_user, plan):
        deny()
    if finding.risk_id is not None:
        flash(_("Deze bevinding is al aan risico %(code)s gekoppeld.", code=finding.risk.code),
              "info")
        return redirect(url_for("continuity.exercise", code=exercise.code))
    refs = refdata()
    prefill = finding_risk_data(finding, refs)
    form = make_finding_risk_form(refs, data=None if request.method == "POST" else {
        "title": prefill.title, "description": prefill.description,
        "bruto_likelihood": 3, "netto_likelihood": 3})
    if form.validate_on_submit():
        try:
            risk = finding_to_risk(finding, NewRisk(
                title=form.title.data, description=form.description.data or "",
                bruto_likelihood=form.bruto_likelihood.data,
                netto_likelihood=form.netto_likelihood.data), current_user, refs=refs)
        except RiskError as error:
            show_errors(form, error.errors, label=field_label)
        except PlanError as error:
            _show_errors(None, error)
        else:
            flash(_("Risico %(code)s is aangemaakt uit de bevinding; vul de impact per "
                    "discipline aan.", code=risk.code), "success")
            return redirect(url_for("risks.detail", code=risk.code))
    return render_template("continuity/finding_risk.html", form=form, finding=finding,
                           exercise=exercise, plan=plan, prefill=prefill, refs=refs,
                           localized=localized), 422 if form.errors else 200


@bp.post("/findings/<int:finding_id>/link")
@require(can_read_continuity)
def finding_link(finding_id: int):
    """A finding becomes an action on an existing risk."""
    finding = _get_finding(finding_id)
    exercise, plan = finding.exercise, finding.exercise.plan
    _require_edit(plan)
    form = LinkRiskForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Vul een risicocode in."), "danger")
        return redirect(url_for("continuity.exercise", code=exercise.code))
    risk = _risk_by_code(form.risk.data)
    if risk is None:
        flash(_("Risico %(code)s bestaat niet.", code=form.risk.data), "danger")
        return redirect(url_for("continuity.exercise", code=exercise.code))
    try:
        link_finding(finding, risk, current_user)
    except PlanError as error:
        _show_errors(None, error)
        return redirect(url_for("continuity.exercise", code=exercise.code))
    flash(_("De bevinding is als actie aan risico %(code)s toegevoegd.", code=risk.code),
          "success")
    return redirect(url_for("continuity.exercise", code=exercise.code))

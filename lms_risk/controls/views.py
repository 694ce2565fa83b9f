"""Controls pages: the Verklaring van Toepasselijkheid, a control, editing an implementation
(one or a selection), risk links, the BBN gap analysis, the NIS2 view and loading a catalogue.
Views are thin: see insight (reading) and services/loading (writing)."""

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.access import deny, require
from ..core.forms import EmptyForm
from ..core.logs import log_refusal
from ..excel.pending import TOKEN, PendingUploads
from ..extensions import db
from ..i18n import current_language
from ..reference.data import refdata
from ..risks.models import Risk
from .catalogue import MAX_CATALOGUE_BYTES
from .citations import citing_risks, reference
from .fields import FIELD_LABELS
from .forms import (
    BulkForm,
    ConfirmForm,
    LevelForm,
    LinkRiskForm,
    UploadForm,
    form_revision,
    implementation_data,
    make_implementation_form,
)
from .insight import (
    VvtFilter,
    all_tags,
    ancestors,
    control_page,
    frameworks_with_counts,
    gap_analysis,
    nis2_frameworks,
    nis2_view,
    vvt_page,
)
from .loading import LoadError, apply_plan, plan_catalogue, read_file
from .models import Control, Framework, Implementation
from .permissions import (
    can_edit_scope,
    can_edit_some_scope,
    can_link_risks,
    can_load_catalogues,
    can_read_controls,
    can_set_levels,
)
from .scopes import all_scopes, scope_by_param, scope_levels
from .services import BULK_FIELDS, ControlError, SavedMeanwhileError, StaleImplementationError, \
    bulk_update, current_data, link_risk, refuse_retired, set_implementation, set_scope_level, \
    unlink_risk

bp = Blueprint("controls", __name__, url_prefix="/controls", static_folder="static")
PENDING_HOURS = 24


def _control(control_id: int, *options) -> Control:
    control = db.session.get(Control, control_id, options=options)
    if control is None:
        abort(404)
    return control


def _frameworks() -> list[Framework]:
    return list(db.session.scalars(select(Framework).order_by(Framework.code)))


# --- the Verklaring van Toepasselijkheid --------------------------------------------------------

@bp.get("")
@require(can_read_controls)
def index():
    refs = refdata()
    flt = VvtFilter.from_args(request.args)
    scope = scope_by_param(refs, flt.scope) if flt.scope else None
    if flt.scope and scope is None:
        flt.problems.append("scope")
    frameworks = frameworks_with_counts()
    rows, next_after = vvt_page(flt, scope, [f for f, _, _ in frameworks])
    may_edit = scope is not None and can_edit_scope(current_user, scope)
    bulk = BulkForm(scope=flt.scope) if may_edit else None
    return render_template("controls/index.html", flt=flt, rows=rows, next_after=next_after,
                           scope=scope, scopes=all_scopes(refs), frameworks=frameworks,
                           framework_by_id={f.id: f for f, _, _ in frameworks},
                           tags=all_tags(), bulk=bulk, may_edit=may_edit, lang=current_language())


@bp.post("/bulk")
@require(can_edit_some_scope)
def bulk():
    refs = refdata()
    form = BulkForm()
    scope = scope_by_param(refs, form.scope.data)
    if scope is None:
        abort(400)
    if not can_edit_scope(current_user, scope):
        deny()
    back = request.form.get("back") or ""
    target = url_for("controls.index") + ("?" + back if back and "//" not in back else "")
    if not form.validate_on_submit():
        flash(_("De bulkwijziging is niet opgeslagen: %(problems)s",
                problems="; ".join(_bulk_problems(form))), "danger")
        return redirect(target)
    ids = [int(v) for v in request.form.getlist("control") if v.isdigit()][:500]
    changes = {}
    if form.status.data:
        changes["status"] = form.status.data
    if (form.owner.data or "").strip():
        changes["owner"] = form.owner.data.strip()
    if form.next_check.data:
        changes["next_check"] = form.next_check.data
    if not ids or not changes:
        flash(_("Kies maatregelen en ten minste één wijziging."), "warning")
        return redirect(target)
    controls = list(db.session.scalars(select(Control).where(Control.id.in_(ids))))
    try:
        refuse_retired(controls)
        changed = bulk_update(controls, scope, changes, current_user)
    except ControlError as error:
        db.session.rollback()
        flash("; ".join(f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in error.errors.items()),
              "danger")
        return redirect(target)
    flash(_("%(n)s implementaties gewijzigd in %(scope)s.", n=changed, scope=scope.code),
          "success")
    return redirect(target)


def _bulk_problems(form: BulkForm) -> list[str]:
    """What is wrong with the bulk form, per field: its label, the value as typed and why."""
    problems = []
    for name, errors in form.errors.items():
        field = form[name] if name in form else None
        if field is None or name == "csrf_token":
            problems.append(_("de pagina was verlopen; open hem opnieuw en probeer het nog eens"))
            continue
        value = str(field.raw_data[0]) if field.raw_data else ""
        value = value if len(value) <= 50 else value[:50] + "…"
        if field.type == "DateField":
            why = _("geen geldige datum")
        else:
            why = "; ".join(str(e) for e in errors)
        problems.append(_("%(field)s “%(value)s”: %(why)s", field=field.label.text, value=value,
                          why=why))
    return problems or [_("controleer de velden")]


# --- a control ----------------------------------------------------------------------------------

@bp.get("/<int:control_id>")
@require(can_read_controls)
def detail(control_id: int):
    control = _control(control_id, joinedload(Control.framework))
    refs = refdata()
    data = control_page(control, refs)
    # A retired control's implementations are kept as they were (edit refuses them too).
    editable = set() if control.retired_at else \
        {s.key for s in data["scopes"] if can_edit_scope(current_user, s)}
    return render_template("controls/detail.html", control=control, path=ancestors(control),
                           editable=editable,
                           link_form=LinkRiskForm() if can_link_risks(current_user) else None,
                           remove_form=EmptyForm(), lang=current_language(),
                           can_edit_scope=can_edit_scope, cited_by=citing_risks(control),
                           citation=reference(control.framework.code, control.ref_id)
                           if control.ref_id else None, **data)


@bp.route("/<int:control_id>/scope/<scope_param>", methods=["GET", "POST"])
@require(can_edit_some_scope)
def edit(control_id: int, scope_param: str):
    control = _control(control_id)
    refs = refdata()
    scope = scope_by_param(refs, scope_param)
    if scope is None:
        abort(404)
    if not can_edit_scope(current_user, scope):
        deny()
    try:
        refuse_retired([control])
    except ControlError as error:
        log_refusal("save", control=control.id, reason="retired")
        flash(error.errors["control"], "danger")
        return redirect(url_for("controls.detail", control_id=control.id))
    impl = db.session.scalar(select(Implementation).where(
        Implementation.control_id == control.id, Implementation.scope_key == scope.key))
    if request.method == "GET":
        form = make_implementation_form(refs, current_data(impl),
                                        revision=impl.revision if impl is not None else 0)
    else:
        form = make_implementation_form(refs)
    if form.validate_on_submit():
        try:
            set_implementation(control, scope, implementation_data(form), current_user, impl=impl,
                               expected_revision=form_revision(form))
        except (StaleImplementationError, SavedMeanwhileError) as error:  # said at the top
            db.session.rollback()  # after a refused flush; else nothing was written
            log_refusal("save", control=control.id, reason="changed meanwhile")
            flash(error.errors["revision"], "danger")
            return render_template("controls/edit.html", control=control, scope=scope, form=form,
                                   lang=current_language()), 409
        except ControlError as error:
            log_refusal("save", control=control.id, fields=",".join(error.errors))
            for key, message in error.errors.items():
                form[key].errors = list(form[key].errors) + [message]
        else:
            flash(_("Implementatie van %(control)s in %(scope)s opgeslagen.",
                    control=control.label, scope=scope.code), "success")
            return redirect(url_for("controls.detail", control_id=control.id))
    status = 422 if form.errors else 200
    return render_template("controls/edit.html", control=control, scope=scope, form=form,
                           lang=current_language()), status


@bp.post("/<int:control_id>/risks")
@require(can_link_risks)
def link(control_id: int):
    control = _control(control_id)
    form = LinkRiskForm()
    if not form.validate_on_submit():
        abort(400)
    risk = db.session.scalar(select(Risk).where(Risk.code == (form.risk.data or "").strip()
                                                .upper()))
    if risk is None:
        flash(_("Geen risico met code %(code)s.", code=form.risk.data), "danger")
    else:
        link_risk(risk, control, form.kind.data, current_user)
        flash(_("%(risk)s gekoppeld aan %(control)s.", risk=risk.code, control=control.label),
              "success")
    return redirect(url_for("controls.detail", control_id=control.id) + "#risks")


@bp.post("/<int:control_id>/risks/<code>/remove")
@require(can_link_risks)
def unlink(control_id: int, code: str):
    control = _control(control_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    risk = db.session.scalar(select(Risk).where(Risk.code == code))
    if risk is None:
        abort(404)
    unlink_risk(risk, control, current_user)
    flash(_("Koppeling met %(risk)s verwijderd.", risk=risk.code), "success")
    return redirect(url_for("controls.detail", control_id=control.id) + "#risks")


# --- the BBN gap analysis and the NIS2 view -----------------------------------------------------

@bp.get("/gaps")
@require(can_read_controls)
def gaps():
    refs = refdata()
    discipline = refs.disciplines.by_code.get(request.args.get("discipline") or "")
    frameworks = _frameworks()
    fw = next((f for f in frameworks if f.code == request.args.get("framework")), None)
    only_scope = (request.args.get("scope") or "").strip()
    analysis = gap_analysis(refs, current_language(), discipline.id if discipline else None,
                            only_scope=only_scope, only_framework=fw.id if fw else None)
    return render_template("controls/gaps.html", analysis=analysis, discipline=discipline,
                           framework=fw, frameworks=frameworks, only_scope=only_scope,
                           framework_by_id={f.id: f for f in frameworks}, refs=refs,
                           scopes=all_scopes(refs), levels=scope_levels(),
                           level_form=LevelForm() if can_set_levels(current_user) else None)


@bp.post("/gaps/level")
@require(can_set_levels)
def set_level():
    form = LevelForm()
    scope = scope_by_param(refdata(), form.scope.data)
    if not form.validate_on_submit() or scope is None:
        abort(400)
    set_scope_level(scope, int(form.bbn_level.data) if form.bbn_level.data else None,
                    current_user)
    flash(_("BBN-niveau van %(scope)s opgeslagen.", scope=scope.code), "success")
    return redirect(url_for("controls.gaps"))


@bp.get("/nis2")
@require(can_read_controls)
def nis2():
    refs = refdata()
    frameworks = _frameworks()
    candidates = nis2_frameworks(frameworks) or frameworks
    fw = next((f for f in frameworks if f.code == request.args.get("framework")), None) \
        or (candidates[0] if candidates else None)
    scope = scope_by_param(refs, request.args.get("scope")) if request.args.get("scope") else None
    page = request.args.get("page", "1")
    view = nis2_view(fw, refs, scope, int(page) if page.isdigit() else 1) if fw else None
    return render_template("controls/nis2.html", framework=fw, frameworks=frameworks,
                           view=view, coverage=view.coverage if view else [], scope=scope,
                           all_scopes=all_scopes(refs), lang=current_language())


# --- loading a catalogue ------------------------------------------------------------------------

def _pending() -> PendingUploads:
    return PendingUploads(Path(current_app.instance_path) / "control-catalogues", PENDING_HOURS)


def _plan(filename: str, data: bytes):
    try:
        return plan_catalogue(read_file(filename, data)), []
    except LoadError as error:
        return None, error.problems


def _upload_limit() -> str:
    """The largest catalogue an upload takes, as a reader says it ("10 MB"): the reader's limit,
    or the app's limit on a request when that is lower."""
    limit = min(MAX_CATALOGUE_BYTES, current_app.config.get("MAX_CONTENT_LENGTH")
                or MAX_CATALOGUE_BYTES)
    if limit >= 2**20:
        return f"{format_decimal(round(limit / 2**20, 1))} MB"
    return f"{format_decimal(round(limit / 2**10, 1))} kB"


def _upload_page(form, status=200, too_large=False):
    return render_template("controls/upload.html", form=form, frameworks=frameworks_with_counts(),
                           limit=_upload_limit(), too_large=too_large), status


@bp.errorhandler(413)
def too_large(error):
    """A request larger than the app takes: the upload page again, saying the limit (the app's
    own 413 page does not)."""
    log_refusal("import", reason="too large")
    # Raised before the view's own checks (the CSRF check reads the body): check here too.
    if request.endpoint != "controls.upload" or not current_user.is_authenticated \
            or not can_load_catalogues(current_user):
        return render_template("error.html", code=413, title=_("Bestand te groot")), 413
    return _upload_page(UploadForm(formdata=None), 413, too_large=True)


@bp.route("/import", methods=["GET", "POST"])
@require(can_load_catalogues)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, 422 if form.errors else 200)
    upload = form.file.data
    data = upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    filename = Path(upload.filename or "catalogus.yaml").name
    plan, problems = _plan(filename, data)
    token = _pending().keep(current_user.id, data, filename) if plan and plan.changes else None
    if problems:
        log_refusal("import", file=filename, problems=len(problems))
    return render_template("controls/preview.html", plan=plan, problems=problems,
                           filename=filename,
                           confirm=ConfirmForm(token=token) if token else None), \
        422 if problems else 200


@bp.post("/import/confirm")
@require(can_load_catalogues)
def confirm():
    form = ConfirmForm()
    if not form.validate_on_submit() or not TOKEN.match(form.token.data or ""):
        abort(400)
    pending = _pending().get(current_user.id, form.token.data)
    if pending is None:
        flash(_("Deze voorvertoning is verlopen of al ingelezen. Upload het bestand opnieuw."),
              "warning")
        return redirect(url_for("controls.upload"))
    data, filename = pending
    plan, problems = _plan(filename, data)
    if problems:
        return render_template("controls/preview.html", plan=None, problems=problems,
                               filename=filename, confirm=None), 422
    apply_plan(plan, current_user)
    _pending().discard(current_user.id, form.token.data)
    flash(_("Catalogus %(file)s ingelezen.", file=filename), "success")
    return redirect(url_for("controls.upload"))

"""BIA pages: the list, a BIA (a version's grid, recovery targets, dependencies, BIV/BBN), two
versions side by side, and the forms. Views are thin: see services."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.access import deny, require
from ..core.forms import EmptyForm, show_errors
from ..core.logs import log_refusal
from ..extensions import db
from ..i18n import localized
from ..reference.data import refdata
from .config import bia_config
from .fields import DEPENDENCY_KIND_LABELS, VERSION_FIELDS, minutes_label
from .forms import (
    ClassificationForm,
    BiaLinkForm,
    CategoryForm,
    RiskLinkForm,
    ThresholdForm,
    WindowForm,
    bia_data,
    bia_values,
    make_bia_form,
    make_bbn_form,
    make_dependency_form,
    make_version_form,
    version_data,
    version_values,
)
from .graph import DependencyGraph
from .models import (
    Bia,
    BiaDependency,
    BiaImpactCategory,
    BiaTimeWindow,
    BiaVersion,
    bia_discipline,
    bia_meldkamer,
)
from .permissions import can_admin_bia, can_create_bia, can_edit_all_bias, can_edit_bia, \
    can_link_risk, can_read_bia, covers_meldkamers, meldkamers_outside_scope
from .queries import risks_for_bia, targets
from .settings import CategoryData, SettingsError, WindowData, save_category, save_window, \
    set_bbn_rule, set_mtpd_threshold
from .services import (
    BiaError,
    DependencyInput,
    add_dependency,
    approve_version,
    classify,
    create_bia,
    link_risk,
    mtpd,
    new_version,
    remove_dependency,
    unlink_risk,
    update_bia,
    update_version,
)

bp = Blueprint("bia", __name__, url_prefix="/bia", static_folder="static")


def impact_styles(refs) -> dict:
    """Per impact value, the class of its matrix level (``/levels.css``: the level's colour and a
    readable text colour on it), from the grid's cell where likelihood equals impact, or the
    nearest likelihood."""
    likelihoods = [c.value for c in refs.likelihoods]
    styles = {}
    for impact in refs.impacts:
        if not likelihoods:
            break
        lik = min(likelihoods, key=lambda v: abs(v - impact.value))
        level = refs.level_by_id.get(refs.grid.get((lik, impact.value)))
        if level is not None:
            styles[impact.value] = f"level-{level.id}"
    return styles


def _get_bia(code: str) -> Bia:
    """The BIA with its versions; a version's scores and rows load when that version is shown
    (one query each), not those of every version."""
    bia = db.session.scalar(select(Bia).where(Bia.code == code).options(
        selectinload(Bia.meldkamers), selectinload(Bia.disciplines), selectinload(Bia.versions),
        selectinload(Bia.dependencies), selectinload(Bia.classifications)))
    if bia is None:
        abort(404)
    return bia


def _version(bia: Bia, number) -> BiaVersion:
    if number is None:
        return bia.current
    for version in bia.versions:
        if version.number == number:
            return version
    abort(404)


def _require_edit(bia: Bia) -> None:
    if not can_edit_bia(current_user, bia):
        deny()


def _show_errors(form, error: BiaError) -> None:
    log_refusal("save", bia=request.view_args.get("code", "new"), fields=",".join(error.errors))
    show_errors(form, error.errors, {"grid.": "g-", "row.": "r-"})


# --- the list -----------------------------------------------------------------------------------

@bp.get("")
@require(can_read_bia)
def index():
    refs = refdata()
    args = {k: (request.args.get(k) or "").strip() for k in ("meldkamer", "voorziening",
                                                             "discipline", "q")}
    query = select(Bia).order_by(Bia.code).options(selectinload(Bia.meldkamers))
    if args["meldkamer"]:
        item = refs.meldkamers.by_code.get(args["meldkamer"])
        query = query.where(Bia.id.in_(select(bia_meldkamer.c.bia_id).where(
            bia_meldkamer.c.meldkamer_id == (item.id if item else -1))))
    if args["discipline"]:
        item = refs.disciplines.by_code.get(args["discipline"])
        query = query.where(Bia.id.in_(select(bia_discipline.c.bia_id).where(
            bia_discipline.c.discipline_id == (item.id if item else -1))))
    if args["voorziening"]:
        item = refs.voorzieningen.by_code.get(args["voorziening"])
        query = query.where(Bia.voorziening_id == (item.id if item else -1))
    if args["q"]:
        like = f"%{args['q'].lower()}%"
        query = query.where((Bia.subject.ilike(like)) | (Bia.code.ilike(like))
                            | (Bia.owner.ilike(like)))
    bias = db.session.scalars(query).all()
    found = targets()  # each current version and its MTPD, without loading every score
    rows = [(bia, found[bia.id].version if bia.id in found else None,
             found[bia.id].mtpd if bia.id in found else None) for bia in bias]
    return render_template("bia/index.html", rows=rows, args=args, refs=refs,
                           minutes_label=minutes_label, today=date.today())


# --- one BIA ------------------------------------------------------------------------------------

def _others(bia):
    """(id, code, subject) of every other BIA, for the dependency form's choice."""
    return db.session.execute(select(Bia.id, Bia.code, Bia.subject).where(Bia.id != bia.id)
                              .order_by(Bia.code)).all()


def _render_detail(bia, version=None, dependency_form=None, classification_form=None,
                   risk_form=None, status=200):
    version = version or bia.current
    refs, config = refdata(), bia_config()
    graph = DependencyGraph.load(bia.id, config)
    warnings, loops = graph.warnings(bia.id)
    can_edit = can_edit_bia(current_user, bia)
    if can_edit and dependency_form is None:  # the form (every other BIA) only for who sees it
        dependency_form = make_dependency_form(_others(bia), refs)
    return render_template(
        "bia/detail.html", bia=bia, version=version, config=config, refs=refs,
        grid=version.grid(), rows=version.row_by_category(), mtpd=mtpd(version, config),
        styles=impact_styles(refs), warnings=warnings, loops=loops,
        dependencies=[(d, graph.dependency_name(d), graph.target(d), *graph.recovery(d))
                      for d in graph.dependencies.get(bia.id, ())],
        kind_labels=DEPENDENCY_KIND_LABELS, minutes_label=minutes_label,
        linked_risks=risks_for_bia(bia.id), can_link=can_link_risk(current_user, bia),
        risk_form=risk_form or RiskLinkForm(),
        can_edit=can_edit, button_form=EmptyForm(), dependency_form=dependency_form,
        voorziening=refs.voorzieningen.by_id.get(bia.voorziening_id),
        classification_form=classification_form or ClassificationForm(
            data={"b": bia.biv_b or 1, "i": bia.biv_i or 1, "v": bia.biv_v or 1}),
        today=date.today()), status


@bp.get("/<code>")
@require(can_read_bia)
def detail(code: str):
    bia = _get_bia(code)
    return _render_detail(bia, _version(bia, request.args.get("version", type=int)))


@bp.get("/<code>/compare")
@require(can_read_bia)
def compare(code: str):
    bia = _get_bia(code)
    numbers = [v.number for v in bia.versions]
    a = request.args.get("a", type=int) or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    b = request.args.get("b", type=int) or numbers[-1]
    left, right = _version(bia, a), _version(bia, b)
    refs, config = refdata(), bia_config()
    fields = [(spec, getattr(left, spec.attr), getattr(right, spec.attr))
              for spec in VERSION_FIELDS]
    return render_template("bia/compare.html", bia=bia, left=left, right=right, config=config,
                           left_grid=left.grid(), right_grid=right.grid(),
                           left_mtpd=mtpd(left, config), right_mtpd=mtpd(right, config),
                           left_rows=left.row_by_category(), right_rows=right.row_by_category(),
                           fields=fields, styles=impact_styles(refs), numbers=numbers,
                           minutes_label=minutes_label)


# --- forms --------------------------------------------------------------------------------------

def _keep(bia) -> dict:
    return {"meldkamers": [m.code for m in bia.meldkamers],
            "disciplines": [d.code for d in bia.disciplines],
            "voorziening": [bia.voorziening.code] if bia.voorziening else []}


def _scope_error(form, data, refs, bia=None) -> bool:
    """A continuity coordinator may name only meldkamers they are coordinator for, and may not
    add or remove one outside their scope (a BIA they may edit names none; so the BIA they save
    is one they can still edit)."""
    if can_edit_all_bias(current_user):
        return False
    ids = [refs.meldkamers.by_code[c].id for c in data.meldkamers if c in refs.meldkamers.by_code]
    before = {m.id for m in bia.meldkamers} if bia is not None else set()
    outside = meldkamers_outside_scope(current_user, sorted(set(ids) ^ before))
    if covers_meldkamers(current_user, ids) and not outside:
        return False
    if outside:
        names = ", ".join(localized(refs.meldkamers.by_id[mid]) for mid in outside
                          if mid in refs.meldkamers.by_id)
        message = _("U kunt alleen meldkamers toevoegen of weghalen waarvoor u "
                    "continuïteitscoördinator bent; niet: %(names)s.", names=names)
    else:
        message = _("Kies ten minste een meldkamer waarvoor u continuïteitscoördinator bent.")
    form.meldkamers.errors = list(form.meldkamers.errors) + [message]
    log_refusal("save", bia=request.view_args.get("code", "new"), reason="scope")
    return True


@bp.route("/new", methods=["GET", "POST"])
@require(can_create_bia)
def new():
    refs = refdata()
    form = make_bia_form(refs)
    if form.validate_on_submit():
        data = bia_data(form)
        if not _scope_error(form, data, refs):
            try:
                bia = create_bia(data, current_user, refs=refs)
            except BiaError as error:
                _show_errors(form, error)
            else:
                flash(_("BIA %(code)s is aangemaakt.", code=bia.code), "success")
                return redirect(url_for("bia.detail", code=bia.code))
    return render_template("bia/form.html", form=form, bia=None), 422 if form.errors else 200


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require(can_read_bia)
def edit(code: str):
    bia = _get_bia(code)
    _require_edit(bia)
    refs = refdata()
    if request.method == "GET":
        form = make_bia_form(refs, keep=_keep(bia), data=bia_values(bia, refs))
        return render_template("bia/form.html", form=form, bia=bia)
    form = make_bia_form(refs, keep=_keep(bia))
    if form.validate_on_submit():
        data = bia_data(form)
        if not _scope_error(form, data, refs, bia):
            try:
                changes = update_bia(bia, data, current_user, refs=refs)
            except BiaError as error:
                _show_errors(form, error)
            else:
                flash(_("BIA %(code)s is opgeslagen.", code=bia.code) if changes
                      else _("Er was niets gewijzigd."), "success" if changes else "info")
                return redirect(url_for("bia.detail", code=bia.code))
    return render_template("bia/form.html", form=form, bia=bia), 422


@bp.route("/<code>/versions/<int:number>/edit", methods=["GET", "POST"])
@require(can_read_bia)
def edit_version(code: str, number: int):
    bia = _get_bia(code)
    _require_edit(bia)
    version = _version(bia, number)
    refs, config = refdata(), bia_config()
    if version.frozen:
        flash(_("Versie %(n)s is vastgesteld en kan niet meer worden gewijzigd; maak een nieuwe "
                "versie.", n=version.number), "warning")
        if request.method == "POST":
            log_refusal("save", bia=code, reason="frozen")
            return _render_detail(bia, version, status=409)
        return redirect(url_for("bia.detail", code=code, version=number))
    if request.method == "GET":
        form = make_version_form(refs, config, data=version_values(version, refs, config))
        return render_template("bia/version_form.html", form=form, bia=bia, version=version,
                               config=config)
    form = make_version_form(refs, config)
    if form.validate_on_submit():
        data, grid, rows = version_data(form, config)
        try:
            changes = update_version(version, data, grid, rows, current_user, refs=refs,
                                     config=config)
        except BiaError as error:
            _show_errors(form, error)
        else:
            flash(_("Versie %(n)s is opgeslagen.", n=version.number) if changes
                  else _("Er was niets gewijzigd."), "success" if changes else "info")
            return redirect(url_for("bia.detail", code=code, version=number))
    return render_template("bia/version_form.html", form=form, bia=bia, version=version,
                           config=config), 422


def _posted() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.post("/<code>/versions/new")
@require(can_read_bia)
def add_version(code: str):
    bia = _get_bia(code)
    _require_edit(bia)
    _posted()
    version = new_version(bia, current_user)
    flash(_("Versie %(n)s is aangemaakt, als kopie van de vorige.", n=version.number), "success")
    return redirect(url_for("bia.edit_version", code=code, number=version.number))


@bp.post("/<code>/versions/<int:number>/approve")
@require(can_read_bia)
def approve(code: str, number: int):
    bia = _get_bia(code)
    _require_edit(bia)
    version = _version(bia, number)
    _posted()
    try:
        approve_version(version, current_user)
    except BiaError as error:
        _show_errors(None, error)
        return _render_detail(bia, version, status=409)
    flash(_("Versie %(n)s is vastgesteld.", n=number), "success")
    return redirect(url_for("bia.detail", code=code, version=number))


@bp.post("/<code>/dependencies")
@require(can_read_bia)
def add_dependency_view(code: str):
    bia = _get_bia(code)
    _require_edit(bia)
    refs = refdata()
    form = make_dependency_form(_others(bia), refs)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_detail(bia, dependency_form=form, status=422)
    try:
        add_dependency(bia, DependencyInput(
            kind=form.kind.data, target_bia_id=form.target_bia_id.data,
            voorziening=form.voorziening.data or None, name=form.name.data or "",
            recovery_minutes=form.recovery_minutes.data), current_user, refs=refs)
    except BiaError as error:
        _show_errors(form, error)
        return _render_detail(bia, dependency_form=form, status=422)
    flash(_("De afhankelijkheid is toegevoegd."), "success")
    return redirect(url_for("bia.detail", code=code) + "#dependencies")


@bp.post("/<code>/dependencies/<int:dep_id>/delete")
@require(can_read_bia)
def delete_dependency(code: str, dep_id: int):
    bia = _get_bia(code)
    _require_edit(bia)
    dep = db.session.get(BiaDependency, dep_id)
    if dep is None or dep.bia_id != bia.id:
        abort(404)
    _posted()
    remove_dependency(dep, current_user)
    flash(_("De afhankelijkheid is verwijderd."), "success")
    return redirect(url_for("bia.detail", code=code) + "#dependencies")


@bp.post("/<code>/classification")
@require(can_read_bia)
def classify_view(code: str):
    bia = _get_bia(code)
    _require_edit(bia)
    form = ClassificationForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_detail(bia, classification_form=form, status=422)
    try:
        classify(bia, form.b.data, form.i.data, form.v.data, current_user,
                 reason=form.reason.data or "")
    except BiaError as error:
        _show_errors(form, error)
        return _render_detail(bia, classification_form=form, status=422)
    flash(_("De BIV-classificatie is opgeslagen."), "success")
    return redirect(url_for("bia.detail", code=code) + "#biv")


# --- links to risks -----------------------------------------------------------------------------

def _get_risk(code: str):
    from ..risks.models import Risk
    risk = db.session.scalar(select(Risk).where(Risk.code == (code or "").strip().upper()))
    if risk is None:
        abort(404)
    return risk


def _get_bia_plain(code: str) -> Bia:
    bia = db.session.scalar(select(Bia).where(Bia.code == code)
                            .options(selectinload(Bia.meldkamers)))
    if bia is None:
        abort(404)
    return bia


@bp.post("/<code>/risks")
@require(can_read_bia)
def link_risk_view(code: str):
    from ..risks.models import Risk
    bia = _get_bia(code)
    if not can_link_risk(current_user, bia):
        deny()
    form = RiskLinkForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_detail(bia, risk_form=form, status=422)
    risk = db.session.scalar(select(Risk).where(Risk.code == form.risk.data.strip().upper()))
    if risk is None:
        form.risk.errors = [_("Er is geen risico met code %(code)s.", code=form.risk.data.strip())]
        log_refusal("link", bia=code, reason="unknown risk")
        return _render_detail(bia, risk_form=form, status=422)
    try:
        linked = link_risk(bia, risk, current_user)
    except BiaError as error:
        form.risk.errors = list(error.errors.values())
        log_refusal("link", bia=code, reason="archived")
        return _render_detail(bia, risk_form=form, status=422)
    flash(_("Risico %(code)s is gekoppeld.", code=risk.code) if linked
          else _("Risico %(code)s was al gekoppeld.", code=risk.code),
          "success" if linked else "info")
    return redirect(url_for("bia.detail", code=code) + "#risks")


@bp.post("/<code>/risks/<risk_code>/delete")
@require(can_read_bia)
def unlink_risk_view(code: str, risk_code: str):
    bia = _get_bia_plain(code)
    if not can_link_risk(current_user, bia):
        deny()
    risk = _get_risk(risk_code)
    _posted()
    unlink_risk(bia, risk, current_user)
    flash(_("De koppeling met risico %(code)s is verwijderd.", code=risk.code), "success")
    return redirect(url_for("bia.detail", code=code) + "#risks")


def _risk_page(risk) -> str:
    return url_for("risks.detail", code=risk.code) + "#panel-bia"


@bp.post("/for-risk/<risk_code>")
@require(can_read_bia)
def link_from_risk(risk_code: str):
    risk = _get_risk(risk_code)
    form = BiaLinkForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Kies een BIA."), "danger")
        return redirect(_risk_page(risk))
    bia = db.session.scalar(select(Bia).where(Bia.code == form.bia.data.strip())
                            .options(selectinload(Bia.meldkamers)))
    if bia is None:
        log_refusal("link", risk=risk_code, reason="unknown bia")
        flash(_("Er is geen BIA met code %(code)s.", code=form.bia.data.strip()), "danger")
        return redirect(_risk_page(risk))
    if not can_link_risk(current_user, bia):
        deny()
    try:
        linked = link_risk(bia, risk, current_user)
    except BiaError as error:
        for message in error.errors.values():
            flash(message, "danger")
        return redirect(_risk_page(risk))
    flash(_("%(bia)s is gekoppeld.", bia=bia.code) if linked
          else _("%(bia)s was al gekoppeld.", bia=bia.code), "success" if linked else "info")
    return redirect(_risk_page(risk))


@bp.post("/for-risk/<risk_code>/<code>/delete")
@require(can_read_bia)
def unlink_from_risk(risk_code: str, code: str):
    risk = _get_risk(risk_code)
    bia = _get_bia_plain(code)
    if not can_link_risk(current_user, bia):
        deny()
    _posted()
    unlink_risk(bia, risk, current_user)
    flash(_("De koppeling met %(bia)s is verwijderd.", bia=bia.code), "success")
    return redirect(_risk_page(risk))


# --- administration: time windows, impact categories, MTPD threshold, BBN rule ------------------

def _render_admin(window_form=None, category_form=None, threshold_form=None, bbn_form=None,
                  status=200):
    config = bia_config()
    refs = refdata()
    edit_window = request.args.get("window", type=int)
    edit_category = request.args.get("category", type=int)
    window = db.session.get(BiaTimeWindow, edit_window) if edit_window else None
    category = db.session.get(BiaImpactCategory, edit_category) if edit_category else None
    if window_form is None:
        window_form = WindowForm(obj=window) if window else WindowForm()
    if category_form is None:
        category_form = CategoryForm(obj=category) if category else CategoryForm()
    if threshold_form is None:
        threshold_form = ThresholdForm(data={"threshold": config.mtpd_threshold})
    threshold_form.threshold.choices = [(c.value, f"{c.value} – {localized(c, 'label')}")
                                        for c in refs.impacts]
    return render_template(
        "bia/admin.html", config=config, window=window, category=category,
        window_form=window_form, category_form=category_form, threshold_form=threshold_form,
        bbn_form=bbn_form or make_bbn_form(config.bbn_rule), minutes_label=minutes_label), status


def _settings_errors(form, error) -> None:
    log_refusal("save", bia="admin", fields=",".join(error.errors))
    show_errors(form, error.errors)


@bp.get("/admin")
@require(can_admin_bia)
def admin():
    return _render_admin()


def _save_item(model, item_id, form, form_key: str, save, data, saved: str, anchor: str):
    """Save a time window or an impact category (new when ``item_id`` is None) from its form."""
    item = db.session.get(model, item_id) if item_id else None
    if item_id and item is None:
        abort(404)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_admin(**{form_key: form}, status=422)
    try:
        done, changes = save(item, data(form), current_user)
    except SettingsError as error:
        _settings_errors(form, error)
        return _render_admin(**{form_key: form}, status=422)
    flash(saved % {"code": done.code} if changes else _("Er was niets gewijzigd."),
          "success" if changes else "info")
    return redirect(url_for("bia.admin") + anchor)


@bp.post("/admin/windows")
@bp.post("/admin/windows/<int:window_id>")
@require(can_admin_bia)
def save_window_view(window_id: int | None = None):
    return _save_item(BiaTimeWindow, window_id, WindowForm(), "window_form", save_window,
                      lambda f: WindowData(code=f.code.data, name_nl=f.name_nl.data,
                                           name_en=f.name_en.data or "", minutes=f.minutes.data,
                                           active=f.active.data),
                      _("Periode %(code)s is opgeslagen."), "#windows")


@bp.post("/admin/categories")
@bp.post("/admin/categories/<int:category_id>")
@require(can_admin_bia)
def save_category_view(category_id: int | None = None):
    return _save_item(BiaImpactCategory, category_id, CategoryForm(), "category_form",
                      save_category,
                      lambda f: CategoryData(code=f.code.data, name_nl=f.name_nl.data,
                                             name_en=f.name_en.data or "",
                                             sort_order=f.sort_order.data or 0,
                                             active=f.active.data),
                      _("Impactcategorie %(code)s is opgeslagen."), "#categories")


@bp.post("/admin/threshold")
@require(can_admin_bia)
def save_threshold_view():
    form = ThresholdForm()
    form.threshold.choices = [(c.value, str(c.value)) for c in refdata().impacts]
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_admin(threshold_form=form, status=422)
    try:
        changed = set_mtpd_threshold(form.threshold.data, current_user)
    except SettingsError as error:
        _settings_errors(form, error)
        return _render_admin(threshold_form=form, status=422)
    flash(_("De MTPD-drempel is opgeslagen.") if changed else _("Er was niets gewijzigd."),
          "success" if changed else "info")
    return redirect(url_for("bia.admin") + "#threshold")


@bp.post("/admin/bbn")
@require(can_admin_bia)
def save_bbn_view():
    form = make_bbn_form(bia_config().bbn_rule)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_admin(bbn_form=form, status=422)
    rule = {(b, i, v): form[f"bbn-{b}-{i}-{v}"].data
            for b in (1, 2, 3) for i in (1, 2, 3) for v in (1, 2, 3)}
    try:
        changes = set_bbn_rule(rule, current_user)
    except SettingsError as error:
        _settings_errors(form, error)
        return _render_admin(bbn_form=form, status=422)
    flash(_("De BBN-regel is opgeslagen.") if changes else _("Er was niets gewijzigd."),
          "success" if changes else "info")
    return redirect(url_for("bia.admin") + "#bbn")

"""The register, a risk's page and form, and the heatmaps. Views are thin: see services."""

import copy

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.access import deny, require
from ..core.features import registry
from ..core.forms import show_errors
from ..core.logs import log_refusal
from ..extensions import db
from ..i18n import localized
from ..reference.data import refdata
from .citations import citable
from .fields import EXTRA_FIELDS, IMPACT_FIELDS, RISK_FIELDS, extra_values
from .forms import ArchiveForm, DeleteForm, RestoreForm, form_values, make_risk_form, risk_data
from .heatmap import build_heatmap
from .labels import STATUS_LABELS
from .models import Risk
from .permissions import (
    can_archive_risks,
    can_delete_risks,
    can_edit_risks,
    can_restore_risks,
    can_score,
    can_view_archived,
)
from .register import RegisterFilter, is_above_target, is_overdue, register_page
from .services import (
    ConcurrentSaveError,
    RiskError,
    RiskPermissionError,
    ScorePermissionError,
    StaleRiskError,
    archive_risk,
    create_risk,
    hard_delete_risk,
    restore_risk,
    update_risk,
)

bp = Blueprint("risks", __name__)


def _lookups() -> dict:
    """What the register's pages show of the reference data: active items only."""
    refs = refdata()
    return {"refs": refs, "disciplines": refs.disciplines.active,
            "meldkamers": refs.meldkamers.active, "voorzieningen": refs.voorzieningen.active,
            "categories": refs.categories.active, "levels": refs.levels,
            "statuses": STATUS_LABELS}


def _register_filter() -> RegisterFilter:
    default = getattr(current_user.primary_discipline, "code", None)
    return RegisterFilter.from_args(request.args, default_discipline=default)


def _known_codes(lookups) -> dict:
    """Codes a filter may name (all, inactive too: old links keep working)."""
    refs = lookups["refs"]
    return {"discipline": {d.code for d in refs.disciplines.all},
            "meldkamer": {m.code for m in refs.meldkamers.all},
            "voorziening": {v.code for v in refs.voorzieningen.all},
            "category": {c.code for c in refs.categories.all},
            "level": {lvl.code for lvl in lookups["levels"]}}


# What the register page calls a URL filter it could not use.
FILTER_NAMES = {
    "discipline": _l("discipline"), "meldkamer": _l("meldkamer"),
    "voorziening": _l("voorziening"), "category": _l("categorie"), "status": _l("status"),
    "level": _l("niveau"), "likelihood": _l("kans"), "impact": _l("impact"),
    "sort": _l("sortering"), "basis": _l("score"), "review": _l("review"),
}


@bp.get("/risks")
def register():
    lookups = _lookups()
    flt = _register_filter().checked(_known_codes(lookups))
    size = request.args.get("size", type=int) or current_app.config["REGISTER_PAGE_SIZE"]
    page = register_page(flt, request.args.get("after"), size=size,
                         disciplines=lookups["refs"].disciplines.all, levels=lookups["levels"])
    owners = db.session.scalars(select(Risk.owner).where(Risk.owner != "",
                                                         Risk.archived_at.is_(None))
                                .distinct().order_by(Risk.owner)).all()
    # Styles and names per level computed once: the table shows up to 6 badges a row.
    badges = {lvl.id: (f"level-{lvl.id}", localized(lvl))
              for lvl in lookups["levels"]}
    problems = [(str(FILTER_NAMES.get(name, name)), request.args.get(name, ""))
                for name in flt.problems]
    return render_template("risks/register.html", flt=flt, page=page, owners=owners,
                           problems=problems,
                           badges=badges, status_names={k: str(v) for k, v in STATUS_LABELS.items()},
                           **lookups)


@bp.get("/heatmap")
def heatmap():
    flt = _register_filter()
    lookups = _lookups()
    heatmap = build_heatmap(flt, disciplines=lookups["refs"].disciplines.all,
                            levels=lookups["levels"])
    return render_template("risks/heatmap.html", heatmap=heatmap, flt=flt, **lookups)


def _get_risk(code: str) -> Risk:
    """The risk with this code; 404 when there is none, or when it is archived and the user may
    not see archived risks (for them it has left the register)."""
    risk = db.session.scalar(
        select(Risk).where(Risk.code == code).options(
            selectinload(Risk.impacts), selectinload(Risk.meldkamers),
            selectinload(Risk.voorzieningen)))
    if risk is None or risk.archived_at is not None and not can_view_archived(current_user):
        abort(404)
    return risk


@bp.get("/risks/<code>")
def detail(code: str):
    return _render_detail(_get_risk(code))


def _render_detail(risk: Risk, status: int = 200, archive_form=None, restore_form=None,
                   delete_form=None):
    lookups = _lookups()
    panels = [(panel, ctx) for panel in registry().risk_panels
              if (ctx := panel.context(risk, current_user)) is not None]
    ranks = {lvl.id: lvl.rank for lvl in lookups["levels"]}
    forms = {"archive_form": archive_form or ArchiveForm(prefix="archive", formdata=None),
             "restore_form": restore_form or RestoreForm(prefix="restore", formdata=None),
             "delete_form": delete_form or DeleteForm(prefix="delete", formdata=None)}
    errors = [(f.reason.id, f.reason.label.text, message) for f in forms.values()
              for message in f.reason.errors]
    return render_template("risks/detail.html", risk=risk, panels=panels,
                           extra_values=extra_values(risk, lookups["refs"]),
                           levels_by_id={lvl.id: lvl for lvl in lookups["levels"]},
                           overdue=is_overdue(risk.status, risk.next_review),
                           above_target=is_above_target(risk.netto_level_id,
                                                        risk.target_level_id, ranks),
                           action_errors=errors, **forms, **lookups), status


def _build_form(lookups, risk=None, **kwargs):
    keep = {}
    if risk is not None:
        keep = {"meldkamers": [m.code for m in risk.meldkamers],
                "voorzieningen": [v.code for v in risk.voorzieningen],
                "category": [risk.category.code] if risk.category else []}
    return make_risk_form(lookups["refs"], lookups["disciplines"], keep=keep, **kwargs)


def _risk_data(form, disciplines):
    """The form as RiskData. Impacts of disciplines the user may not score are taken only when the
    request carries them (the page disables those fields); the service refuses any change there."""
    return risk_data(form, [d for d in disciplines if can_score(current_user, d.id)
                            or f"{d.code}-rationale" in request.form])


def _keep_read_only(form, risk, lookups) -> None:
    """Disabled fields are not submitted: after a refused save, show their saved values again
    rather than blanks (which would look like lost data)."""
    saved = form_values(risk, lookups["refs"]) if risk is not None else {}
    for d in lookups["disciplines"]:
        if can_score(current_user, d.id) or f"{d.code}-rationale" in request.form:
            continue
        for name in ("applies", "bruto_impact", "netto_impact", "rationale"):
            key = f"{d.code}-{name}"
            if key in form:
                form[key].data = saved.get(key, False if name == "applies" else None)


def field_name(key: str) -> str:
    """A field key as people read it: 'AMB.netto_impact' -> 'Netto impact (AMB)'."""
    code, _dot, name = key.replace("-", ".").rpartition(".")
    if code:
        return f"{IMPACT_FIELDS.label(name)} ({code})"
    if name == "reason":
        return _("Reden van wijziging")
    return RISK_FIELDS.label(name)


def _show_errors(form, error: RiskError) -> None:
    log_refusal("save", risk=request.view_args.get("code", "new"), fields=",".join(error.errors))
    show_errors(form, error.errors)


def _error_summary(form) -> list[tuple[str, str, str]]:
    """(field id, field name, message) of every error, for the summary at the top of the form."""
    return [(form[name].id, field_name(name), str(message))
            for name, messages in form.errors.items() if name in form for message in messages]


def _render_form(form, risk, lookups, theirs=None, status=200):
    return render_template("risks/form.html", form=form, risk=risk, theirs=theirs,
                           citable=citable(risk),
                           extra_fields=[n for n in EXTRA_FIELDS if n in form],
                           error_summary=_error_summary(form), **lookups), status


@bp.route("/risks/new", methods=["GET", "POST"])
@require(can_edit_risks)
def new():
    lookups = _lookups()
    form = _build_form(lookups, data=None if request.method == "POST" else {"status": "concept"})
    if form.validate_on_submit():
        try:
            risk = create_risk(_risk_data(form, lookups["disciplines"]), current_user,
                               reason=form.reason.data or "")
        except ScorePermissionError:
            deny()
        except RiskError as error:
            _show_errors(form, error)
        else:
            flash(_("Risico %(code)s is aangemaakt.", code=risk.code), "success")
            return redirect(url_for("risks.detail", code=risk.code))
    if request.method == "POST":
        _keep_read_only(form, None, lookups)
    return _render_form(form, None, lookups, status=422 if form.errors else 200)


SAVE_ATTEMPTS = 5  # a save that loses the race in the database is merged and tried again


@bp.route("/risks/<code>/edit", methods=["GET", "POST"])
@require(can_edit_risks)
def edit(code: str):
    risk = _get_risk(code)
    if risk.archived_at is not None:
        flash(_("Risico %(code)s is gearchiveerd: herstel het eerst om het te bewerken.",
                code=code), "warning")
        return redirect(url_for("risks.detail", code=code))
    lookups = _lookups()
    if request.method == "GET":
        return _render_form(_build_form(lookups, risk, data=form_values(risk, lookups["refs"])),
                            risk, lookups)
    form = _build_form(lookups, risk)
    if form.validate_on_submit():
        try:
            expected = int(form.version.data)
        except (TypeError, ValueError):
            abort(400)
        data = _risk_data(form, lookups["disciplines"])
        try:
            for attempt in range(SAVE_ATTEMPTS):
                try:
                    changes = update_risk(risk, copy.deepcopy(data), current_user,
                                          expected_version=expected,
                                          reason=form.reason.data or "", require_reason=True)
                    break
                except ConcurrentSaveError:
                    # Another save of this risk committed first: start the unit of work again
                    # (nothing else was written), then the service merges or refuses.
                    db.session.rollback()
                    risk = _get_risk(code)
            else:
                raise StaleRiskError(risk, expected)
        except ScorePermissionError:
            deny()
        except StaleRiskError as stale:
            log_refusal("save", risk=code, reason="stale version", fields=",".join(stale.fields))
            db.session.rollback()
            risk = _get_risk(code)
            fresh = _build_form(lookups, risk, formdata=None, data=form_values(risk, lookups["refs"]))
            theirs = _unsaved(form, fresh, stale.fields)
            flash(_("Iemand anders heeft dit risico opgeslagen nadat u het opende. Het formulier "
                    "toont nu de nieuwste waarden; uw niet-opgeslagen invoer staat eronder. "
                    "Neem over wat u wilt bewaren en sla opnieuw op."), "warning")
            return _render_form(fresh, risk, lookups, theirs=theirs, status=409)
        except RiskError as error:
            _show_errors(form, error)
        else:
            if changes:
                flash(_("Risico %(code)s is opgeslagen.", code=risk.code), "success")
            else:
                flash(_("Er was niets gewijzigd."), "info")
            return redirect(url_for("risks.detail", code=risk.code))
    _keep_read_only(form, risk, lookups)
    return _render_form(form, risk, lookups, status=422)


def _unsaved(mine, fresh, keys=()) -> list[tuple[str, object]]:
    """(field name, value) of the refused input that differs from the saved risk: the fields in
    conflict (``keys``), or every differing one. Impact fields name their discipline."""
    names = {k.replace(".", "-") for k in keys}
    skip = {"csrf_token", "version", "submit"}
    out = []
    for f in mine:
        if f.name in skip or f.name not in request.form or f.data == fresh[f.name].data:
            continue
        if names and f.name not in names:
            continue
        value = f.data
        if hasattr(f, "choices") and f.type == "SelectField":
            value = next((label for v, label, *_ in f.iter_choices() if str(v) == str(f.data)
                          and v not in ("", None)), value)
        out.append((field_name(f.name), value))
    return out


def _act(code: str, form, action) -> Risk | None:
    """Run ``action(risk, reason)`` for a valid ``form``, retrying when another save of the risk
    commits first. Returns the risk, or None when the form or the service refused (the form then
    holds the message)."""
    risk = _get_risk(code)
    if not form.validate_on_submit():
        return None
    for _attempt in range(SAVE_ATTEMPTS):
        try:
            action(risk, form.reason.data or "")
            return risk
        except ConcurrentSaveError:
            db.session.rollback()
            risk = _get_risk(code)
        except RiskPermissionError:
            deny()
        except RiskError as error:
            log_refusal("save", risk=code, fields=",".join(error.errors))
            form.reason.errors = list(form.reason.errors) + list(error.errors.values())
            return None
    abort(409)


@bp.post("/risks/<code>/archive")
@require(can_archive_risks)
def archive(code: str):
    form = ArchiveForm(prefix="archive")
    risk = _act(code, form, lambda risk, reason: archive_risk(risk, reason, current_user))
    if risk is None:
        return _render_detail(_get_risk(code), status=422, archive_form=form)
    flash(_("Risico %(code)s is gearchiveerd. Het staat niet meer in het register; herstellen "
            "kan via Status: Gearchiveerd.", code=code), "success")
    return redirect(url_for("risks.register"))


@bp.post("/risks/<code>/restore")
@require(can_restore_risks)
def restore(code: str):
    form = RestoreForm(prefix="restore")
    risk = _act(code, form, lambda risk, reason: restore_risk(risk, current_user, reason))
    if risk is None:
        return _render_detail(_get_risk(code), status=422, restore_form=form)
    flash(_("Risico %(code)s is hersteld en staat weer in het register.", code=code), "success")
    return redirect(url_for("risks.detail", code=code))


@bp.post("/risks/<code>/delete")
@require(can_delete_risks)
def delete(code: str):
    form = DeleteForm(prefix="delete")
    risk = _act(code, form, lambda risk, reason: hard_delete_risk(risk, reason, current_user))
    if risk is None:
        return _render_detail(_get_risk(code), status=422, delete_form=form)
    flash(_("Risico %(code)s is definitief verwijderd.", code=code), "success")
    return redirect(url_for("risks.register"))

"""Administration: the risk matrix, reference data and the list of users. Admins only."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth.forms import EmptyForm
from ..auth.models import User
from ..auth.permissions import can_administer, require
from ..extensions import db
from ..matrix.models import ImpactClass, ImpactDescription, LikelihoodClass, MatrixCell, RiskLevel
from ..matrix.services import set_impact_description, update_grid, update_level, update_scale
from ..reference.models import REFERENCE_KINDS, Discipline
from ..reference.services import ReferenceError_, save_item

bp = Blueprint("admin", __name__, url_prefix="/admin")

KIND_TITLES = {
    "disciplines": _l("Disciplines"),
    "meldkamers": _l("Meldkamers"),
    "voorzieningen": _l("Voorzieningen"),
    "categorieen": _l("Categorieën"),
}
REFERENCE_ERRORS = {
    "invalid": _l("Gebruik 1 tot 20 hoofdletters, cijfers of _."),
    "missing": _l("Vul dit veld in."),
    "duplicate": _l("Deze code bestaat al."),
}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@bp.before_request
@require(can_administer)
def guard():
    """Every route of this blueprint is for admins only."""


@bp.get("/")
def index():
    return render_template("admin/index.html", kinds=KIND_TITLES)


def _matrix_context():
    return {
        "likelihoods": list(db.session.scalars(select(LikelihoodClass).order_by(LikelihoodClass.value.desc()))),
        "impacts": list(db.session.scalars(select(ImpactClass).order_by(ImpactClass.value))),
        "levels": list(db.session.scalars(select(RiskLevel).order_by(RiskLevel.rank))),
        "cells": {(c.likelihood_value, c.impact_value): c for c in db.session.scalars(select(MatrixCell))},
        "disciplines": list(db.session.scalars(select(Discipline).order_by(Discipline.sort_order))),
        "form": EmptyForm(),
    }


@bp.get("/matrix")
def matrix():
    return render_template("admin/matrix.html", **_matrix_context())


@bp.post("/matrix/grid")
def matrix_grid():
    if not EmptyForm().validate_on_submit():
        abort(400)
    cells = {}
    for key, value in request.form.items():
        if m := re.fullmatch(r"cell-(\d+)-(\d+)", key):
            if not value.isdigit():
                abort(400)
            cells[(int(m[1]), int(m[2]))] = int(value)
    try:
        changed = update_grid(cells, current_user)
    except ValueError:
        abort(400)
    db.session.commit()
    if changed:
        flash(_("De matrix is gewijzigd (%(n)s cellen); alle risico's zijn opnieuw ingedeeld.", n=changed),
              "success")
    else:
        flash(_("Er was niets gewijzigd."), "info")
    return redirect(url_for("admin.matrix"))


@bp.post("/matrix/levels")
def matrix_levels():
    if not EmptyForm().validate_on_submit():
        abort(400)
    levels = list(db.session.scalars(select(RiskLevel)))
    for level in levels:
        name_nl = request.form.get(f"level-{level.id}-name_nl", "").strip()
        colour = request.form.get(f"level-{level.id}-colour", "")
        if not name_nl or not COLOUR.match(colour):
            flash(_("Niveau %(code)s: geef een naam en een kleur als #RRGGBB.", code=level.code), "danger")
            return render_template("admin/matrix.html", **_matrix_context()), 422
        update_level(level, {"name_nl": name_nl, "colour": colour.lower(),
                             "name_en": request.form.get(f"level-{level.id}-name_en", "").strip()},
                     current_user)
    db.session.commit()
    flash(_("De niveaus zijn opgeslagen."), "success")
    return redirect(url_for("admin.matrix"))


@bp.post("/matrix/scale/<kind>")
def matrix_scale(kind: str):
    if kind not in ("likelihood", "impact") or not EmptyForm().validate_on_submit():
        abort(400)
    model = LikelihoodClass if kind == "likelihood" else ImpactClass
    for item in db.session.scalars(select(model)):
        data = {name: request.form.get(f"{kind}-{item.value}-{name}", "").strip()
                for name in ("label_nl", "label_en", "description_nl", "description_en")}
        if not data["label_nl"]:
            flash(_("Klasse %(value)s: vul een Nederlandse naam in.", value=item.value), "danger")
            return render_template("admin/matrix.html", **_matrix_context()), 422
        update_scale(kind, item.value, data, current_user)
    db.session.commit()
    flash(_("De schaal is opgeslagen."), "success")
    return redirect(url_for("admin.matrix"))


@bp.route("/matrix/impact/<code>", methods=["GET", "POST"])
def impact_descriptions(code: str):
    discipline = db.session.scalar(select(Discipline).filter_by(code=code)) or abort(404)
    impacts = list(db.session.scalars(select(ImpactClass).order_by(ImpactClass.value)))
    form = EmptyForm()
    if form.validate_on_submit():
        for item in impacts:
            set_impact_description(item.value, discipline.id,
                                   request.form.get(f"impact-{item.value}-nl", "").strip(),
                                   request.form.get(f"impact-{item.value}-en", "").strip(), current_user)
        db.session.commit()
        flash(_("De impactomschrijvingen voor %(name)s zijn opgeslagen.", name=discipline.name_nl), "success")
        return redirect(url_for("admin.matrix"))
    own = {d.impact_value: d for d in db.session.scalars(
        select(ImpactDescription).filter_by(discipline_id=discipline.id))}
    return render_template("admin/impact_descriptions.html", discipline=discipline, impacts=impacts,
                           own=own, form=form)


@bp.route("/reference/<kind>", methods=["GET", "POST"])
@bp.route("/reference/<kind>/<int:item_id>", methods=["GET", "POST"])
def reference(kind: str, item_id: int | None = None):
    model = REFERENCE_KINDS.get(kind) or abort(404)
    item = db.session.get(model, item_id) if item_id else None
    if item_id and item is None:
        abort(404)
    form = EmptyForm()
    errors = {}
    values = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = {
            "code": request.form.get("code", ""),
            "name_nl": request.form.get("name_nl", ""),
            "name_en": request.form.get("name_en", ""),
            "sort_order": request.form.get("sort_order", type=int) or 0,
            "active": request.form.get("active") == "y",
        }
        if kind == "meldkamers":
            values["location"] = request.form.get("location", "").strip()
        try:
            saved = save_item(model, item, values, current_user)
        except ReferenceError_ as error:
            errors[error.field] = REFERENCE_ERRORS[error.code]
        else:
            db.session.commit()
            flash(_("%(code)s is opgeslagen.", code=saved.code), "success")
            return redirect(url_for("admin.reference", kind=kind))
    items = list(db.session.scalars(select(model).order_by(model.sort_order, model.code)))
    return render_template("admin/reference.html", kind=kind, title=KIND_TITLES[kind], items=items,
                           item=item, values=values, errors=errors, form=form,
                           has_location=kind == "meldkamers"), 422 if errors else 200


@bp.get("/users")
def users():
    rows = list(db.session.scalars(select(User).order_by(User.email)))
    return render_template("admin/users.html", users=rows)

"""Administration of the risk matrix: scales, levels, the grid and per-discipline impact texts."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import is_admin
from ..core.access import require
from ..core.forms import EmptyForm
from ..extensions import db
from ..reference.models import Discipline
from .models import ImpactClass, ImpactDescription, LikelihoodClass, MatrixCell, RiskLevel
from .services import MatrixError, set_impact_description, update_grid, update_level, update_scale

bp = Blueprint("matrix", __name__, url_prefix="/admin/matrix")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@bp.before_request
@require(is_admin)
def guard():
    """Every route of this blueprint is for admins only."""


def _context():
    return {
        "likelihoods": list(db.session.scalars(select(LikelihoodClass).order_by(LikelihoodClass.value.desc()))),
        "impacts": list(db.session.scalars(select(ImpactClass).order_by(ImpactClass.value))),
        "levels": list(db.session.scalars(select(RiskLevel).order_by(RiskLevel.rank))),
        "cells": {(c.likelihood_value, c.impact_value): c for c in db.session.scalars(select(MatrixCell))},
        "disciplines": list(db.session.scalars(select(Discipline).order_by(Discipline.sort_order))),
        "form": EmptyForm(),
    }


@bp.get("")
def edit():
    return render_template("matrix/admin.html", **_context())


@bp.post("/grid")
def grid():
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
    except MatrixError:
        abort(400)
    if changed:
        flash(_("De matrix is gewijzigd (%(n)s cellen); alle risico's zijn opnieuw ingedeeld.", n=changed),
              "success")
    else:
        flash(_("Er was niets gewijzigd."), "info")
    return redirect(url_for("matrix.edit"))


@bp.post("/levels")
def levels():
    if not EmptyForm().validate_on_submit():
        abort(400)
    for level in db.session.scalars(select(RiskLevel)):
        name_nl = request.form.get(f"level-{level.id}-name_nl", "").strip()
        colour = request.form.get(f"level-{level.id}-colour", "")
        if not name_nl or not COLOUR.match(colour):
            flash(_("Niveau %(code)s: geef een naam en een kleur als #RRGGBB.", code=level.code), "danger")
            return render_template("matrix/admin.html", **_context()), 422
        update_level(level, {"name_nl": name_nl, "colour": colour.lower(),
                             "name_en": request.form.get(f"level-{level.id}-name_en", "").strip()},
                     current_user)
    flash(_("De niveaus zijn opgeslagen."), "success")
    return redirect(url_for("matrix.edit"))


@bp.post("/scale/<kind>")
def scale(kind: str):
    if kind not in ("likelihood", "impact") or not EmptyForm().validate_on_submit():
        abort(400)
    model = LikelihoodClass if kind == "likelihood" else ImpactClass
    for item in db.session.scalars(select(model)):
        data = {name: request.form.get(f"{kind}-{item.value}-{name}", "").strip()
                for name in ("label_nl", "label_en", "description_nl", "description_en")}
        if not data["label_nl"]:
            flash(_("Klasse %(value)s: vul een Nederlandse naam in.", value=item.value), "danger")
            return render_template("matrix/admin.html", **_context()), 422
        update_scale(kind, item.value, data, current_user)
    flash(_("De schaal is opgeslagen."), "success")
    return redirect(url_for("matrix.edit"))


@bp.route("/impact/<code>", methods=["GET", "POST"])
def impact_descriptions(code: str):
    discipline = db.session.scalar(select(Discipline).filter_by(code=code)) or abort(404)
    impacts = list(db.session.scalars(select(ImpactClass).order_by(ImpactClass.value)))
    form = EmptyForm()
    if form.validate_on_submit():
        for item in impacts:
            set_impact_description(item.value, discipline.id,
                                   request.form.get(f"impact-{item.value}-nl", "").strip(),
                                   request.form.get(f"impact-{item.value}-en", "").strip(), current_user)
        flash(_("De impactomschrijvingen voor %(name)s zijn opgeslagen.", name=discipline.name_nl), "success")
        return redirect(url_for("matrix.edit"))
    own = {d.impact_value: d for d in db.session.scalars(
        select(ImpactDescription).filter_by(discipline_id=discipline.id))}
    return render_template("matrix/impact_descriptions.html", discipline=discipline, impacts=impacts,
                           own=own, form=form)

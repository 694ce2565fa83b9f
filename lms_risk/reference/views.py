"""Administration of reference data: disciplines, meldkamers, voorzieningen, categories."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import is_admin
from ..core.access import require
from ..core.forms import EmptyForm
from ..extensions import db
from .models import REFERENCE_KINDS
from .services import ReferenceError_, save_item

bp = Blueprint("reference", __name__, url_prefix="/admin/reference")

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


@bp.before_request
@require(is_admin)
def guard():
    """Every route of this blueprint is for admins only."""


@bp.route("/<kind>", methods=["GET", "POST"])
@bp.route("/<kind>/<int:item_id>", methods=["GET", "POST"])
def edit(kind: str, item_id: int | None = None):
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
            flash(_("%(code)s is opgeslagen.", code=saved.code), "success")
            return redirect(url_for("reference.edit", kind=kind))
    items = list(db.session.scalars(select(model).order_by(model.sort_order, model.code)))
    return render_template("reference/admin.html", kind=kind, title=KIND_TITLES[kind], items=items,
                           item=item, values=values, errors=errors, form=form,
                           has_location=kind == "meldkamers"), 422 if errors else 200

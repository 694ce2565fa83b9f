"""Web pages for the Excel round trip: download the register, upload a workbook, preview, confirm.

An upload is checked completely and shown as a preview; nothing is written until the user
confirms. The file waits in the instance folder under a random token bound to its uploader, and is
checked again at confirmation (the register may have changed in between).
"""

import re
from datetime import date
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField

from ..audit.services import record
from ..audit.summaries import coded
from ..core.access import require
from ..core.logs import log_refusal
from ..core.uow import ConcurrentChangeError
from ..excel.pending import TOKEN, PendingUploads
from ..extensions import db
from ..risks.permissions import can_edit_risks
from .permissions import can_import, importable_sheets
from ..risks.register import RegisterFilter
from .workbook import apply_import, export_register, export_template, plan_file

bp = Blueprint("exchange", __name__)
PENDING_HOURS = 24
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(FlaskForm):
    file = FileField(_l("Excel-werkmap (.xlsx)"), validators=[
        FileRequired(_l("Kies een bestand.")),
        FileAllowed(["xlsx"], _l("Alleen Excel-werkmappen (.xlsx)."))])


class ConfirmForm(FlaskForm):
    token = HiddenField()


@bp.get("/risks/export.xlsx")
def export():
    """The register as a workbook, with the filters of the register page it was asked from."""
    default = getattr(current_user.primary_discipline, "code", None)
    flt = RegisterFilter.from_args(request.args, default_discipline=default)
    out = BytesIO()
    result = export_register(out, flt, current_user)
    record("export", "register", "xlsx", current_user, summary=coded(
        "export", risks=result.risks,
        filters="; ".join(f"{k}={v}" for k, v in flt.to_args().items())))
    out.seek(0)
    return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=export_filename(flt))


def export_filename(flt: RegisterFilter, day: date | None = None) -> str:
    """'risicoregister-POL-2026-11-23.xlsx': the filter's discipline (or 'alle') and any other
    filter's value, so that two downloads of one day keep apart."""
    parts = [flt.discipline or "alle"]
    for value in (flt.meldkamer, flt.voorziening, flt.category, flt.status, flt.level,
                  flt.review and "review-verlopen", flt.owner and "eigenaar",
                  flt.q and "zoekopdracht",
                  (flt.likelihood or flt.impact) and f"cel-{flt.likelihood or 0}x{flt.impact or 0}",
                  flt.basis if flt.basis != "netto" else None):
        if value:
            parts.append(re.sub(r"[^A-Za-z0-9_]+", "-", str(value)).strip("-") or "x")
    return f"risicoregister-{'-'.join(parts)}-{day or date.today():%Y-%m-%d}.xlsx"


@bp.get("/risks/import/template.xlsx")
@require(can_edit_risks)
def template():
    """The blank import template, as ``lms-risk export-template`` makes it."""
    out = BytesIO()
    export_template(out)
    out.seek(0)
    return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name="risicoregister-template.xlsx")


@bp.route("/risks/import", methods=["GET", "POST"])
@require(can_import)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        sheets = [spec.names[0] for spec in importable_sheets(current_user)]
        return (render_template("exchange/upload.html", form=form, sheets=sheets),
                422 if form.errors else 200)
    upload = form.file.data
    data = upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    filename = Path(upload.filename or "import.xlsx").name
    plan = plan_file(data, filename, current_user, current_app.config)
    token = None
    if not plan.refused:
        token = _pending().keep(current_user.id, data, filename)
    else:
        log_refusal("import", file=filename, summary=plan.summary())
    return render_template("exchange/preview.html", plan=plan,
                           confirm=ConfirmForm(token=token) if token else None)


@bp.post("/risks/import/confirm")
@require(can_import)
def confirm():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not TOKEN.match(form.token.data or ""):
        abort(400)
    pending = _pending().get(current_user.id, form.token.data)
    if pending is None:
        flash(_("Deze voorvertoning is verlopen of al ingelezen. Upload het bestand opnieuw."),
              "warning")
        return redirect(url_for("exchange.upload"))
    data, filename = pending
    plan = plan_file(data, filename, current_user, current_app.config)
    changed = plan.refused
    if not changed:
        try:
            apply_import(plan, current_user)
        except ConcurrentChangeError:
            # A save committed between this plan and its writing; the whole import rolled back.
            db.session.rollback()
            log_refusal("import", file=filename, reason="changed meanwhile")
            plan, changed = plan_file(data, filename, current_user, current_app.config), True
    if changed:
        # The register changed since the preview: show what would happen now.
        flash(_("Het register is gewijzigd sinds de voorvertoning; er is niets ingelezen. "
                "Bekijk de nieuwe voorvertoning."), "warning")
        return render_template("exchange/preview.html", plan=plan, confirm=None), 409
    _pending().discard(current_user.id, form.token.data)
    flash(_("Ingelezen uit %(file)s: %(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd.",
            file=filename, new=len(plan.new), changed=len(plan.changed), same=plan.unchanged),
          "success")
    return redirect(url_for("risks.register", discipline="all", sort="updated"))


def _pending() -> PendingUploads:
    return PendingUploads(Path(current_app.instance_path) / "imports", PENDING_HOURS)

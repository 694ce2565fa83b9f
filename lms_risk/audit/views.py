from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..auth.permissions import can_view_audit, require
from ..extensions import db
from .models import AuditEvent

bp = Blueprint("audit", __name__)
PAGE = 100


@bp.get("/audit")
@require(can_view_audit)
def events():
    before = request.args.get("before", type=int)
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE + 1)
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    rows = list(db.session.scalars(stmt))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render_template("audit/events.html", events=rows,
                           next_before=rows[-1].id if more and rows else None)

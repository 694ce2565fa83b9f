"""The audit trail page: newest first, filtered by object and action (filters live in the URL)."""

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..core.access import require
from ..core.features import registry
from ..extensions import db
from .models import AuditEvent
from .permissions import can_view_audit

bp = Blueprint("audit", __name__)
PAGE = 100


@bp.get("/audit")
@require(can_view_audit)
def events():
    filters = {name: (request.args.get(name) or "").strip()
               for name in ("entity_type", "entity_id", "action")}
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE + 1)
    for name, value in filters.items():
        if value:
            stmt = stmt.where(getattr(AuditEvent, name) == value)
    before = request.args.get("before", type=int)
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    rows = list(db.session.scalars(stmt))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    features = registry()
    return render_template("audit/events.html", events=rows, filters=filters,
                           entity_types={k: e.label for k, e in features.entities.items()},
                           actions=features.actions,
                           next_before=rows[-1].id if more and rows else None)

"""Writing the audit trail. Every service that changes data calls :func:`record`."""

from ..extensions import db
from .models import AuditEvent


def record(action: str, entity_type: str, entity_id, user, summary: str = "",
           changes: dict | None = None, version: int | None = None) -> AuditEvent:
    event = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        user_id=getattr(user, "id", None),
        summary=summary,
        changes=changes or None,
        entity_version=version,
    )
    db.session.add(event)
    return event


"""The audit trail: every change recorded, readable by admins, auditors and the chair."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.features import Feature, MenuEntry, registry
from .permissions import can_view_audit
from .summaries import show_summary
from .views import bp

# Actions that every feature records; a feature with actions of its own declares them itself.
ACTIONS = {
    "create": _l("aangemaakt"),
    "update": _l("gewijzigd"),
    "delete": _l("verwijderd"),
    "import": _l("geïmporteerd"),
    "export": _l("geëxporteerd"),
}


def action_label(code: str) -> str:
    return str(registry().actions.get(code, code))


def entity_label(key: str) -> str:
    entity = registry().entity(key)
    return str(entity.label) if entity else key


def audit_url(event) -> str | None:
    entity = registry().entity(event.entity_type)
    return entity.url(event.entity_id) if entity and entity.url else None


def audit_field(event, key: str) -> str:
    entity = registry().entity(event.entity_type)
    return entity.field_label(key) if entity and entity.field_label else key


def audit_value(event, key: str, value):
    entity = registry().entity(event.entity_type)
    return entity.show(key, value) if entity and entity.show else value


def _unset(value) -> bool:
    return value is None or value == "" or value == []


def audit_changes(event) -> list[tuple[str, list]]:
    """The event's (field, [old, new]) pairs by field name, leaving out every pair where neither
    side was set (events from before the services left those out held dozens of "– → –")."""
    return [(key, pair) for key, pair in sorted((event.changes or {}).items())
            if isinstance(pair, (list, tuple)) and len(pair) == 2
            and not (_unset(pair[0]) and _unset(pair[1]))]


def trail_url(entity_type: str, entity_id: str) -> str:
    return url_for("audit.events", entity_type=entity_type, entity_id=entity_id)


FEATURE = Feature(
    name="audit",
    blueprint=bp,
    menu=[MenuEntry("audit.events", _l("Audittrail"), visible=can_view_audit, order=80)],
    actions=ACTIONS,
    permissions={"can_view_audit": can_view_audit},
    template_globals={"action_label": action_label, "entity_label": entity_label,
                      "audit_url": audit_url, "audit_field": audit_field,
                      "audit_value": audit_value, "audit_trail_url": trail_url,
                      "audit_changes": audit_changes, "audit_summary": show_summary},
    order=80,
)

"""Who may read the audit trail."""

from ..auth.permissions import has_role


def can_view_audit(user) -> bool:
    return has_role(user, "admin", "auditor")

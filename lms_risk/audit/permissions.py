"""Who may read the audit trail."""

from ..auth.permissions import has_role


def can_view_audit(user) -> bool:
    # The chair answers for the board's decisions, so reads the trail too.
    return has_role(user, "admin", "auditor", "chair")

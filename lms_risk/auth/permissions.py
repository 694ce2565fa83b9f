"""Roles as the other features ask about them. A feature keeps its own permission functions in its
own package (``risks/permissions.py``, ``audit/permissions.py``, …) and builds them from these.

A role held for the whole register covers every discipline and meldkamer; one held for a
discipline or a meldkamer covers only that one. Anyone not signed in holds no role.
"""


def has_role(user, *roles: str) -> bool:
    """``user`` holds one of ``roles``, in any scope."""
    return bool(user.is_authenticated and user.has_role(*roles))


def is_admin(user) -> bool:
    return has_role(user, "admin")


def has_role_for_discipline(user, role: str, discipline_id: int | None) -> bool:
    """``user`` holds ``role`` for the whole register or for this discipline."""
    return bool(user.is_authenticated and user.has_role_for_discipline(role, discipline_id))


def has_role_for_meldkamer(user, role: str, meldkamer_id: int | None) -> bool:
    """``user`` holds ``role`` for the whole register or for this meldkamer."""
    return bool(user.is_authenticated and user.has_role_for_meldkamer(role, meldkamer_id))


def can_view_users(user) -> bool:
    """Admins manage accounts; auditors see them and their roles, read-only."""
    return has_role(user, "admin", "auditor")

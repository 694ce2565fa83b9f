"""Who may do what with risks. Every risk view and the risk services ask here."""

from ..auth.permissions import has_role, has_role_for_discipline


def can_edit_risks(user) -> bool:
    return has_role(user, "admin", "chair", "member")


def can_archive_risks(user) -> bool:
    """Archive a risk (out of the register, history kept): who could delete one before."""
    return has_role(user, "admin", "chair")


def can_restore_risks(user) -> bool:
    """Bring an archived risk back into the register."""
    return has_role(user, "admin", "chair")


def can_delete_risks(user) -> bool:
    """Delete a risk for good, with its score history: an administrator only."""
    return has_role(user, "admin")


def can_view_archived(user) -> bool:
    """See archived risks (the register's filter, their page): auditors, and who may restore."""
    return has_role(user, "admin", "chair", "auditor")


def can_score(user, discipline_id: int) -> bool:
    """Impact for a discipline: admin and chair for all, a member only for the discipline(s) of
    their member assignment(s)."""
    if has_role(user, "admin", "chair"):
        return True
    return has_role_for_discipline(user, "member", discipline_id)


def can_view_history(user) -> bool:
    return has_role(user, "admin", "chair", "member", "auditor")

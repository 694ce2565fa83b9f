"""Who may do what. Every view asks here; nothing else decides."""

from functools import wraps

from flask import abort
from flask_login import current_user

EDIT_ROLES = {"admin", "chair", "member"}
HISTORY_ROLES = {"admin", "chair", "member", "auditor"}


def can_edit_risks(user) -> bool:
    return user.is_authenticated and user.role in EDIT_ROLES


def can_delete_risks(user) -> bool:
    return user.is_authenticated and user.role in {"admin", "chair"}


def can_score(user, discipline_id: int) -> bool:
    """Impact for a discipline: admin and chair for all, a member for their own discipline only."""
    if not user.is_authenticated:
        return False
    if user.role in {"admin", "chair"}:
        return True
    return user.role == "member" and user.discipline_id == discipline_id


def can_view_history(user) -> bool:
    return user.is_authenticated and user.role in HISTORY_ROLES


def can_view_audit(user) -> bool:
    return user.is_authenticated and user.role in {"admin", "auditor"}


def can_administer(user) -> bool:
    return user.is_authenticated and user.role == "admin"


def require(check):
    """View decorator: 403 unless ``check(current_user)`` holds (login is checked before it)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator

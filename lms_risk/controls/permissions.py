"""Who may do what with controls. Every controls view asks here.

Everyone signed in reads. Admins load catalogues. Admin and chair edit every implementation, BBN
level and risk link; a continuity coordinator (``continuity``) edits the implementations of the
meldkamer(s) of their assignment(s); members link risks to controls."""

from ..auth.permissions import has_role, has_role_for_meldkamer


def can_read_controls(user) -> bool:
    return bool(user.is_authenticated)


def can_load_catalogues(user) -> bool:
    return has_role(user, "admin")


def can_edit_all_scopes(user) -> bool:
    return has_role(user, "admin", "chair")


def can_edit_some_scope(user) -> bool:
    return has_role(user, "admin", "chair", "continuity")


def can_edit_scope(user, scope) -> bool:
    if scope is None:
        return False
    if can_edit_all_scopes(user):
        return True
    return scope.kind == "meldkamer" and has_role_for_meldkamer(user, "continuity", scope.id)


def can_set_levels(user) -> bool:
    return has_role(user, "admin", "chair")


def can_link_risks(user) -> bool:
    return has_role(user, "admin", "chair", "member")

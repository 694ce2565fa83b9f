"""Who may do what with continuity plans and exercises. Every continuity view asks here.

Everyone signed in reads. Admin and chair edit every plan; a continuity coordinator
(``continuity``) edits the plans of the meldkamer(s) of their assignment(s), their exercises and
findings, and may create plans for them. Turning a finding into a new risk also needs the right
to create risks."""

from ..auth.permissions import has_role, has_role_for_meldkamer
from ..risks.permissions import can_edit_risks


def can_read_continuity(user) -> bool:
    return bool(user.is_authenticated)


def can_create_plan(user) -> bool:
    return has_role(user, "admin", "chair", "continuity")


def can_edit_all_plans(user) -> bool:
    return has_role(user, "admin", "chair")


def covers_meldkamer(user, meldkamer_id) -> bool:
    return meldkamer_id is not None and has_role_for_meldkamer(user, "continuity", meldkamer_id)


def can_edit_plan(user, plan) -> bool:
    if can_edit_all_plans(user):
        return True
    return covers_meldkamer(user, plan.meldkamer_id)


def can_make_risk(user, plan) -> bool:
    return can_edit_plan(user, plan) and can_edit_risks(user)

"""Who may do what with BIAs. Every BIA view asks here.

Everyone signed in reads. Admin and chair edit every BIA; a continuity coordinator
(``continuity``) edits the BIAs of the meldkamer(s) of their assignment(s), and may create BIAs
for them."""

from ..auth.permissions import has_role, has_role_for_meldkamer


def can_read_bia(user) -> bool:
    return bool(user.is_authenticated)


def can_create_bia(user) -> bool:
    return has_role(user, "admin", "chair", "continuity")


def can_edit_all_bias(user) -> bool:
    return has_role(user, "admin", "chair")


def covers_meldkamers(user, meldkamer_ids) -> bool:
    """A continuity coordinator covers a BIA when it names one of their meldkamers."""
    return any(has_role_for_meldkamer(user, "continuity", mid) for mid in meldkamer_ids)


def can_edit_bia(user, bia) -> bool:
    if can_edit_all_bias(user):
        return True
    return covers_meldkamers(user, [m.id for m in bia.meldkamers])

"""Who may do what with BIAs. Every BIA view asks here.

Everyone signed in reads. Admin and chair edit every BIA; a continuity coordinator
(``continuity``) edits the BIAs of the meldkamer(s) of their assignment(s), and may create BIAs
for them. A BIA and a risk may be linked by who may edit the BIA and by who may edit risks.

``admin_bia`` (windows, categories, BBN rule, MTPD threshold) is for admins only."""

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


def can_edit_risks(user) -> bool:
    """Whether the risks feature lets ``user`` edit risks (asked through the permission
    registry, so the BIA does not depend on the risks' code)."""
    from ..core.features import registry
    check = getattr(registry().permissions, "can_edit_risks", None)
    return bool(check is not None and check(user))


def can_link_risk(user, bia) -> bool:
    """A BIA and a risk may be linked (or unlinked) by who may edit the BIA, and by who may edit
    risks."""
    return can_edit_bia(user, bia) or can_edit_risks(user)


def can_link_any(user) -> bool:
    return has_role(user, "admin", "chair", "continuity") or can_edit_risks(user)


def can_admin_bia(user) -> bool:
    return has_role(user, "admin")

"""Who may do what with BIAs. Every BIA view asks here.

Everyone signed in reads. Admin and chair edit every BIA; a continuity coordinator
(``continuity``) edits (and approves) a BIA only when their assignment(s) cover every meldkamer it
names, and may create BIAs for those meldkamers; a BIA that names none is national, for a
register-wide coordinator only. A BIA and a risk may be linked by who may edit the BIA and by who
may edit risks.

``admin_bia`` (windows, categories, BBN rule, MTPD threshold) is for admins only."""

from ..auth.permissions import has_role, has_role_for_meldkamer


def can_read_bia(user) -> bool:
    return bool(user.is_authenticated)


def can_create_bia(user) -> bool:
    return has_role(user, "admin", "chair", "continuity")


def can_edit_all_bias(user) -> bool:
    return has_role(user, "admin", "chair")


def covers_meldkamers(user, meldkamer_ids) -> bool:
    """A continuity coordinator covers a BIA when their scope covers every meldkamer it names
    (one of ten is not enough: the BIA speaks for all of them). None named: national, covered
    only by a register-wide assignment."""
    meldkamer_ids = list(meldkamer_ids)
    if not meldkamer_ids:
        return has_role_for_meldkamer(user, "continuity", None)
    return all(has_role_for_meldkamer(user, "continuity", mid) for mid in meldkamer_ids)


def meldkamers_outside_scope(user, meldkamer_ids) -> list:
    """The ids of ``meldkamer_ids`` the user's continuity scope does not cover."""
    return [mid for mid in meldkamer_ids if not has_role_for_meldkamer(user, "continuity", mid)]


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
    """A BIA and a risk may be linked (or unlinked) by who may edit the BIA (a coordinator: one
    whose scope covers all its meldkamers, as for any other change to the BIA), and by who may
    edit risks."""
    return can_edit_bia(user, bia) or can_edit_risks(user)


def can_link_any(user) -> bool:
    return has_role(user, "admin", "chair", "continuity") or can_edit_risks(user)


def can_admin_bia(user) -> bool:
    return has_role(user, "admin")

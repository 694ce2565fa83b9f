"""Roles as the other features ask about them."""


def has_role(user, *roles: str) -> bool:
    return bool(user.is_authenticated and user.role in roles)


def is_admin(user) -> bool:
    return has_role(user, "admin")

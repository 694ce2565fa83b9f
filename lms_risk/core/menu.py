"""The main menu, gathered from the features' declarations, and the page a user starts on."""

from flask import request, url_for
from flask_login import current_user

from .features import registry


def menu_entries():
    """The main menu for the signed-in user, with the current page marked."""
    return [(entry, entry.is_active(request.endpoint, request.blueprint))
            for entry in registry().menu if entry.visible(current_user)]


def home_url() -> str:
    """The first menu entry the user may see; the sign-in page for anyone else."""
    for entry, _active in menu_entries():
        return url_for(entry.endpoint, **entry.args)
    return url_for("auth.login")

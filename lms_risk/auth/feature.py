"""Accounts: signing in and out, passwords, the login guard and ``lms-risk user``."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.features import EntityType, Feature, MenuEntry, registry
from ..extensions import login_manager
from .cli import user
from .models import role_label
from .permissions import is_admin
from .services import load_user
from .views import bp

# Reachable while a user must still choose their own password.
PASSWORD_ENDPOINTS = {"auth.password", "auth.logout", "set_language"}


def setup(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def user_loader(user_id: str):
        return load_user(int(user_id))

    @app.before_request
    def require_login():
        if request.endpoint is None or request.endpoint in registry().public_endpoints:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in PASSWORD_ENDPOINTS:
            flash(_("Kies eerst een eigen wachtwoord."), "warning")
            return redirect(url_for("auth.password"))
        return None


USER_FIELDS = {"role": _l("rol"), "discipline": _l("discipline"), "meldkamer": _l("meldkamer")}

FEATURE = Feature(
    name="auth",
    blueprint=bp,
    commands=[user],
    admin_links=[MenuEntry("auth.users", _l("Gebruikers"), visible=is_admin, order=80)],
    actions={"assign": _l("rol toegekend"), "unassign": _l("rol ingetrokken")},
    entities=[EntityType("user", _l("gebruiker"),
                         field_label=lambda key: str(USER_FIELDS.get(key, key)),
                         show=lambda key, value: role_label(value) if key == "role" else value)],
    public_endpoints=["auth.login"],
    template_globals={"role_label": role_label},
    setup=setup,
    order=0,
)

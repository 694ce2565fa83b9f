"""Accounts: signing in and out, server-side sessions, throttling, passwords, the login guard,
security events and ``lms-risk user``."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login.utils import login_url
from flask_wtf.csrf import CSRFError

from ..core.features import EntityType, Feature, MenuEntry, registry
from ..extensions import login_manager
from . import admin as _admin  # noqa: F401 (its routes join the blueprint)
from . import events, second_factor
from .cli import user
from .models import role_label
from .permissions import can_view_users, is_admin
from .sessions import load_session_user
from .throttle import client_address
from .views import bp

# Reachable while a user must still choose their own password, or set up a second factor.
PASSWORD_ENDPOINTS = {"auth.password", "auth.logout", "set_language"}
ENROL_ENDPOINTS = {"auth.enrol", "auth.logout", "set_language"}


def setup(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)

    @login_manager.unauthorized_handler
    def unauthorized():
        # A session that just ended has said why already (sessions.py); one message is enough.
        if not g.get("signed_out_reason"):
            flash(str(login_manager.login_message), login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, request.url))

    @app.before_request
    def require_login():
        if request.endpoint is None or request.endpoint in registry().public_endpoints:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password:  # first their own password, then the factor
            if request.endpoint not in PASSWORD_ENDPOINTS:
                flash(_("Kies eerst een eigen wachtwoord."), "warning")
                return redirect(url_for("auth.password"))
        elif (request.endpoint not in ENROL_ENDPOINTS and not second_factor.enrolled(current_user)
                and second_factor.required_for(current_user)):
            flash(_("Stel eerst een tweede factor in: voor uw rol is die verplicht."), "warning")
            return redirect(url_for("auth.enrol"))
        return None

    @app.after_request
    def record_refusal(response):
        if response.status_code == 403 and current_user.is_authenticated:
            events.security_event("access_refused", current_user.email, current_user,
                                  method=request.method, path=request.path[:500],
                                  address=client_address())
        return response

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        user = current_user if current_user.is_authenticated else None
        events.security_event("csrf_refused", getattr(user, "email", None), user,
                              method=request.method, path=request.path[:500],
                              address=client_address(), reason=error.description)
        return render_template("error.html", code=400, title=_("Ongeldig verzoek")), 400


USER_FIELDS = {"role": _l("rol"), "discipline": _l("discipline"), "meldkamer": _l("meldkamer"),
               **events.FIELDS}


def _show(key, value):
    return role_label(value) if key == "role" else events.show(key, value)


FEATURE = Feature(
    name="auth",
    blueprint=bp,
    commands=[user],
    admin_links=[MenuEntry("auth.users", _l("Gebruikers"), visible=is_admin, order=80)],
    # Auditors have no administration page: they find the (read-only) user list in the menu.
    menu=[MenuEntry("auth.users", _l("Gebruikers"), order=85,
                    visible=lambda u: can_view_users(u) and not is_admin(u))],
    permissions={"can_view_users": can_view_users},
    actions=events.ACTIONS,
    entities=[EntityType("user", _l("gebruiker"),
                         field_label=lambda key: str(USER_FIELDS.get(key, key)),
                         show=_show)],
    public_endpoints=["auth.login", "auth.second_factor_check"],
    template_globals={"role_label": role_label},
    setup=setup,
    order=0,
)

"""Wires the blueprints, the login guard, error pages and template helpers into the app."""

from flask import Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import __version__
from .auth import permissions
from .auth.forms import EmptyForm
from .extensions import db, login_manager
from .i18n import current_language, localized
from .labels import ACTION_LABELS, BASIS_LABELS, ENTITY_LABELS, ROLE_LABELS, field_label, label

PUBLIC_ENDPOINTS = {"auth.login", "healthz", "static", "bootstrap.static", "set_language"}
PASSWORD_ENDPOINTS = {"auth.password", "auth.logout", "set_language"}


def register_web(app: Flask) -> None:
    from .admin.views import bp as admin_bp
    from .audit.views import bp as audit_bp
    from .auth.models import User
    from .auth.views import bp as auth_bp
    from .exchange.views import bp as exchange_bp
    from .risks.views import bp as risks_bp

    for bp in (auth_bp, risks_bp, exchange_bp, admin_bp, audit_bp):
        app.register_blueprint(bp)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in PASSWORD_ENDPOINTS:
            flash(_("Kies eerst een eigen wachtwoord."), "warning")
            return redirect(url_for("auth.password"))
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return response

    @app.teardown_request
    def rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "version": __version__}

    @app.get("/")
    def index():
        return redirect(url_for("risks.register"))

    @app.post("/language")
    def set_language():
        form = EmptyForm()
        lang = request.form.get("lang")
        if form.validate_on_submit() and lang in app.config["LANGUAGES"]:
            session["lang"] = lang
        from .auth.views import safe_next
        return redirect(safe_next(request.form.get("next")) or url_for("risks.register"))

    for code, title in ((403, _l("Geen toegang")), (404, _l("Niet gevonden")),
                        (413, _l("Bestand te groot")), (400, _l("Ongeldig verzoek"))):
        app.register_error_handler(code, _error_page(code, title))

    app.jinja_env.globals.update(
        localized=localized,
        current_language=current_language,
        perm=permissions,
        app_version=__version__,
        role_label=lambda code: label(ROLE_LABELS, code),
        action_label=lambda code: label(ACTION_LABELS, code),
        basis_label=lambda code: label(BASIS_LABELS, code),
        field_label=field_label,
        entity_label=lambda code: label(ENTITY_LABELS, code),
    )
    app.jinja_env.filters["attr_pair"] = lambda obj: (obj.code, localized(obj))
    app.jinja_env.filters["pair"] = lambda value: (value, value)
    # dd-mm-jjjj reads the same in Dutch and English; strftime is ten times cheaper than Babel.
    app.jinja_env.filters["date"] = lambda d: d.strftime("%d-%m-%Y") if d else ""
    app.jinja_env.filters["datetime"] = lambda d: format_datetime(d, "dd-MM-yyyy HH:mm") if d else ""


def _error_page(code: int, title):
    def handler(error):
        return render_template("error.html", code=code, title=title,
                               description=getattr(error, "description", "")), code
    return handler

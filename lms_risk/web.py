"""What every page shares: security headers, error pages, the language switch, the menu from the
features' declarations, and template filters. Names no feature."""

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from . import __version__
from .core.features import Feature
from .core.forms import EmptyForm
from .core.logs import log_refusal
from .core.menu import home_url, menu_entries
from .core.urls import safe_next
from .core.uow import ConcurrentChangeError
from .extensions import db
from .i18n import current_language, install_translations, localized

ERROR_TITLES = {403: _l("Geen toegang"), 404: _l("Niet gevonden"), 413: _l("Bestand te groot"),
                400: _l("Ongeldig verzoek")}


STATIC_ENDPOINTS = {"static", "bootstrap.static"}


def setup(app: Flask) -> None:
    if proxies := app.config.get("TRUSTED_PROXIES"):
        # The client address, scheme and host come from that many proxies' X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        )
        if max_age := app.config.get("HSTS_MAX_AGE"):
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={max_age}; includeSubDomains")
        # Pages and downloads hold the register: no copy in the browser's or a proxy's cache.
        if request.endpoint not in STATIC_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "version": __version__}

    @app.get("/favicon.ico")
    def favicon():
        # Browsers ask for it on every site; the SVG in static/ is the app's icon.
        icon = Path(app.static_folder, "favicon.svg").read_bytes()
        return icon, 200, {"Content-Type": "image/svg+xml",
                           "Cache-Control": "public, max-age=86400"}

    @app.get("/")
    def index():
        return redirect(home_url())

    @app.post("/language")
    def set_language():
        form = EmptyForm()
        lang = request.form.get("lang")
        if form.validate_on_submit() and lang in app.config["LANGUAGES"]:
            session["lang"] = lang
        return redirect(safe_next(request.form.get("next")) or url_for("index"))

    for code, title in ERROR_TITLES.items():
        app.register_error_handler(code, _error_page(code, title))

    @app.errorhandler(ConcurrentChangeError)
    def changed_meanwhile(error):
        # The unit of work has rolled back already (a raised error never commits).
        db.session.rollback()
        log_refusal("save", reason="changed meanwhile")
        came_from = urlsplit(request.referrer or "")  # the page the change was made on
        back = came_from.path + (f"?{came_from.query}" if came_from.query else "") \
            if came_from.netloc == request.host else None
        return render_template("error.html", code=409, title=_("Intussen gewijzigd"),
                               description=getattr(error, "message", None),
                               back=safe_next(back)), 409

    install_translations(app)
    app.jinja_env.globals.update(
        localized=localized,
        current_language=current_language,
        app_version=__version__,
        menu_entries=menu_entries,
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


# The pages every app has, declared like a feature so that the login guard lets them through.
CORE = Feature(name="core", setup=setup,
               public_endpoints=["healthz", "static", "bootstrap.static", "set_language", "index",
                                 "favicon"],
               order=-1)

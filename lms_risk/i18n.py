"""Language selection and helpers for bilingual (Dutch first, English second) data."""

from flask import current_app, has_request_context, session
from flask.globals import _cv_app  # the app context itself (Flask-SQLAlchemy reads it too)
from flask_babel import Domain, get_locale, get_translations


def select_locale() -> str:
    """Dutch unless the user chose English: the browser's language does not decide, since the
    people of the meldkamers work in Dutch whatever their browser was installed with."""
    chosen = session.get("lang") if has_request_context() else None  # the CLI speaks Dutch
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


DOMAIN = "messages"  # Flask-Babel's default message domain, the only one this app has


def _kept(domain: str, load):
    """The request's translations of ``domain``: ``load()`` once per request and locale, then
    kept on the request's ``g`` for as long as its locale stays the same object (``force_locale``
    sets a new one). Flask-Babel looks them up again for every string: three context look-ups
    through proxies and the locale's name each time, for hundreds of strings on some pages."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return load()
    store = app_ctx.g.__dict__  # read once, not through the ``g`` proxy
    locale = getattr(store.get("_flask_babel"), "babel_locale", None)
    kept = store.get("_lms_translations")
    if kept is None:
        kept = store["_lms_translations"] = {}
    hit = kept.get(domain)
    if hit is not None and locale is not None and hit[0] is locale:
        return hit[1]
    found = load()
    kept[domain] = (get_locale(), found)
    return found


class RequestDomain(Domain):
    """Flask-Babel's message domain with its translations kept per request (:func:`_kept`): every
    ``gettext`` in Python, eager or lazy (``lazy_gettext`` labels), goes through it."""

    def get_translations(self):
        return _kept(self.domain[0], super().get_translations)


def translations():
    """This request's translations (the default domain's), for the templates."""
    return _kept(DOMAIN, get_translations)


def install_translations(app) -> None:
    """Flask-Babel's domain made a :class:`RequestDomain`, and the templates'
    ``_``/``gettext``/``ngettext`` through :func:`translations` (as Flask-Babel's own, which
    ``babel.init_app`` installed, with the same new-style formatting and escaping)."""
    babel = app.extensions["babel"].instance
    if not isinstance(babel.__dict__.get("domain_instance"), RequestDomain):
        babel.domain_instance = RequestDomain(domain=DOMAIN)  # its cached property, set once
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)


def current_language() -> str:
    app_ctx = _cv_app.get(None)  # the locale Flask-Babel keeps for the request, once it chose
    locale = getattr(app_ctx and app_ctx.g.__dict__.get("_flask_babel"), "babel_locale", None)
    locale = locale or get_locale()
    return locale.language if locale else "nl"


def localized(obj, attr: str = "name") -> str:
    """``obj.<attr>_en`` when English is chosen and filled in, otherwise ``obj.<attr>_nl``."""
    if obj is None:
        return ""
    if current_language() == "en":
        value = getattr(obj, f"{attr}_en", None)
        if value:
            return value
    return getattr(obj, f"{attr}_nl") or ""

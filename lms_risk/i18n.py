"""Language selection and helpers for bilingual (Dutch first, English second) data."""

from flask import current_app, has_request_context, session
from flask.globals import _cv_app  # the app context itself (Flask-SQLAlchemy reads it too)
from flask_babel import get_locale, get_translations


def select_locale() -> str:
    """Dutch unless the user chose English: the browser's language does not decide, since the
    people of the meldkamers work in Dutch whatever their browser was installed with."""
    chosen = session.get("lang") if has_request_context() else None  # the CLI speaks Dutch
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translations():
    """This request's translations. Flask-Babel looks them up again for every string (three
    context look-ups through proxies and the locale's name each time, some ninety times a page);
    this keeps them on the request's ``g`` for as long as its locale stays the same object
    (``force_locale`` sets a new one), reading ``g`` once, not through its proxy."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return get_translations()
    store = app_ctx.g.__dict__
    babel_ctx = store.get("_flask_babel")
    locale = getattr(babel_ctx, "babel_locale", None)
    cached = store.get("_lms_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    locale, found = get_locale(), get_translations()
    store["_lms_translations"] = (locale, found)
    return found


def install_template_gettext(app) -> None:
    """The templates' ``_``/``gettext``/``ngettext`` through ``translations()`` (Flask-Babel's
    own, installed by ``babel.init_app``, with the same new-style formatting and escaping)."""
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

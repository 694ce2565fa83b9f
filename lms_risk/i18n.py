"""Language selection and helpers for bilingual (Dutch first, English second) data."""

from flask import current_app, has_request_context, session
from flask_babel import get_locale


def select_locale() -> str:
    """Dutch unless the user chose English: the browser's language does not decide, since the
    people of the meldkamers work in Dutch whatever their browser was installed with."""
    chosen = session.get("lang") if has_request_context() else None  # the CLI speaks Dutch
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
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

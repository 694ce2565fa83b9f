"""Translated labels for codes that the database stores (roles, actions, score fields)."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("beheerder"),
    "chair": _l("voorzitter risk board"),
    "member": _l("lid risk board"),
    "viewer": _l("meelezer"),
    "auditor": _l("auditor"),
}
ACTION_LABELS = {
    "create": _l("aangemaakt"),
    "update": _l("gewijzigd"),
    "delete": _l("verwijderd"),
    "import": _l("geïmporteerd"),
    "export": _l("geëxporteerd"),
}
SCORE_FIELD_LABELS = {
    "bruto_likelihood": _l("bruto kans"),
    "netto_likelihood": _l("netto kans"),
    "bruto_impact": _l("bruto impact"),
    "netto_impact": _l("netto impact"),
    "applies": _l("van toepassing"),
}


def label(mapping: dict, code: str) -> str:
    return str(mapping.get(code, code))

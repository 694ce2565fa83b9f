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
# What audit events are about (AuditEvent.entity_type, as the services record them).
ENTITY_LABELS = {
    "risk": _l("risico"),
    "register": _l("register"),
    "user": _l("gebruiker"),
    "matrix": _l("risicomatrix"),
    "likelihood_class": _l("kansklasse"),
    "impact_class": _l("impactklasse"),
    "risk_level": _l("niveau"),
    "impact_description": _l("impactomschrijving"),
    "discipline": _l("discipline"),
    "meldkamer": _l("meldkamer"),
    "voorziening": _l("voorziening"),
    "category": _l("categorie"),
}
BASIS_LABELS = {
    "netto": _l("netto"),
    "bruto": _l("bruto"),
}
SCORE_FIELD_LABELS = {
    "bruto_likelihood": _l("bruto kans"),
    "netto_likelihood": _l("netto kans"),
    "bruto_impact": _l("bruto impact"),
    "netto_impact": _l("netto impact"),
    "applies": _l("van toepassing"),
}

# Names of the fields that audit events record (risks.services._snapshot and friends).
FIELD_LABELS = {
    **SCORE_FIELD_LABELS,
    "title": _l("titel"),
    "description": _l("beschrijving"),
    "cause": _l("oorzaak"),
    "consequence": _l("gevolg"),
    "owner": _l("eigenaar"),
    "status": _l("status"),
    "next_review": _l("volgende review"),
    "target_level_id": _l("streefniveau"),
    "category_id": _l("categorie"),
    "meldkamers": _l("meldkamers"),
    "voorzieningen": _l("voorzieningen"),
    "rationale": _l("toelichting"),
}


def field_label(key: str) -> str:
    """'AMB.netto_impact' -> 'AMB · netto impact'; 'title' -> 'titel'; unknown keys as they are."""
    prefix, _, name = key.rpartition(".")
    text = label(FIELD_LABELS, name)
    return f"{prefix} · {text}" if prefix else text


def label(mapping: dict, code: str) -> str:
    return str(mapping.get(code, code))

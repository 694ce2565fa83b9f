"""What the risk's stored codes are called on screen and in the audit trail (Dutch, translated)."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Status(StrEnum):
    CONCEPT = "concept"
    OPEN = "open"
    IN_BEHANDELING = "in_behandeling"
    GEACCEPTEERD = "geaccepteerd"
    GESLOTEN = "gesloten"


STATUSES = tuple(s.value for s in Status)
STATUS_LABELS = {
    Status.CONCEPT: _l("Concept"),
    Status.OPEN: _l("Open"),
    Status.IN_BEHANDELING: _l("In behandeling"),
    Status.GEACCEPTEERD: _l("Geaccepteerd"),
    Status.GESLOTEN: _l("Gesloten"),
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


def basis_label(code: str) -> str:
    return str(BASIS_LABELS.get(code, code))


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


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
    text = str(FIELD_LABELS.get(name, name))
    return f"{prefix} · {text}" if prefix else text

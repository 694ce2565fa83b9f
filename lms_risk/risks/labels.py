"""What the risk's stored codes are called on screen (Dutch, translated), and its rules' messages."""

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
    Status.CONCEPT.value: _l("Concept"),
    Status.OPEN.value: _l("Open"),
    Status.IN_BEHANDELING.value: _l("In behandeling"),
    Status.GEACCEPTEERD.value: _l("Geaccepteerd"),
    Status.GESLOTEN.value: _l("Gesloten"),
}
ARCHIVED_LABEL = _l("Gearchiveerd")  # the register's status filter "gearchiveerd"
BASIS_LABELS = {
    "netto": _l("netto"),
    "bruto": _l("bruto"),
}

# Messages of the risk's own rules (risks.services.validate).
ERROR_MESSAGES = {
    "unknown": _l("Onbekende waarde."),
    "out_of_range": _l("Kies een score uit de matrix."),
    "netto_above_bruto": _l("De netto score mag niet hoger zijn dan de bruto score."),
    "unknown_discipline": _l("Onbekende discipline."),
    "scores_not_applicable": _l("Vink ‘Van toepassing’ aan om deze scores te bewaren, of maak de "
                                "scores leeg."),
    "reason_required": _l("Geef een reden: er wijzigt een score."),
    "archive_reason_required": _l("Geef een reden."),
    "reason_too_long": _l("Gebruik hoogstens 500 tekens."),
    "archived": _l("Dit risico is gearchiveerd; herstel het eerst."),
    "not_archived": _l("Dit risico is niet gearchiveerd."),
}


def basis_label(code: str) -> str:
    return str(BASIS_LABELS.get(code, code))


def status_label(code: str) -> str:
    if code == "gearchiveerd":
        return str(ARCHIVED_LABEL)
    return str(STATUS_LABELS.get(code, code))

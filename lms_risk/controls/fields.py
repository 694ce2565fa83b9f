"""Labels of the controls' fields and values, in one place: forms, pages, the audit trail and
the workbook take them from here."""

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {"niet": _l("niet geïmplementeerd"), "deels": _l("deels geïmplementeerd"),
                 "volledig": _l("volledig geïmplementeerd"), "nvt": _l("niet van toepassing")}
STATUS_SHORT = {"niet": _l("niet"), "deels": _l("deels"), "volledig": _l("volledig"),
                "nvt": _l("n.v.t.")}
RELATION_LABELS = {"equal": _l("gelijk"), "subset": _l("deelverzameling"),
                   "superset": _l("omvat"), "intersect": _l("overlapt")}
LINK_LABELS = {"existing": _l("bestaand"), "planned": _l("gepland")}
FIELD_LABELS = {
    "applicable": _l("Van toepassing"), "reason": _l("Reden (niet van toepassing)"),
    "status": _l("Status"), "owner": _l("Eigenaar"),
    "discipline_id": _l("Verantwoordelijke organisatie"), "evidence": _l("Bewijs"),
    "evidence_link": _l("Link naar bewijs"), "last_checked": _l("Laatst gecontroleerd"),
    "next_check": _l("Volgende controle"), "scope": _l("Scope"), "risk": _l("Risico"),
    "kind": _l("Soort"), "bbn_level": _l("BBN-niveau"), "version": _l("Versie"),
    "added": _l("nieuw"), "changed": _l("gewijzigd"), "retired": _l("ingetrokken"),
    "unchanged": _l("ongewijzigd"), "removed": _l("verwijderd"), "control": _l("Maatregel"),
}


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def status_label(status: str | None, applicable: bool = True) -> str:
    if not applicable:
        return str(STATUS_LABELS["nvt"])
    return str(STATUS_LABELS.get(status or "niet", status))


DATE_FIELDS = ("last_checked", "next_check")  # recorded as ISO text (2027-05-10)


def show_value(key: str, value, refs):
    if key in DATE_FIELDS and isinstance(value, str) and value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return current_app.jinja_env.filters["date"](day)  # the app's dd-mm-jjjj, as the tables
    if key == "status":
        return status_label(value)
    if key == "discipline_id" and value:
        item = refs.disciplines.by_id.get(value)
        return item.code if item else value
    if key == "scope" and value:
        from .scopes import scope_by_key
        scope = scope_by_key(refs, value)
        return scope.code if scope else value
    if key == "kind" and value:
        return str(LINK_LABELS.get(value, value))
    if isinstance(value, bool):
        return str(_l("ja") if value else _l("nee"))
    return value

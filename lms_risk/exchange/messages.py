"""Dutch (translatable) messages for the problems that lms_risk.excel reports by code."""

from flask_babel import gettext as _


def reader_message(problem, limits=None) -> str:
    p = getattr(problem, "params", {}) or {}
    code = getattr(problem, "code", "")
    kind = p.get("kind")
    messages = {
        "not_xlsx": (_("dit is een oud Excel-bestand (.xls); sla het op als .xlsx") if kind == "xls"
                     else _("dit is tekst of CSV, geen Excel-werkmap (.xlsx)") if kind == "csv_or_text"
                     else _("dit is geen Excel-werkmap (.xlsx)")),
        "encrypted": _("de werkmap is met een wachtwoord versleuteld; sla hem zonder wachtwoord op"),
        "too_large": _("het bestand is te groot"),
        "zip_bomb": _("de werkmap pakt uit tot een onredelijke omvang en is geweigerd"),
        "too_many_entries": _("de werkmap bevat te veel onderdelen"),
        "xml_entities": _("de werkmap bevat XML-entiteiten (DTD) en is geweigerd"),
        "missing_sheet": _("het blad Register ontbreekt"),
        "dimension_too_large": (
            _("het blad reikt tot rij %(rows)s en kolom %(columns)s; toegestaan zijn %(max_rows)s "
              "rijen met gegevens en %(max_columns)s kolommen", rows=p.get("rows", "?"),
              columns=p.get("columns", "?"), max_rows=limits.max_rows,
              max_columns=limits.max_columns)
            if limits else _("het blad is groter dan toegestaan")),
        "too_many_rows": _("te veel rijen (maximaal %(max)s)", max=p.get("max", "?")),
        "too_many_columns": _("te veel kolommen (maximaal %(max)s)", max=p.get("max", "?")),
        "formula": _("deze cel bevat een formule; vul een waarde in"),
        "cell_too_long": _("de tekst in deze cel is te lang (maximaal %(max)s tekens)",
                           max=p.get("max", "?")),
        "control_characters": _("de cel bevat onzichtbare stuurtekens"),
    }
    return messages.get(code, str(problem))

"""The Flask side of the workbook framework (``lms_risk/excel``): messages in the reader's
language for what the reader reports by code, and the limits from the app's configuration."""

from flask_babel import gettext as _

from ..excel.reader import Limits
from ..excel.workbook import Message


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
        "missing_sheet": _("het blad %(names)s ontbreekt", names=" / ".join(
            p.get("names") or (p.get("wanted") or ["Register"])[:1])),
        "dimension_too_large": (
            _("het blad reikt tot rij %(rows)s en kolom %(columns)s; toegestaan zijn %(max_rows)s "
              "rijen met gegevens en %(max_columns)s kolommen", rows=p.get("rows", "?"),
              columns=p.get("columns", "?"), max_rows=limits.max_rows,
              max_columns=limits.max_columns)
            if limits else _("het blad is groter dan toegestaan")),
        "too_many_rows": _("te veel rijen (maximaal %(max)s)", max=p.get("max", "?")),
        "too_many_columns": _("te veel kolommen (maximaal %(max)s)", max=p.get("max", "?")),
        "formula": _("deze cel bevat een formule; vul een waarde in"),
        "date_out_of_range": _("geen geldige datum: het getal valt buiten de datums van Excel"),
        "cell_too_long": _("de tekst in deze cel is te lang (maximaal %(max)s tekens)",
                           max=p.get("max", "?")),
        "control_characters": _("de cel bevat onzichtbare stuurtekens"),
    }
    return messages.get(code, str(problem))


def where(message) -> str:
    """Where a workbook message points, in the reader's language."""
    parts = [_("blad %(sheet)s", sheet=message.sheet)]
    if message.row:
        parts.append(_("rij %(row)s", row=message.row))
    if message.column:
        parts.append(_("kolom %(col)s", col=message.column)
                     + (f" ({message.header})" if message.header else ""))
    elif message.header:  # a field whose column is not in the sheet
        parts.append(_("veld %(field)s", field=message.header))
    return ", ".join(parts)


def message(text: str, sheet: str, row=None, column=None, header=None, value=None) -> Message:
    return Message(str(text), sheet=sheet, row=row, column=column, header=header, value=value,
                   where_words=where)


def describe(problem, limits=None, default_sheet: str = "") -> Message:
    """A reader problem as a message with its place."""
    return message(reader_message(problem, limits), sheet=problem.sheet or default_sheet,
                   row=problem.row, column=problem.column, header=problem.field)


def limits_from_config(config) -> Limits:
    return Limits(max_bytes=config["MAX_CONTENT_LENGTH"], max_rows=config["IMPORT_MAX_ROWS"],
                  max_columns=config["IMPORT_MAX_COLUMNS"],
                  max_cell_chars=config["IMPORT_MAX_CELL_CHARS"])


class SheetRefs:
    """The request's reference data as the sheets use it (Dutch names, level styles)."""

    def __init__(self, refs):
        self.data = refs
        self.disciplines = refs.disciplines.active
        self.all_disciplines = refs.disciplines.all
        self.levels = {lvl.id: lvl for lvl in refs.levels}
        self.categories = refs.categories.by_id
        self.meldkamers = refs.meldkamers.by_id
        self.voorzieningen = refs.voorzieningen.by_id
        self.likelihoods = refs.likelihoods
        self.impacts = refs.impacts
        self.cells = refs.grid
        self.level_styles = {
            lvl.id: {"bg_color": lvl.colour, "font_color": lvl.text_colour, "bold": True,
                     "align": "center"} for lvl in refs.levels}

    def level_name(self, level_id) -> str:
        level = self.levels.get(level_id)
        return level.name_nl if level else ""

"""The workbook's sheet BIA: one row per BIA version with its impact grid, exported and imported.

Columns: Code and Versie name the row (both required on import); Onderwerp, Voorziening,
Vastgesteld, MTPD (min), MTPD volgt uit, B, I, V and BBN are shown and ignored on import; the
version's fields (Datum analyse, RTO, RPO, MBCO, Minimale dienstverlening, MTPD handmatig and its
reason) and one column per impact category × time window ("Juridisch · 4 uur", English names
accepted) are read back. An import checks every row with the rules of the app (scores never
decrease over time, RTO ≤ MTPD, a reason for a handmatige MTPD), refuses changes to an approved
(frozen) version and to BIAs the importer may not edit, and names sheet, row and column. New BIAs
and versions are made in the app, not by import. Unchanged rows are counted, not written.
"""

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.fields import Field
from ..core.workbook import message
from ..excel.workbook import Change, SheetColumn, SheetPlan, SheetSpec, column_letters, \
    match_columns
from ..extensions import db
from .config import bia_config
from .fields import VERSION_FIELDS, VersionData
from .models import Bia, BiaVersion
from .permissions import can_create_bia, can_edit_bia
from .services import version_errors, mtpd, update_version

SHEET = "BIA"
NAMES = ("BIA", "BIAs", "BIA's")


@dataclass(frozen=True)
class Layout:
    columns: list  # SheetColumn, in order
    grid: dict  # column key -> (category, window)


def _columns(config) -> Layout:
    def info(key, header, alias, width=12, wrap=False):
        return SheetColumn(key, header, alias, width=width, wrap=wrap)

    columns = [info("code", "Code", "Code", 10), info("subject", "Onderwerp", "Subject", 30, True),
               info("voorziening", "Voorziening", "Service", 20),
               info("version", "Versie", "Version", 8),
               info("approved", "Vastgesteld", "Approved", 12),
               SheetColumn("assessment_date", VERSION_FIELDS["assessment_date"].header,
                           VERSION_FIELDS["assessment_date"].header_en, width=13, editable=True)]
    grid = {}
    for category in config.categories:
        for window in config.windows:
            key = f"grid.{category.code}.{window.code}"
            columns.append(SheetColumn(key, f"{category.name_nl} · {window.name_nl}",
                                       f"{category.name_en} · {window.name_en}", width=11,
                                       editable=True))
            grid[key] = (category, window)
    columns += [info("mtpd", "MTPD (min)", "MTPD (min)", 10),
                info("mtpd_source", "MTPD volgt uit", "MTPD from", 12)]
    for name in ("mtpd_override_minutes", "mtpd_override_reason", "rto_minutes", "rpo_minutes",
                 "mbco_minutes", "mbco"):
        spec = VERSION_FIELDS[name]
        columns.append(SheetColumn(name, spec.header, spec.header_en,
                                   width=spec.width if spec.kind == "longtext" else 11,
                                   wrap=spec.wrap, editable=True))
    columns += [info("biv_b", "B", "A", 5), info("biv_i", "I", "I", 5), info("biv_v", "V", "C", 5),
                info("bbn", "BBN", "BBN", 6)]
    return Layout(columns, grid)


def _load(config):
    """Every BIA with its versions and their scores: three queries."""
    return db.session.scalars(select(Bia).order_by(Bia.code).options(
        selectinload(Bia.versions).selectinload(BiaVersion.scores))).all()


def _values(bia, version, layout, config, refs) -> dict:
    grid = version.grid()
    result = mtpd(version, config)
    voorziening = refs.voorzieningen.by_id.get(bia.voorziening_id)
    values = {"code": bia.code, "subject": bia.subject,
              "voorziening": voorziening.name_nl if voorziening else None,
              "version": version.number,
              "approved": version.approved_at.date() if version.approved_at else None,
              "mtpd": result.minutes,
              "mtpd_source": ("handmatig" if result.overridden else "raster")
              if result.minutes is not None else None,
              "biv_b": bia.biv_b, "biv_i": bia.biv_i, "biv_v": bia.biv_v, "bbn": bia.bbn}
    for name in ("assessment_date", "mtpd_override_minutes", "mtpd_override_reason",
                 "rto_minutes", "rpo_minutes", "mbco_minutes", "mbco"):
        values[name] = getattr(version, name)
    for key, (category, window) in layout.grid.items():
        values[key] = grid.get((category.id, window.id))
    return values


class BiaSheet(SheetSpec):
    key = "bia"
    names = NAMES
    order = 35
    label = _l("BIA-versies")

    def may_import(self, user) -> bool:
        return can_create_bia(user)  # and each row: may this user edit that BIA

    def row_url(self, item):
        code, number = item.ident
        return url_for("bia.detail", code=code, version=number)

    def open(self, book, context):
        config = bia_config()
        layout = _columns(config)
        # The BIA sheet's headers name categories and windows (no codes to fill in): listed
        # without a code, so they cannot be mistaken for the register's codes.
        context.setdefault("code_lists", []).extend(
            [("BIA-impactcategorie", c.name_nl, None, c.name_en) for c in config.categories]
            + [("BIA-periode", w.name_nl, None, f"{w.minutes} min") for w in config.windows])
        return book.sheet(SHEET, [c.column() for c in layout.columns]), layout, config

    def fill(self, handle, context):
        sheet, layout, config = handle
        refs = context["refs"]
        impacts = [c.value for c in refs.impacts]
        styles_of = context["sheet_refs"].level_styles
        impact_style = {}
        for value in impacts:  # the matrix level where likelihood equals impact
            level = refs.grid.get((value, value))
            if level in styles_of:
                impact_style[value] = styles_of[level]
        index = {c.key: i for i, c in enumerate(layout.columns)}
        written = 0
        for bia in _load(config):
            for version in bia.versions:
                values = _values(bia, version, layout, config, refs)
                row = [values.get(c.key) for c in layout.columns]
                styles = {index[k]: impact_style[values[k]] for k in layout.grid
                          if values[k] in impact_style}
                sheet.write(row, styles)
                written += 1
        sheet.finish()
        if impacts:
            for key in layout.grid:
                sheet.validate_whole(index[key], min(impacts), max(impacts), title="Impact",
                                     message=f"Een impact van {min(impacts)} tot en met "
                                             f"{max(impacts)}; leeg als onbekend.")
        for key in ("mtpd_override_minutes", "rto_minutes", "rpo_minutes", "mbco_minutes"):
            sheet.validate_whole(index[key], 0, 10_000_000, title="Minuten",
                                 message="Een aantal minuten (geheel getal).")
        context["about"].append(("BIA-versies in BIA", written))

    def plan(self, sheet, context):
        return plan_bia(sheet, context)


SHEETS = [BiaSheet()]


# --- import -------------------------------------------------------------------------------------

EDITABLE = ("assessment_date", "mtpd_override_minutes", "mtpd_override_reason", "rto_minutes",
            "rpo_minutes", "mbco_minutes", "mbco")


def plan_bia(sheet, context) -> SheetPlan:
    """Check every row of the BIA sheet against the database. Writes nothing."""
    user, refs = context["user"], context["refs"]
    config = bia_config()
    name = sheet.name or SHEET
    plan = SheetPlan(sheet=name)
    layout = _columns(config)

    def msg(text, **where):
        return message(text, sheet=name, **where)

    found, unknown, repeated = match_columns(sheet.header, layout.columns)
    for index in unknown:
        plan.warnings.append(msg(_("onbekende kolom, genegeerd"), row=1,
                                 column=column_letters(index), header=str(sheet.header[index])))
    for index in repeated:
        plan.errors.append(msg(_("kolom komt twee keer voor"), row=1,
                               column=column_letters(index), header=str(sheet.header[index])))
    at = {column.key: index for index, column in found.items()}
    for key in ("code", "version"):
        if key not in at:
            header = next(c.header for c in layout.columns if c.key == key)
            plan.errors.append(msg(_("de kolom %(name)s ontbreekt", name=header), row=1))
    if plan.errors:
        return plan
    headers = {c.key: c.header for c in layout.columns}

    def where(key):
        return {"column": column_letters(at[key]) if key in at else None, "header": headers[key]}

    code_parser = Field("code", "", "Code", "Code", max_length=20).parser(refs)
    number_parser = Field("version", "", "Versie", "Version", kind="int").parser(refs)
    grid_parser = Field("grid", "", "", "", kind="int", scale="impacts").parser(refs)
    parsers = {key: VERSION_FIELDS[key].parser(refs) for key in EDITABLE}
    parsers.update({key: grid_parser for key in layout.grid})

    bias = {b.code: b for b in _load(config)}
    seen: dict = {}
    pending = []
    for row_number, cells in sheet.rows:
        def cell(key):
            index = at.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        try:
            code = code_parser(cell("code"))
            number = number_parser(cell("version"))
        except ValueError as error:
            plan.errors.append(msg(str(error), row=row_number, **where("code")))
            continue
        if not code:
            plan.errors.append(msg(_("vul dit veld in"), row=row_number, **where("code")))
            continue
        bia = bias.get(code)
        if bia is None:
            plan.errors.append(msg(_("onbekende BIA %(code)s; een nieuwe BIA maakt u in de app",
                                     code=code), row=row_number, **where("code")))
            continue
        version = next((v for v in bia.versions if v.number == number), None)
        if version is None:
            plan.errors.append(msg(_("%(code)s heeft geen versie %(n)s; een nieuwe versie maakt u "
                                     "in de app", code=code, n=number if number is not None
                                     else "–"), row=row_number, **where("version")))
            continue
        if (code, number) in seen:
            plan.errors.append(msg(_("%(code)s versie %(n)s staat ook op rij %(row)s",
                                     code=code, n=number, row=seen[(code, number)]),
                                   row=row_number, **where("version")))
            continue
        seen[(code, number)] = row_number
        current = _values(bia, version, layout, config, refs)
        merged = dict(current)
        bad = False
        for key, parse in parsers.items():
            if key not in at:
                continue
            try:
                merged[key] = parse(cell(key))
            except ValueError as error:
                plan.errors.append(msg(str(error), row=row_number, value=cell(key), **where(key)))
                bad = True
        if bad:
            continue
        changed = [key for key in parsers if key in at and _norm(merged[key])
                   != _norm(current[key])]
        if not changed:
            plan.unchanged += 1
            continue
        first = where(changed[0])
        if version.frozen:
            plan.errors.append(msg(_("%(code)s versie %(n)s is vastgesteld en kan niet meer worden "
                                     "gewijzigd; maak in de app een nieuwe versie",
                                     code=code, n=number), row=row_number, **first))
            continue
        if not can_edit_bia(user, bia):
            plan.errors.append(msg(_("u mag %(code)s niet bewerken", code=code),
                                   row=row_number, **first))
            continue
        data = VersionData(**{key: merged[key] for key in EDITABLE})
        grid = {(c.id, w.id): merged[key] for key, (c, w) in layout.grid.items()}
        errors = version_errors(version, data, grid, config)
        if errors:
            for key, text in errors.items():
                plan.errors.append(msg(text, row=row_number, **where(_error_key(key, layout))))
            continue
        plan.changed.append(Change(row=row_number, code=f"{code} v{number}", title=bia.subject,
                                   fields=[(headers[k], current[k], merged[k]) for k in changed],
                                   ident=(bia.code, number)))
        pending.append((version, data, grid))

    def apply():
        for version, data, grid in pending:
            update_version(version, data, grid, {}, user, refs=refs, config=config)

    plan.apply = apply
    return plan


def _norm(value):
    return "" if value is None else value


def _error_key(key: str, layout) -> str:
    """A service's error key as the sheet's column key."""
    if key in layout.grid or key in EDITABLE:
        return key
    return "code"


__all__ = ["SHEETS", "plan_bia"]

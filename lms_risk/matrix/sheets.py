"""The Matrix sheet: the legend of the workbook (levels and colours, the scales with their
descriptions, per discipline too, and the grid). In exports and in the blank template."""

from sqlalchemy import select

from ..excel.workbook import SheetSpec
from ..extensions import db
from .models import ImpactDescription


class MatrixSheet(SheetSpec):
    key = "matrix"
    order = 40

    def open(self, book, context):
        return book.sheet("Matrix", freeze=False, autofilter=False)

    def fill(self, handle, context):
        _write_matrix(handle, context["sheet_refs"])

    def template(self, book, context):
        _write_matrix(self.open(book, context), context["sheet_refs"])
        return True


def _write_matrix(sheet, ref) -> None:
    ws = sheet.ws
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2 + len(ref.disciplines), 45)
    head = {"bold": True, "bg_color": "#DCE6F1", "text_wrap": True}
    sheet.write(["Risicomatrix: de legenda van deze export"], {0: {"bold": True, "font_size": 12}})
    sheet.skip()
    sheet.write(["Niveaus", "Naam", "Kleur"], {0: head, 1: head, 2: head})
    for level in ref.levels.values():
        sheet.write([level.code, level.name_nl, level.colour], {2: ref.level_styles[level.id]})
    sheet.skip()
    sheet.write(["Kans", "Naam", "Omschrijving"], {0: head, 1: head, 2: head})
    for c in ref.likelihoods:
        sheet.write([c.value, c.label_nl, c.description_nl])
    sheet.skip()
    special = {(d.impact_value, d.discipline_id): d.description_nl
               for d in db.session.scalars(select(ImpactDescription))}
    headers = ["Impact", "Naam", "Omschrijving (algemeen)"] + [
        f"Omschrijving voor {d.code}" for d in ref.disciplines]
    sheet.write(headers, {i: head for i in range(len(headers))})
    for c in ref.impacts:
        sheet.write([c.value, c.label_nl, c.description_nl]
                    + [special.get((c.value, d.id), "") for d in ref.disciplines],
                    {i: {"text_wrap": True} for i in range(2, len(headers))})
    sheet.skip()
    sheet.write(["Raster", "kans ↓ / impact →"] + [f"{i.value} {i.label_nl}" for i in ref.impacts],
                {i: head for i in range(len(ref.impacts) + 2)})
    for c in reversed(ref.likelihoods):
        styles = {n: ref.level_styles[ref.cells[(c.value, i.value)]]
                  for n, i in enumerate(ref.impacts, 2) if (c.value, i.value) in ref.cells}
        sheet.write(["", f"{c.value} {c.label_nl}"]
                    + [ref.level_name(ref.cells.get((c.value, i.value))) for i in ref.impacts],
                    styles)

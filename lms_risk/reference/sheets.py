"""The Lijsten sheet: the codes and names to fill in on sheets that are imported. Other sheets add
their own lists (``context["code_lists"]``: rows of list, name, code, note) when they open."""

from ..excel.workbook import SheetSpec
from ..excel.writer import Column

SHEET = "Lijsten"
LIST_COLUMNS = [Column("Lijst", 16), Column("Waarde in het register", 44), Column("Code", 14),
                Column("Toelichting", 50, wrap=True)]


class ListsSheet(SheetSpec):
    key = "lists"
    order = 50

    def prepare(self, context):
        # Categories come first: a drop-down elsewhere refers to their range (B2:B…).
        categories = context["sheet_refs"].data.categories.active
        if categories:
            context.setdefault("list_ranges", {})["category"] = (
                f"='{SHEET}'!$B$2:$B${len(categories) + 1}")

    def open(self, book, context):
        return book.sheet(SHEET, LIST_COLUMNS)

    def fill(self, handle, context):
        _write_lists(handle, context["sheet_refs"], context.get("code_lists", []))

    def template(self, book, context):
        self.fill(self.open(book, context), context)
        return True


def _write_lists(sheet, ref, extra) -> None:
    for c in ref.data.categories.active:
        sheet.write(["Categorie", c.name_nl, c.code, c.name_en])
    for row in extra:
        sheet.write(list(row))
    for m in ref.data.meldkamers.active:
        sheet.write(["Meldkamer", m.name_nl, m.code,
                     "In de kolom Meldkamers: codes, gescheiden door komma's; leeg is landelijk."])
    for v in ref.data.voorzieningen.active:
        sheet.write(["Voorziening", v.name_nl, v.code,
                     "In de kolom Voorzieningen: codes, gescheiden door komma's."])
    for level in ref.levels.values():
        sheet.write(["Niveau", level.name_nl, level.code, ""], {1: ref.level_styles[level.id]})
    for d in ref.disciplines:
        sheet.write(["Discipline", d.name_nl, d.code, ""])
    sheet.finish()

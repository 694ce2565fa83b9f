"""The continuity overview as an Excel workbook: one sheet per list, the takeover matrix and the
percentages (Dutch headers, like the register's workbook)."""

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill


AGE_TEXT = {"recent": "binnen 12 maanden", "aging": "12–24 maanden geleden",
            "old": "langer dan 24 maanden geleden", "never": "nooit geoefend"}
AGE_FILL = {"recent": "C8E6C9", "aging": "FFE0B2", "old": "FFCDD2", "never": "FFCDD2"}


def _sheet(book, title, headers, rows, widths=None):
    ws = book.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for i, width in enumerate(widths or [], 1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    ws.freeze_panes = "A2"
    return ws


def overview_workbook(target, o, refs, today) -> None:
    book = Workbook()
    book.remove(book.active)
    name = {m.id: m.name_nl for m in refs.meldkamers.all}
    vname = {v.id: v.name_nl for v in refs.voorzieningen.all}
    _sheet(book, "Risico's zonder plan", ["Risico", "Titel", "Netto niveau", "Eigenaar"],
           [(c, t, o.levels[lv].name_nl if lv in o.levels else "", ow)
            for c, t, lv, ow in o.high_risks[0]], [10, 60, 14, 24])
    _sheet(book, "Niet geoefend", ["Plan", "Titel", "Meldkamer", "Voorziening",
                                   "Laatst geoefend"],
           [(c, t, name.get(m, ""), vname.get(v, ""), last) for c, t, m, v, last
            in o.not_exercised[0]], [10, 50, 20, 24, 16])
    _sheet(book, "Boven RTO", ["Oefening", "Datum", "Plan", "Titel", "Hersteltijd (min)",
                               "RTO (min)", "Hersteldoel (min)"],
           o.over_rto[0], [12, 12, 10, 50, 18, 12, 18])
    _sheet(book, "Voorzieningen zonder BIA", ["Voorziening", "Reden", "BIA", "Review"],
           [(v.name_nl, {"none": "geen BIA", "unapproved": "geen vastgestelde versie",
                         "overdue": "review verlopen"}[reason], code, review)
            for v, reason, code, review in o.no_bia], [30, 26, 10, 12])
    _sheet(book, "Trage afhankelijkheden", ["BIA", "Onderwerp", "RTO (min)", "Afhankelijkheid",
                                            "Hersteltijd (min)", "BIA afhankelijkheid"],
           o.slow[0], [10, 40, 12, 40, 18, 18])
    rows = []
    for (m, f), cell in sorted(o.matrix.items(), key=lambda kv: (name.get(kv[0][0], ""),
                                                                 name.get(kv[0][1], ""))):
        rows.append((name.get(m, ""), name.get(f, ""),
                     ", ".join("alle" if v is None else vname.get(v, "") for v in
                               cell.voorzieningen),
                     ", ".join(p.code for p in cell.plans), cell.last, AGE_TEXT[cell.age]))
    ws = _sheet(book, "Overnamematrix", ["Meldkamer", "Valt terug op", "Voorzieningen", "Plannen",
                                         "Laatst geoefend", "Ouderdom"],
                rows, [20, 20, 40, 20, 16, 28])
    for r in range(2, ws.max_row + 1):
        age = next(k for k, v in AGE_TEXT.items() if v == ws.cell(r, 6).value)
        ws.cell(r, 6).fill = PatternFill("solid", fgColor=AGE_FILL[age])
    pct = [("Meldkamer", name[m], c.pct("documented"), c.pct("exercised"), c.pct("met"))
           for m, c in o.by_meldkamer.items()]
    pct += [("Voorziening", vname[v], c.pct("documented"), c.pct("exercised"), c.pct("met"))
            for v, c in o.by_voorziening.items()]
    _sheet(book, "Percentages", ["Per", "Naam", "Gedocumenteerd (%)",
                                 "Geoefend binnen 12 maanden (%)", "Doelen gehaald (%)"],
           pct, [14, 30, 20, 30, 20])
    book.save(target)

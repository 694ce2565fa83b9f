"""Makes voorbeeld-goed.xlsx and voorbeeld-fout.xlsx from risicoregister-template.xlsx.

    .venv/bin/lms-risk export-template imports/risicoregister-template.xlsx
    .venv/bin/python imports/make_samples.py

The samples are filled in the template as a board member would, so they keep its drop-downs.
"""

from datetime import date
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

GOOD = [
    dict(Code="R-1001", Titel="Uitval 112-doorschakeling naar meldkamer Limburg bij storing KPN",
         Beschrijving="Binnenkomende 112-gesprekken bereiken de meldkamer Limburg niet.",
         Oorzaak="Storing in het netwerk van de telecomaanbieder.",
         Gevolg="Meldingen komen later binnen; burgers krijgen geen gehoor.",
         Categorie="ICT en techniek", Eigenaar="Manager 112 en Telefonie", Status="Open",
         Meldkamers="LIM", Voorzieningen="TEL112", **{"Bruto kans": 3, "Netto kans": 2},
         AMB=("ja", 5, 4, "A1-meldingen lopen vertraging op."),
         POL=("ja", 4, 3, "Noodhulp later ter plaatse."),
         BRW=("ja", 4, 3, "Brandmeldingen komen later binnen."),
         LMS=("ja", 4, 3, "Kerndienst verstoord."),
         Streefniveau="Midden", **{"Volgende review": date(2027, 3, 1)}),
    dict(Code="R-1002", Titel="Onvoldoende meldkamercentralisten brandweer tijdens zomerperiode",
         Categorie="Personeel en bezetting", Eigenaar="Hoofd meldkamer Oost-Nederland",
         Status="Concept", Meldkamers="ON", **{"Bruto kans": 4, "Netto kans": 3},
         BRW=("ja", 3, 3, "Langere verwerkingstijd van meldingen.")),
    dict(Code="R-1003", Titel="Cyberaanval op leverancier van het GEO-kaartmateriaal",
         Categorie="Informatiebeveiliging en cyber", Eigenaar="CISO LMS", Status="Open",
         Voorzieningen="GEO", **{"Bruto kans": 3, "Netto kans": 2},
         AMB=("ja", 3, 2, "Verkeerde aanrijroutes."), POL=("ja", 3, 2, ""),
         BRW=("ja", 3, 2, ""), KMAR=("ja", 2, 2, "Beperkt gebruik."),
         LMS=("ja", 4, 3, "Ketenrisico bij leverancier.")),
    dict(Code="R-1004", Titel="Uitval noodstroom tijdens stroomstoring bij meldkamer Den Haag",
         Categorie="Huisvesting en faciliteiten", Eigenaar="Facilitair manager Den Haag",
         Status="In behandeling", Meldkamers="DH", Voorzieningen="HUIS",
         **{"Bruto kans": 2, "Netto kans": 1},
         AMB=("ja", 5, 4, "Uitwijk nodig."), POL=("ja", 5, 4, "Uitwijk nodig."),
         BRW=("ja", 5, 4, "Uitwijk nodig."), LMS=("ja", 4, 3, "")),
    dict(Code="R-1005", Titel="NL-Alert bericht met onjuiste inhoud verstuurd",
         Categorie="Organisatie en governance", Eigenaar="Coördinator NL-Alert", Status="Open",
         Voorzieningen="NLALERT", **{"Bruto kans": 2, "Netto kans": 2},
         BRW=("ja", 4, 3, "Maatschappelijke onrust."), LMS=("ja", 4, 3, "Reputatieschade.")),
    dict(Code="R-1006", Titel="Verlies van C2000-dekking in tunnels na netwerkwijziging",
         Categorie="ICT en techniek", Eigenaar="Manager C2000", Status="Open",
         Voorzieningen="C2000", **{"Bruto kans": 2, "Netto kans": 2},
         AMB=("ja", 3, 3, ""), POL=("ja", 3, 3, ""), BRW=("ja", 4, 3, "Inzet in tunnels."),
         KMAR=("ja", 2, 2, "")),
]

# Each row holds mistakes the importer must name by sheet, row, column and value.
BAD = [
    dict(Code="R-1101", Titel="", Status="Open", **{"Bruto kans": 3, "Netto kans": 2}),  # no title
    dict(Code="R-1102", Titel="Kans buiten de matrix", Status="Open",
         **{"Bruto kans": 7, "Netto kans": 2}),
    dict(Code="R-1103", Titel="Onbekende status en meldkamer", Status="Misschien",
         Meldkamers="Atlantis", **{"Bruto kans": 2, "Netto kans": 2}),
    dict(Code="R-1103", Titel="Dubbele code", Status="Open", **{"Bruto kans": 2, "Netto kans": 1}),
    dict(Code="R-1104", Titel="Netto hoger dan bruto", Status="Open",
         **{"Bruto kans": 2, "Netto kans": 4}, AMB=("ja", 2, 5, "")),
    dict(Code="R-1105", Titel="=HYPERLINK(\"http://voorbeeld.invalid\",\"klik\")", Status="Open",
         **{"Bruto kans": 2, "Netto kans": 2}),  # openpyxl stores this as a formula
    dict(Code="R-1106", Titel="Impact zonder getal", Status="Open",
         **{"Bruto kans": 2, "Netto kans": 2}, POL=("ja", "veel", 3, "")),
]


def fill(rows, out: Path):
    book = openpyxl.load_workbook(HERE / "risicoregister-template.xlsx")
    ws = book["Register"]
    columns = {cell.value: cell.column for cell in ws[1]}
    for number, row in enumerate(rows, 2):
        for key, value in row.items():
            if key in ("AMB", "POL", "BRW", "KMAR", "LMS"):
                for part, v in zip(("van toepassing", "bruto impact", "netto impact",
                                    "toelichting"), value):
                    ws.cell(number, columns[f"{key} {part}"]).value = v
            else:
                ws.cell(number, columns[key]).value = value
        for discipline in ("AMB", "POL", "BRW", "KMAR", "LMS"):
            if discipline not in row:
                ws.cell(number, columns[f"{discipline} van toepassing"]).value = "nee"
    book.save(out)


if __name__ == "__main__":
    fill(GOOD, HERE / "voorbeeld-goed.xlsx")
    fill(BAD, HERE / "voorbeeld-fout.xlsx")
    print("voorbeeld-goed.xlsx, voorbeeld-fout.xlsx")

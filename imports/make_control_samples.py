"""Makes maatregelen-template.xlsx and maatregelen-voorbeeld.xlsx, the workbook format for control
catalogues (lms_risk/controls/workbook_catalogue.py):

    .venv/bin/python imports/make_control_samples.py

The sample is a small catalogue in the style of the BIO, with BBN levels, written for lms-risk:
its titles are short labels of our own. It holds no text of the BIO or of ISO/IEC 27001/27002,
which are copyrighted; load your organisation's own BIO catalogue from your own workbook.
"""

from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TEXT = "@"

FRAMEWORK_FIELDS = [
    ("code", "verplicht: korte code van het raamwerk, bijv. BIO of BIO-MK "
             "(letters, cijfers, . - _)"),
    ("naam", "verplicht: de naam in het Nederlands"),
    ("name", "de naam in het Engels (mag leeg)"),
    ("versie", "verplicht: de versie, bijv. 1.04 (als tekst, zodat 1.10 geen 1.1 wordt)"),
    ("publicatiedatum", "de datum van deze versie (dd-mm-jjjj)"),
    ("uitgever", "wie het raamwerk uitgeeft"),
    ("copyright", "licentie of auteursrecht van de teksten"),
    ("bron", "waar het raamwerk vandaan komt (document, website)"),
]
CONTROL_HEADERS = [("Referentie", 14), ("Bovenliggende referentie", 16), ("Titel", 45),
                   ("Title", 40), ("Omschrijving", 50), ("Description", 45), ("Toetsbaar", 11),
                   ("BBN-niveau", 11), ("Labels", 22)]
MAPPING_HEADERS = [("Bron raamwerk", 15), ("Bron referentie", 16), ("Doel raamwerk", 15),
                   ("Doel referentie", 16), ("Relatie", 16)]
EXPLANATION = [
    "Maatregelen in een eigen werkmap laden (lms-risk import-controls BESTAND, of Beheer → "
    "Maatregelen importeren)",
    "",
    "Blad Raamwerk: één gegeven per rij, de naam in kolom A en de waarde in kolom B. Verplicht: "
    "code, naam en versie.",
    "Blad Maatregelen: één maatregel per rij. Verplicht: Referentie (uniek) en Titel.",
    "  Bovenliggende referentie: de Referentie van het kopje of de maatregel waaronder deze valt; "
    "leeg voor het bovenste niveau.",
    "  Toetsbaar: ja of nee (leeg is ja); kopjes zijn meestal niet toetsbaar.",
    "  BBN-niveau: 1, 2 of 3, of leeg. Een voorziening met BBN2 moet de maatregelen van BBN1 "
    "én BBN2 hebben.",
    "  Labels: vrije labels, gescheiden door komma's, bijv. basishygiëne, ketenhygiëne.",
    "Blad Koppelingen (mag ontbreken): hoe een maatregel zich verhoudt tot een maatregel van een "
    "ander raamwerk.",
    "  Bron raamwerk leeg = dit raamwerk. Relatie: gelijk, deelverzameling, omvat of overlapt.",
    "  De NIS2-catalogus uit imports/nis2-artikel-21.yaml heeft de code NIS2 en referenties als "
    "21(2)(c).",
    "",
    "Een nieuwere versie van hetzelfde raamwerk (dezelfde code) werkt titels en teksten bij, "
    "voegt maatregelen toe en trekt weggelaten maatregelen in; de implementaties blijven bewaard.",
    "Cellen bevatten waarden, geen formules. Vul referenties als tekst in (5.10 is geen 5.1).",
    "Neem geen teksten uit ISO/IEC 27001/27002 over in een werkmap die u deelt: die zijn "
    "auteursrechtelijk beschermd.",
]

SAMPLE_FRAMEWORK = {
    "code": "VB-BIO",
    "naam": "Voorbeeldcatalogus in BIO-stijl (lms-risk)",
    "name": "Sample catalogue in BIO style (lms-risk)",
    "versie": "1.0",
    "publicatiedatum": date(2026, 11, 1),
    "uitgever": "lms-risk (voorbeeld)",
    "copyright": "Geschreven voor lms-risk, vrij te gebruiken. Bevat geen teksten uit de BIO of "
                 "uit ISO/IEC 27001/27002.",
    "bron": "imports/maatregelen-voorbeeld.xlsx",
}
# Referentie, Bovenliggende, Titel, Title, Omschrijving, Description, Toetsbaar, BBN, Labels
SAMPLE_CONTROLS = [
    ("H05", None, "Organisatie", "Organisation", None, None, "nee", None, None),
    ("05.01", "H05", "Informatiebeveiligingsbeleid vastgesteld",
     "Information security policy adopted",
     "Het bestuur heeft een beleid vastgesteld en herziet het jaarlijks.",
     "The board has adopted a policy and reviews it every year.", "ja", 1, "basishygiëne"),
    ("05.02", "H05", "Rollen en verantwoordelijkheden belegd", "Roles and responsibilities "
     "assigned", "Wie waarvoor verantwoordelijk is, staat op papier.",
     "Who is responsible for what is written down.", "ja", 1, "basishygiëne"),
    ("05.03", "H05", "Beveiligingsafspraken met leveranciers", "Security agreements with "
     "suppliers", "Contracten met leveranciers bevatten beveiligingseisen en een meldplicht.",
     "Contracts with suppliers contain security requirements and a duty to report.", "ja", 2,
     "ketenhygiëne"),
    ("H06", None, "Mensen", "People", None, None, "nee", None, None),
    ("06.01", "H06", "Screening bij indiensttreding", "Screening when hired",
     "Nieuwe medewerkers met toegang tot meldkamersystemen worden gescreend.",
     "New staff with access to dispatch systems are screened.", "ja", 2, None),
    ("06.02", "H06", "Jaarlijkse bewustwording", "Yearly awareness training",
     "Iedere medewerker volgt jaarlijks een korte training over veilig werken.",
     "Every employee follows a short training on working securely every year.", "ja", 1,
     "basishygiëne"),
    ("H07", None, "Fysieke omgeving", "Physical environment", None, None, "nee", None, None),
    ("07.01", "H07", "Toegang tot de meldkamerzaal beperkt", "Access to the control room "
     "restricted", "Alleen bevoegden komen in de meldkamerzaal; bezoek wordt begeleid.",
     "Only authorised people enter the control room; visitors are accompanied.", "ja", 1, None),
    ("07.02", "H07", "Noodstroom periodiek getest", "Emergency power tested regularly",
     "De noodstroomvoorziening wordt elk halfjaar onder belasting getest.",
     "The emergency power supply is tested under load every six months.", "ja", 2, None),
    ("H08", None, "Technologie", "Technology", None, None, "nee", None, None),
    ("08.01", "H08", "Toegangsbeleid vastgesteld", "Access policy adopted",
     "Rechten worden toegekend op basis van functie en periodiek herzien.",
     "Rights are granted by role and reviewed periodically.", "ja", 1, "basishygiëne"),
    ("08.02", "H08", "Multifactorauthenticatie voor beheer", "Multi-factor authentication for "
     "administrators", "Beheerders loggen in met een tweede factor.",
     "Administrators log in with a second factor.", "ja", 2, None),
    ("08.03", "H08", "Logging centraal bewaard", "Logs kept centrally",
     "Gebeurtenissen van kritieke systemen worden centraal bewaard en bewaakt.",
     "Events of critical systems are kept and monitored centrally.", "ja", 2, None),
    ("08.04", "H08", "Back-ups als test teruggezet", "Backups restored as a test",
     "Elk kwartaal wordt een back-up van een kritiek systeem als test teruggezet.",
     "Every quarter a backup of a critical system is restored as a test.", "ja", 1,
     "basishygiëne"),
    ("08.05", "H08", "Verbindingen tussen meldkamers versleuteld", "Links between dispatch "
     "centres encrypted", "Verkeer tussen meldkamers gaat alleen versleuteld over het netwerk.",
     "Traffic between dispatch centres only crosses the network encrypted.", "ja", 3,
     "ketenhygiëne"),
    ("08.06", "H08", "Kwetsbaarheden binnen vaste termijn verholpen", "Vulnerabilities fixed "
     "within a set time", "Kritieke kwetsbaarheden worden binnen een afgesproken termijn "
     "verholpen.", "Critical vulnerabilities are fixed within an agreed time.", "ja", 3, None),
]
SAMPLE_MAPPINGS = [
    ("", "05.01", "NIS2", "21(2)(a)", "deelverzameling"),
    ("", "05.03", "NIS2", "21(2)(d)", "deelverzameling"),
    ("", "06.02", "NIS2", "21(2)(g)", "deelverzameling"),
    ("", "08.01", "NIS2", "21(2)(i)", "overlapt"),
    ("", "08.02", "NIS2", "21(2)(j)", "overlapt"),
    ("", "08.04", "NIS2", "21(2)(c)", "deelverzameling"),
    ("", "08.05", "NIS2", "21(2)(h)", "deelverzameling"),
    ("", "08.06", "NIS2", "21(2)(e)", "overlapt"),
]


def _header(sheet, headers) -> None:
    for col, (title, width) in enumerate(headers, 1):
        cell = sheet.cell(row=1, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _drop_down(sheet, values: str, cells: str) -> None:
    validation = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
    validation.add(cells)
    sheet.add_data_validation(validation)


def make_workbook(framework: dict | None = None, controls=(), mappings=()) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    meta = workbook.active
    meta.title = "Raamwerk"
    _header(meta, [("Veld", 18), ("Waarde", 50), ("Toelichting", 80)])
    for row, (key, note) in enumerate(FRAMEWORK_FIELDS, 2):
        meta.cell(row=row, column=1, value=key).font = Font(bold=True)
        value = (framework or {}).get(key)
        cell = meta.cell(row=row, column=2, value=value)
        if key == "publicatiedatum":
            cell.number_format = "dd-mm-yyyy"
        else:
            cell.number_format = TEXT
        meta.cell(row=row, column=3, value=note).alignment = Alignment(wrap_text=True)

    sheet = workbook.create_sheet("Maatregelen")
    _header(sheet, CONTROL_HEADERS)
    for column in ("A", "B"):
        for row in range(2, 1002):
            sheet[f"{column}{row}"].number_format = TEXT
    for row, values in enumerate(controls, 2):
        for col, value in enumerate(values, 1):
            cell = sheet.cell(row=row, column=col, value=value)
            if col in (5, 6):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    _drop_down(sheet, "ja,nee", "G2:G1001")
    _drop_down(sheet, "1,2,3", "H2:H1001")

    links = workbook.create_sheet("Koppelingen")
    _header(links, MAPPING_HEADERS)
    for row, values in enumerate(mappings, 2):
        for col, value in enumerate(values, 1):
            links.cell(row=row, column=col, value=value or None).number_format = TEXT
    _drop_down(links, "gelijk,deelverzameling,omvat,overlapt", "E2:E1001")

    notes = workbook.create_sheet("Toelichting")
    notes.column_dimensions["A"].width = 120
    for row, line in enumerate(EXPLANATION, 1):
        cell = notes.cell(row=row, column=1, value=line or None)
        cell.alignment = Alignment(wrap_text=True)
        if row == 1:
            cell.font = Font(bold=True, size=13)
    return workbook


def main() -> None:
    make_workbook().save(HERE / "maatregelen-template.xlsx")
    make_workbook(SAMPLE_FRAMEWORK, SAMPLE_CONTROLS, SAMPLE_MAPPINGS).save(
        HERE / "maatregelen-voorbeeld.xlsx")


if __name__ == "__main__":
    main()

"""Reading our own control workbook format (lms_risk/controls/workbook_catalogue.py): real .xlsx
files made with openpyxl, read through the project's guarded reader. Pure: no app, no database."""

import io
from datetime import date

import openpyxl
import pytest

from lms_risk.controls.catalogue import CatalogueError, read_catalogue

HEADERS = ["Referentie", "Bovenliggende referentie", "Titel", "Title", "Omschrijving",
           "Description", "Toetsbaar", "BBN-niveau", "Labels"]
FRAMEWORK = [("Veld", "Waarde"), ("code", "BIO-MK"), ("naam", "BIO voor de meldkamers"),
             ("name", "BIO for the dispatch centres"), ("versie", "1.04"),
             ("publicatiedatum", date(2019, 6, 1)), ("uitgever", "Eigen organisatie"),
             ("copyright", "Intern gebruik"), ("bron", "eigen werkmap")]
CONTROLS = [
    ("H5", None, "Organisatie", "Organisation", None, None, "nee", None, None),
    ("5.01", "H5", "Beleid vastgesteld", "Policy adopted", "Het beleid is vastgesteld.",
     "The policy is adopted.", "ja", 1, "basishygiëne, ketenhygiëne"),
    ("5.02", "H5", "Rollen belegd", None, None, None, None, "2", "basishygiëne"),
    ("5.02.01", "5.02", "Vervanging geregeld", None, None, None, "ja", "BBN3", None),
]
MAPPINGS = [("Bron raamwerk", "Bron referentie", "Doel raamwerk", "Doel referentie", "Relatie"),
            (None, "5.01", "NIS2", "21(2)(a)", "deelverzameling"),
            ("BIO-MK", "5.02", None, "urn:intuitem:risk:req_node:bio2:5.02.01", "overlapt"),
            (None, "5.02.01", "NIS2", "21(2)(i)", "Equal")]


def workbook(framework=FRAMEWORK, controls=CONTROLS, mappings=MAPPINGS, headers=HEADERS,
             sheets=("Raamwerk", "Maatregelen", "Koppelingen")) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    if "Raamwerk" in sheets:
        sheet = book.create_sheet("Raamwerk")
        for row in framework:
            sheet.append(list(row))
    if "Maatregelen" in sheets:
        sheet = book.create_sheet("Maatregelen")
        sheet.append(list(headers))
        for row in controls:
            sheet.append(list(row))
    if "Koppelingen" in sheets and mappings is not None:
        sheet = book.create_sheet("Koppelingen")
        for row in mappings:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refused(data: bytes, name: str = "maatregelen.xlsx") -> str:
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(name, data)
    problems = [(str(where), str(message)) for where, message in caught.value.problems]
    assert problems
    return "\n".join(f"{where}: {message}" for where, message in problems)


def test_a_good_workbook_gives_the_framework_its_tree_bbn_levels_tags_and_mappings():
    catalogue = read_catalogue("bio.xlsx", workbook())
    assert catalogue.source_name == "bio.xlsx" and catalogue.warnings == ()
    (framework,) = catalogue.frameworks
    assert framework.urn == "urn:lms-risk:framework:bio-mk" and framework.code == "BIO-MK"
    assert (framework.name_nl, framework.name_en) == ("BIO voor de meldkamers",
                                                      "BIO for the dispatch centres")
    assert framework.version == "1.04" and framework.published == date(2019, 6, 1)
    assert (framework.provider, framework.copyright, framework.source) == (
        "Eigen organisatie", "Intern gebruik", "eigen werkmap")
    heading, policy, roles, deputy = framework.controls
    assert heading.urn == "urn:lms-risk:bio-mk:h5" and heading.ref_id == "H5"
    assert (heading.depth, heading.assessable, heading.bbn_level) == (1, False, None)
    assert policy.parent_urn == heading.urn and policy.depth == 2 and policy.order == 2
    assert (policy.title_nl, policy.title_en) == ("Beleid vastgesteld", "Policy adopted")
    assert (policy.description_nl, policy.description_en) == ("Het beleid is vastgesteld.",
                                                              "The policy is adopted.")
    assert policy.bbn_level == 1 and policy.tags == ("basishygiëne", "ketenhygiëne")
    assert roles.assessable is True and roles.bbn_level == 2 and roles.title_en == ""
    assert deputy.depth == 3 and deputy.bbn_level == 3 and deputy.tags == ()
    assert deputy.parent_urn == "urn:lms-risk:bio-mk:5.02"
    assert {(m.source_urn, m.target_urn, m.relationship) for m in catalogue.mappings} == {
        ("urn:lms-risk:bio-mk:5.01", "urn:lms-risk:nis2:21(2)(a)", "subset"),
        ("urn:lms-risk:bio-mk:5.02", "urn:intuitem:risk:req_node:bio2:5.02.01", "intersect"),
        ("urn:lms-risk:bio-mk:5.02.01", "urn:lms-risk:nis2:21(2)(i)", "equal"),
    }


def test_the_framework_sheet_may_leave_out_its_header_and_koppelingen_may_be_missing():
    catalogue = read_catalogue("bio.xlsx", workbook(framework=FRAMEWORK[1:], mappings=None))
    assert catalogue.frameworks[0].code == "BIO-MK" and catalogue.mappings == ()


def test_a_newer_workbook_keeps_urns_so_a_left_out_control_is_retired():
    old = read_catalogue("v1.xlsx", workbook()).frameworks[0]
    newer = [row for row in CONTROLS if row[0] != "5.02.01"]
    newer[1] = ("5.01", "H5", "Beleid vastgesteld en herzien") + newer[1][3:]
    new = read_catalogue("v2.xlsx", workbook(controls=newer, mappings=MAPPINGS[:2])).frameworks[0]
    assert {c.urn for c in old.controls} - {c.urn for c in new.controls} == {
        "urn:lms-risk:bio-mk:5.02.01"}
    assert new.controls[1].urn == old.controls[1].urn
    assert new.controls[1].title_nl == "Beleid vastgesteld en herzien"


def test_bad_cells_are_named_by_sheet_row_and_column():
    controls = [
        ("H5", None, "Organisatie", None, None, None, "nee", None, None),
        ("5.01", "H5", None, None, None, None, "misschien", 4, None),  # row 3
        ("5.01", "H5", "Dubbel", None, None, None, None, None, None),  # row 4
        ("5.03", "H9", "Wees", None, None, None, None, None, None),  # row 5
        (5.1, None, "Getal", None, None, None, None, None, None),  # row 6
        ("5 04", None, "Spatie", None, None, None, None, None, None),  # row 7
    ]
    problems = refused(workbook(controls=controls, mappings=None))
    assert "blad Maatregelen, rij 3, kolom C (Titel): de titel is verplicht" in problems
    assert "blad Maatregelen, rij 3, kolom G (Toetsbaar): vul ja of nee in, niet misschien" \
        in problems
    assert "blad Maatregelen, rij 3, kolom H (BBN-niveau): het BBN-niveau moet 1, 2 of 3 zijn" \
        in problems
    assert "blad Maatregelen, rij 4, kolom A (Referentie): de referentie 5.01 staat ook al in " \
        "rij 3" in problems
    assert "blad Maatregelen, rij 6, kolom A (Referentie): de referentie 5.1 is als getal " \
        "ingevuld" in problems
    assert "blad Maatregelen, rij 7, kolom A (Referentie): de referentie 5 04 mag alleen" \
        in problems


def test_an_unknown_parent_and_a_cycle_are_named():
    orphan = [("5.01", "H9", "Wees", None, None, None, None, None, None)]
    assert ("blad Maatregelen, rij 2, kolom B (Bovenliggende referentie): de bovenliggende "
            "referentie H9 staat niet in de kolom Referentie") in refused(
        workbook(controls=orphan, mappings=None))
    cycle = [("A", "B", "Een", None, None, None, None, None, None),
             ("B", "A", "Twee", None, None, None, None, None, None)]
    assert "vormen een kring" in refused(workbook(controls=cycle, mappings=None))


def test_the_framework_sheet_names_missing_fields_unknown_ones_and_a_bad_date():
    framework = [("Veld", "Waarde"), ("code", "BIO MK"), ("versie", None),
                 ("publicatiedatum", "gisteren"), ("kleur", "blauw")]
    problems = refused(workbook(framework=framework, mappings=None))
    assert "blad Raamwerk, rij 2, kolom B (code): de code BIO MK mag alleen" in problems
    assert "blad Raamwerk, veld naam: naam is verplicht" in problems
    assert "blad Raamwerk, rij 3, kolom B (versie): versie is verplicht" in problems
    assert "blad Raamwerk, rij 4, kolom B (publicatiedatum): gisteren is geen datum" in problems
    assert "blad Raamwerk, rij 5, kolom A: onbekend veld kleur" in problems


def test_missing_columns_and_sheets_are_named_and_unknown_columns_warned_about():
    headers = ["Referentie", "Omschrijving", "Kleur"]
    problems = refused(workbook(controls=[("1", "x", "rood")], headers=headers, mappings=None))
    assert "blad Maatregelen, veld Titel: de kolom Titel ontbreekt" in problems
    assert "het blad Maatregelen ontbreekt" in refused(workbook(sheets=("Raamwerk",)))

    headers = HEADERS + ["Kleur"]
    rows = [row + ("rood",) for row in CONTROLS]
    catalogue = read_catalogue("bio.xlsx", workbook(controls=rows, headers=headers))
    (where, message), = catalogue.warnings
    assert (str(where), str(message)) == ("blad Maatregelen, rij 1, kolom J (Kleur)",
                                          "onbekende kolom; genegeerd")


def test_bad_mappings_are_named_by_row_and_column():
    mappings = [MAPPINGS[0],
                (None, "9.99", "NIS2", "21(2)(a)", "gelijk"),
                (None, "5.01", "NIS2", "21(2)(b)", "lijkt op"),
                (None, "5.01", None, "21(2)(c)", "gelijk")]
    problems = refused(workbook(mappings=mappings))
    assert "blad Koppelingen, rij 2, kolom B (Bron referentie): de referentie 9.99 staat niet " \
        "op het blad Maatregelen" in problems
    assert "blad Koppelingen, rij 3, kolom E (Relatie): de relatie moet gelijk, " \
        "deelverzameling, omvat of overlapt zijn, niet lijkt op" in problems
    assert "blad Koppelingen, rij 4, kolom C (Doel raamwerk): vul de code van het raamwerk in" \
        in problems


def test_a_formula_is_refused_with_its_cell():
    book = openpyxl.load_workbook(io.BytesIO(workbook(mappings=None)))
    book["Maatregelen"]["D3"] = '=HYPERLINK("http://example.org")'
    buffer = io.BytesIO()
    book.save(buffer)
    assert "blad Maatregelen, rij 3, kolom D (Title): deze cel bevat een formule" in refused(
        buffer.getvalue())


def test_files_that_are_not_workbooks_say_what_they_are():
    assert "dit is tekst of CSV" in refused(b"Referentie;Titel\n5.01;Beleid\n", "bio.xlsx")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert "oud Excel-bestand (.xls)" in refused(ole, "bio.xls")
    assert "geen Excel-werkmap" in refused(b"PK\x03\x04 not really a zip", "bio.xlsx")


@pytest.mark.parametrize("bad_row", [
    ("5.03", "H5", "Logging", None, None, None, "ja", 7, None),  # BBN-niveau 7
    ("5.03", "H9", "Logging", None, None, None, "ja", 1, None),  # a parent not on the sheet
])
def test_a_bad_control_row_adds_no_false_errors_on_the_mappings_sheet(bad_row):
    mappings = [*MAPPINGS, (None, "5.99", "NIS2", "21(2)(b)", "overlapt")]  # 5.99: truly absent
    message = refused(workbook(controls=[*CONTROLS, bad_row], mappings=mappings))
    assert "rij 5" in message  # the bad row itself
    assert ("BBN-niveau moet 1, 2 of 3" in message) == (bad_row[7] == 7)
    assert ("de bovenliggende referentie H9" in message) == (bad_row[1] == "H9")
    for ref in ("5.01", "5.02", "5.02.01"):  # on the sheet: no complaint
        assert f"de referentie {ref} staat niet op het blad Maatregelen" not in message, message
    assert "de referentie 5.99 staat niet op het blad Maatregelen" in message

"""The register as a workbook: read back with openpyxl as Excel would show it."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest

from lms_risk.exchange.workbook import export_register, export_template
from lms_risk.extensions import db
from lms_risk.risks.register import RegisterFilter

HOSTILE_TITLE = '=HYPERLINK("http://x","y")'


def _load(data: bytes):
    return openpyxl.load_workbook(BytesIO(data))


def _rows(ws):
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]


@pytest.fixture
def register(make_risk, users):
    a = make_risk("Uitval GMS Rotterdam", likelihood=3, AMB=(5, 4), POL=(3, 2),
                  meldkamers=["RTD"], voorzieningen=["GMS"], owner="Manager GMS")
    b = make_risk("Storing C2000", likelihood=2, POL=(4, 4), status="in_behandeling")
    c = make_risk(HOSTILE_TITLE, likelihood=1, AMB=(2, 1), owner="-1 eigenaar")
    a.next_review = date(2027, 3, 1)
    db.session.commit()
    return a, b, c


def test_workbook_has_the_dutch_sheets_and_a_row_per_risk(client, auth, register):
    a, b, c = register
    auth.login("auditor")
    response = client.get("/risks/export.xlsx?discipline=all")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=risicoregister-")
    book = _load(response.data)
    ours = ["Register", "AMB - Ambulancezorg", "POL - Politie", "BRW - Brandweer",
            "KMAR - Koninklijke Marechaussee", "LMS", "Heatmap", "Matrix", "Lijsten", "Historie"]
    # Other features add their sheets between these (each tests its own); the register's come in
    # this order, the register first and the export's description last.
    assert [name for name in book.sheetnames if name in ours] == ours
    assert book.sheetnames[0] == "Register" and book.sheetnames[-1] == "Over deze export"
    register_ws = book["Register"]
    assert register_ws.freeze_panes == "A2"
    assert register_ws.auto_filter.ref == "A1:AP4"
    assert register_ws["A1"].font.b
    rows = {r["Code"]: r for r in _rows(register_ws)}
    assert set(rows) == {a.code, b.code, c.code}
    row = rows[a.code]
    assert row["Titel"] == "Uitval GMS Rotterdam" and row["Status"] == "Open"
    assert row["Meldkamers"] == "RTD" and row["Voorzieningen"] == "GMS"
    assert (row["AMB van toepassing"], row["AMB bruto impact"], row["AMB netto impact"],
            row["AMB prioriteit"]) == ("ja", 5, 4, 12)
    assert row["KMAR van toepassing"] == "nee" and row["KMAR prioriteit"] is None
    assert row["Prioriteit"] == 12 and row["Niveau"] == "Hoog" and row["Versie"] == a.version
    assert row["Volgende review"].date() == date(2027, 3, 1)  # a real date, not text
    assert register_ws.cell(2, 1).number_format == "General"
    assert register_ws.cell(2, 1).alignment.vertical == "top"  # rows grow with wrapped text
    review = [cell for cell in register_ws[1] if cell.value == "Volgende review"][0]
    assert register_ws.cell(2, review.column).number_format == "dd-mm-yyyy"
    # Level colours as in the app; drop-downs on the editable columns.
    level_cell = [cell for cell in register_ws[1] if cell.value == "Niveau"][0]
    assert register_ws.cell(2, level_cell.column).fill.fgColor.rgb.upper().endswith("FF9800")
    validated = {str(v.sqref).split(":")[0].rstrip("0123456789")
                 for v in register_ws.data_validations.dataValidation}
    headers = {cell.column_letter: cell.value for cell in register_ws[1]}
    assert {"Status", "Categorie", "Bruto kans", "AMB bruto impact", "AMB van toepassing",
            "Streefniveau"} <= {headers[col] for col in validated}
    assert "Prioriteit" not in {headers[col] for col in validated}


def test_discipline_sheet_holds_its_risks_by_netto_priority(client, auth, register):
    a, b, c = register
    auth.login("viewer")
    book = _load(client.get("/risks/export.xlsx?discipline=all").data)
    pol = _rows(book["POL - Politie"])
    assert [r["Code"] for r in pol] == [b.code, a.code]  # POL netto 2×4=8 before 3×2=6
    assert [r["Netto prioriteit"] for r in pol] == [8, 6]
    assert [r["Code"] for r in _rows(book["KMAR - Koninklijke Marechaussee"])] == []
    # A viewer may not see the score history, so the workbook leaves it out and says so.
    assert "Historie" not in book.sheetnames
    about = {r[0].value: r[1].value for r in book["Over deze export"].iter_rows(min_row=2)}
    assert "niet opgenomen" in about["Scorewijzigingen in Historie"]


def test_export_keeps_the_register_filters(client, auth, register):
    a, b, c = register
    auth.login("chair")
    page = client.get("/risks?discipline=POL&status=open").get_data(as_text=True)
    assert "/risks/export.xlsx?discipline=POL&amp;status=open" in page
    book = _load(client.get("/risks/export.xlsx?discipline=POL&status=open").data)
    assert [r["Code"] for r in _rows(book["Register"])] == [a.code]
    about = {r[0].value: r[1].value for r in book["Over deze export"].iter_rows(min_row=2)}
    assert about["Filters"] == ("raakt Politie (POL); status Open; netto score; "
                                "gesorteerd op prioriteit")
    assert about["Filters in de link"] == "discipline=POL; status=open"
    assert about["Aantal risico's"] == 1
    assert about["Databaserevisie"]
    assert about["Geëxporteerd door"] == "chair@example.nl"


def test_user_text_never_becomes_a_formula(client, auth, register):
    a, b, c = register
    auth.login("chair")
    data = client.get("/risks/export.xlsx?discipline=all").data
    book = _load(data)
    ws = book["Register"]
    cells = [cell for row in ws.iter_rows() for cell in row if cell.value == HOSTILE_TITLE]
    assert cells, "the title is exported as it is"
    for cell in cells:
        assert cell.data_type == "s"  # a string, not a formula
        assert cell.quotePrefix  # and Excel keeps it text when someone edits the cell
    owner = [cell for row in ws.iter_rows() for cell in row if cell.value == "-1 eigenaar"][0]
    assert owner.data_type == "s" and owner.quotePrefix
    # No sheet of the workbook holds a formula at all.
    import zipfile
    with zipfile.ZipFile(BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)


def test_heatmap_sheet_counts_the_exported_risks(client, auth, register):
    auth.login("chair")
    book = _load(client.get("/risks/export.xlsx?discipline=all").data)
    ws = book["Heatmap"]
    titles = {cell.value: cell for row in ws.iter_rows() for cell in row
              if isinstance(cell.value, str) and cell.value.endswith((": netto", ": bruto"))}
    assert {"Registerbreed: netto", "AMB - Ambulancezorg: bruto"} <= set(titles)
    # Register-wide netto: likelihood rows 5..1 below the title, impact columns B..F.
    top = titles["Registerbreed: netto"].row
    grid = {(6 - i, j): ws.cell(top + i, 1 + j).value for i in range(1, 6) for j in range(1, 6)}
    assert sum(grid.values()) == 3
    assert grid[(3, 4)] == 1  # Uitval GMS: likelihood 3, worst netto impact 4 (AMB)
    assert grid[(2, 4)] == 1 and grid[(1, 1)] == 1
    assert ws.cell(top + 3, 5).fill.fgColor.rgb.upper().endswith("FF9800")  # 3×4 is hoog


def test_history_sheet_lists_score_changes(client, auth, register, users):
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import update_risk
    a, b, c = register
    update_risk(a, RiskData(title=a.title, bruto_likelihood=3, netto_likelihood=2, status="open",
                            impacts={"AMB": ImpactData(True, 5, 4)}),
                users["chair"], expected_version=a.version, reason="Uitwijktest geslaagd")
    db.session.commit()
    auth.login("auditor")
    book = _load(client.get("/risks/export.xlsx?discipline=all").data)
    rows = _rows(book["Historie"])
    assert len(rows) == 1
    row = rows[0]
    assert (row["Risico"], row["Discipline"], row["Veld"], row["Oud"], row["Nieuw"]) == (
        a.code, "alle", "Netto kans", 3, 2)
    assert row["Reden"] == "Uitwijktest geslaagd" and row["Wie"] == "chair@example.nl"
    assert row["Wanneer"].year >= 2026


def test_headers_stay_dutch_when_the_user_reads_english(client, auth, register):
    auth.login("viewer")
    client.post("/language", data={"lang": "en", "next": "/risks"})
    book = _load(client.get("/risks/export.xlsx?discipline=all").data)
    assert book["Register"]["A1"].value == "Code"
    assert [c.value for c in book["Register"][1]][1] == "Titel"
    assert _rows(book["Register"])[0]["Status"] in ("Open", "In behandeling")


def test_export_is_recorded_in_the_audit_trail(client, auth, register):
    from lms_risk.audit.models import AuditEvent
    auth.login("viewer")
    client.get("/risks/export.xlsx?discipline=POL")
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert "discipline=POL" in event.summary


def test_cli_export_and_template(runner, register, tmp_path):
    out = tmp_path / "register.xlsx"
    result = runner.invoke(args=["export-register", str(out), "--discipline", "POL"])
    assert result.exit_code == 0, result.output
    assert "2 risks" in result.output
    # Sorted by POL's netto priority: Storing C2000 (2×4=8) before Uitval GMS (3×2=6).
    assert [r["Code"] for r in _rows(_load(out.read_bytes())["Register"])] == [
        register[1].code, register[0].code]
    bad = runner.invoke(args=["export-register", str(out), "--status", "weg"])
    assert bad.exit_code != 0 and "status" in bad.output
    template = tmp_path / "template.xlsx"
    assert runner.invoke(args=["export-template", str(template)]).exit_code == 0
    book = _load(template.read_bytes())
    assert book.sheetnames == ["Register", "Matrix", "Plannen", "Oefeningen", "Lijsten",
                               "Toelichting"]
    assert book["Register"].max_row == 1 and book["Register"]["B1"].value == "Titel"
    # The Status column's codes are listed in the template as in an export.
    statuses = [row[2] for row in book["Lijsten"].iter_rows(min_row=2, values_only=True)
                if row[0] == "Status"]
    assert statuses and "concept" in statuses

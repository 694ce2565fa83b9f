"""A person in headless Chromium: sign in, filter the register by a discipline, open a heatmap cell,
and the Excel round trip (export, edit, upload, preview, confirm). The browser comes from
tests/conftest.py (Debian's chromium, never a downloaded one)."""

import re

import pytest

from conftest import PASSWORD, TEST_USERS

pytestmark = pytest.mark.browser


def seed(app):
    from lms_risk.auth.models import User
    from lms_risk.extensions import db
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import create_risk

    with app.app_context():
        chair = db.session.scalar(db.select(User).filter_by(email=TEST_USERS["chair"][0]))
        for title, likelihood, impacts in (
            ("Uitval GMS Rotterdam", 4, {"AMB": (5, 5), "POL": (4, 3)}),
            ("Storing C2000 Limburg", 2, {"POL": (5, 4), "BRW": (3, 2)}),
            ("Storing P2000 Oost-Brabant", 4, {"BRW": (4, 3), "AMB": (4, 3)}),
            ("Lek persoonsgegevens KMAR", 2, {"KMAR": (4, 4)}),
        ):
            create_risk(RiskData(title=title, bruto_likelihood=likelihood, netto_likelihood=likelihood,
                                 status="open", impacts={c: ImpactData(True, b, n)
                                                         for c, (b, n) in impacts.items()}), chair)
        db.session.commit()


def test_sign_in_filter_by_discipline_and_open_a_heatmap_cell(browser, live_server, tmp_path):
    app, base = live_server
    seed(app)
    page = browser.new_page()
    page.goto(f"{base}/risks")
    assert "/login" in page.url
    page.fill("input[name=email]", TEST_USERS["chair"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(re.compile(r"/risks"))
    assert page.locator("h1").inner_text().startswith("Risicoregister")
    assert page.locator("table.register-table tbody tr").count() == 4

    page.select_option("#f-discipline", "BRW")
    page.click("button:has-text('Filteren')")
    page.wait_for_url(re.compile(r"discipline=BRW"))
    rows = page.locator("table.register-table tbody tr")
    assert rows.count() == 2
    assert {rows.nth(i).locator("td.title").inner_text() for i in range(2)} == {
        "Storing C2000 Limburg", "Storing P2000 Oost-Brabant"}
    page.screenshot(path=str(tmp_path / "register.png"), full_page=True)

    page.click("a:has-text('Heatmap van deze selectie')")
    page.wait_for_url(re.compile(r"/heatmap"))
    # BRW netto: P2000 at likelihood 4 × impact 3
    cell = page.locator("td.cell[data-likelihood='4'][data-impact='3'] a")
    assert cell.inner_text() == "1"
    cell.click()
    page.wait_for_url(re.compile(r"likelihood=4"))
    rows = page.locator("table.register-table tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td.title").inner_text() == "Storing P2000 Oost-Brabant"
    assert "discipline=BRW" in page.url and "impact=3" in page.url


def test_export_edit_in_excel_and_import_with_preview(browser, live_server, tmp_path):
    """The board's round trip: download the register, change a cell, upload, read, confirm."""
    import openpyxl

    app, base = live_server
    seed(app)
    page = browser.new_page(accept_downloads=True)
    page.goto(f"{base}/login")
    page.fill("input[name=email]", TEST_USERS["chair"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(re.compile(r"/risks"))

    with page.expect_download() as download:
        page.click("a:has-text('Exporteren naar Excel')")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("risicoregister-") and path.suffix == ".xlsx"

    book = openpyxl.load_workbook(path)
    ws = book["Register"]
    columns = {cell.value: cell.column for cell in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1)
               if ws.cell(r, columns["Titel"]).value == "Storing C2000 Limburg")
    ws.cell(row, columns["Eigenaar"]).value = "Manager C2000"
    book.save(path)

    page.click("a:has-text('Importeren uit Excel')")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Controleren')")
    summary = page.locator("#import-summary").inner_text()
    assert "1 gewijzigd" in summary and "3 ongewijzigd" in summary and "0 fouten" in summary
    assert "Manager C2000" in page.locator("#import-changed-register").inner_text()
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    page.click("button:has-text('Bevestigen en inlezen')")
    page.wait_for_url(re.compile(r"/risks"))
    assert "1 gewijzigd" in page.locator(".alert-success").inner_text()
    page.fill("#f-q", "Manager C2000")
    page.click("button:has-text('Filteren')")
    rows = page.locator("table.register-table tbody tr")
    assert rows.count() == 1 and "Storing C2000 Limburg" in rows.first.inner_text()

"""The import's preview shows each sheet's new, changed and conflicting rows under that sheet's
own heading ("Gewijzigde plannen", "Changed exercises"), each code linking to its own object's
page, as the sheet's feature declares it; the exchange names no feature."""

import re
from datetime import date
from html import unescape
from io import BytesIO

import openpyxl
import pytest

from lms_risk.core.features import registry
from lms_risk.exchange.workbook import export_register
from lms_risk.extensions import db
from lms_risk.risks.register import RegisterFilter


@pytest.fixture
def world(app, users, make_risk):
    """Risks, then what the other features add in the demo: BIAs, plans, exercises, controls."""
    for n in range(4):
        make_risk(f"Demo risico {n}", likelihood=1 + n % 5, AMB=(5, 2 + n % 3))
    for add_demo in registry().demos:
        add_demo(users["chair"])
    db.session.commit()


def _export(user) -> bytes:
    out = BytesIO()
    export_register(out, RegisterFilter.from_args({"discipline": "all"}), user)
    return out.getvalue()


def _edit(data: bytes, edits: list) -> tuple[bytes, dict]:
    """[(sheet, header, value, pick)]: in the first row that ``pick(row as a dict)`` accepts,
    set the cell of ``header`` to ``value``. Returns the book and {sheet: that row's first cell}."""
    book = openpyxl.load_workbook(BytesIO(data))
    firsts = {}
    for sheet, header, value, pick in edits:
        ws = book[sheet]
        headers = [c.value for c in ws[1]]
        for r in range(2, ws.max_row + 1):
            row = dict(zip(headers, (c.value for c in ws[r])))
            if pick(row):
                ws.cell(r, headers.index(header) + 1).value = value(row[header]) \
                    if callable(value) else value
                firsts[sheet] = row
                break
        else:
            raise AssertionError(f"no row to edit on {sheet}")
    out = BytesIO()
    book.save(out)
    return out.getvalue(), firsts


def _upload(client, data: bytes):
    response = client.post("/risks/import", data={"file": (BytesIO(data), "bord.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page: str, key: str) -> str:
    match = re.search(rf'<section class="import-sheet" id="import-sheet-{key}">(.*?)</section>',
                      page, re.S)
    assert match, f"no section for {key}"
    return unescape(match.group(1))


def _headings(section: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split())
            for h in re.findall(r"<h2[^>]*>(.*?)</h2>", section, re.S)]


ANY = lambda row: True  # noqa: E731


def _every_kind_of_change(users):
    return _edit(_export(users["chair"]), [
        ("Register", "Titel", lambda t: t + " (bijgewerkt)", ANY),
        ("Plannen", "Titel", lambda t: t + " (bijgewerkt)", lambda row: row["Vastgesteld"] == "nee"),
        ("Oefeningen", "Scenario", "Uitval van de voeding, gespeeld met de diensten", ANY),
        ("BIA", "Datum analyse", date(2026, 1, 15), lambda row: row["Vastgesteld"] is None),
        ("Verklaring van Toepasselijkheid", "Eigenaar", "CISO meldkamer", ANY),
    ])


@pytest.mark.parametrize("language, headings", [
    ("nl", {"register": "Gewijzigde risico’s · blad Register",
            "continuity_plans": "Gewijzigde plannen · blad Plannen",
            "continuity_exercises": "Gewijzigde oefeningen · blad Oefeningen",
            "bia": "Gewijzigde BIA-versies · blad BIA",
            "vvt": "Gewijzigde implementaties van maatregelen · blad Verklaring van "
                   "Toepasselijkheid"}),
    ("en", {"register": "Changed risks · sheet Register",
            "continuity_plans": "Changed plans · sheet Plannen",
            "continuity_exercises": "Changed exercises · sheet Oefeningen",
            "bia": "Changed BIA versions · sheet BIA",
            "vvt": "Changed control implementations · sheet Verklaring van Toepasselijkheid"}),
])
def test_each_sheets_changes_under_its_own_heading_linking_to_their_own_pages(
        client, auth, users, world, language, headings):
    data, rows = _every_kind_of_change(users)
    auth.login("chair")
    if language == "en":
        client.post("/language", data={"lang": "en", "next": "/risks"})
    page = _upload(client, data)
    summary = re.search(r'id="import-summary">(.*?)</ul>', page, re.S).group(1)
    errors = re.search(r'id="import-errors">(.*?)</table>', page, re.S)
    assert errors is None, errors.group(1)
    assert ("0 fouten" if language == "nl" else "0 errors") in summary, summary
    assert ("5 gewijzigd" if language == "nl" else "5 changed") in summary, summary
    links = {}
    for key, heading in headings.items():
        section = _section(page, key)
        assert _headings(section) == [heading]
        links[key] = re.findall(r'<a href="([^"]+)">([^<]+)</a>', section)
        assert len(links[key]) == 1, (key, links[key])
    register, plans, exercises = rows["Register"], rows["Plannen"], rows["Oefeningen"]
    assert links["register"] == [(f"/risks/{register['Code']}", register["Code"])]
    assert links["continuity_plans"] == [(f"/continuity/plans/{plans['Code']}", plans["Code"])]
    assert links["continuity_exercises"] == [
        (f"/continuity/exercises/{exercises['Code']}", exercises["Code"])]
    bia = rows["BIA"]
    assert links["bia"] == [(f"/bia/{bia['Code']}?version={bia['Versie']}",
                             f"{bia['Code']} v{bia['Versie']}")]
    assert re.fullmatch(r"/controls/\d+", links["vvt"][0][0])
    assert "/risks/OEF-" not in page and "/risks/CP-" not in page
    for key, found in links.items():
        for url, _code in found:
            response = client.get(url)
            assert response.status_code == 200, (key, url)
    control_page = client.get(links["vvt"][0][0]).get_data(as_text=True)
    assert rows["Verklaring van Toepasselijkheid"]["Maatregel"] in control_page


def test_new_rows_and_conflicts_are_headed_by_their_sheet_and_new_ones_not_linked(
        client, auth, users, world):
    from lms_risk.reference.data import refdata
    from lms_risk.risks.models import Risk
    from lms_risk.risks.services import risk_values, update_risk
    data = _export(users["chair"])
    book = openpyxl.load_workbook(BytesIO(data))
    ws = book["Plannen"]
    headers = [c.value for c in ws[1]]
    new = [None] * len(headers)
    new[headers.index("Titel")] = "Nieuw plan uit Excel"
    new[headers.index("Meldkamer")] = "RTD"
    ws.append(new)
    ws = book["Register"]
    headers = [c.value for c in ws[1]]
    code = ws.cell(2, 1).value
    ws.cell(2, headers.index("Titel") + 1).value = "Mijn titel"
    out = BytesIO()
    book.save(out)
    # Someone changes that risk's title in the app after the export: a conflict.
    risk = db.session.scalar(db.select(Risk).filter_by(code=code))
    theirs = risk_values(risk, refdata())
    theirs.title = "Hun titel"
    update_risk(risk, theirs, users["chair"], expected_version=risk.version)
    db.session.commit()
    auth.login("chair")
    page = _upload(client, out.getvalue())
    plans = _section(page, "continuity_plans")
    assert _headings(plans) == ["Nieuwe plannen · blad Plannen"]
    assert "Nieuw plan uit Excel" in plans and "<a " not in plans
    register = _section(page, "register")
    assert _headings(register) == ["Conflicterende risico’s · blad Register"]
    assert "Deze rijen zijn na uw export gewijzigd" in register
    assert f'<a href="/risks/{code}">{code}</a>' in register
    assert "Deze risico’s zijn" not in unescape(page)

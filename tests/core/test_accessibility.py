"""axe-core (the copy that the axe-playwright-python package ships, run in Debian's chromium) on the
pages people use most: no serious or critical violation, in Dutch and in English; and the register
and a risk's page fit a 390 px phone."""

import re

import pytest

from conftest import PASSWORD, TEST_USERS

pytestmark = pytest.mark.browser


def _axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT
    return AXE_SCRIPT


def seed(app) -> str:
    from datetime import date

    from lms_risk.auth.models import User
    from lms_risk.extensions import db
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import create_risk

    with app.app_context():
        chair = db.session.scalar(db.select(User).filter_by(email=TEST_USERS["chair"][0]))
        codes = []
        for title, likelihood, impacts, review in (
            ("Uitval GMS Rotterdam door storing datacenter", 4, {"AMB": (5, 5), "POL": (4, 3)},
             date(2020, 1, 1)),
            ("Storing C2000 Limburg", 2, {"POL": (5, 4), "BRW": (3, 2)}, None),
            ("Storing P2000 Oost-Brabant", 5, {"BRW": (4, 4), "AMB": (4, 3)}, None),
            ("Lek persoonsgegevens KMAR", 2, {"KMAR": (4, 4), "LMS": (2, 2)}, None),
        ):
            risk = create_risk(RiskData(
                title=title, bruto_likelihood=likelihood, netto_likelihood=likelihood,
                status="open", owner="Manager ICT", next_review=review, target_level="laag",
                impacts={c: ImpactData(True, b, n, "Toelichting") for c, (b, n) in impacts.items()}),
                chair)
            codes.append(risk.code)
        db.session.commit()
        return codes[0]


def login(page, base, who="chair"):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", TEST_USERS[who][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/risks"))


def serious_violations(page) -> list[str]:
    page.evaluate(_axe_script())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_serious_accessibility_violations(browser, live_server, tmp_path, language):
    app, base = live_server
    code = seed(app)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    found = {}
    page.goto(f"{base}/login")
    found["login"] = serious_violations(page)
    login(page, base)
    if language == "en":
        page.click("button:has-text('English')")
    for name, path in (("register", "/risks?discipline=POL"), ("risk", f"/risks/{code}"),
                       ("edit", f"/risks/{code}/edit"), ("heatmap", "/heatmap?discipline=POL"),
                       ("upload", "/risks/import")):
        page.goto(base + path)
        found[name] = serious_violations(page)
    # the import preview: upload the register's own export
    with page.expect_download() as download:
        page.goto(f"{base}/risks")
        page.click("#export-link")
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    page.goto(f"{base}/risks/import")
    page.set_input_files("input[name=file]", str(path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-summary")
    found["preview"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_register_and_risk_page_fit_a_phone(browser, live_server, language):
    app, base = live_server
    code = seed(app)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    login(page, base, "pol")
    if language == "en":
        page.click("button:has-text('English')")
    page.goto(f"{base}/risks")
    assert _overflow(page) <= 0
    table = page.locator("table.register-table")
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    first = table.locator("tbody tr").first
    # code, title, the user's discipline (POL) priority and the level are on screen
    for cell in ("td.code", "td.title", "td.active-discipline .level-badge"):
        b = first.locator(cell).bounding_box()
        assert b is not None and b["width"] > 0 and b["x"] + b["width"] <= 390, cell
    page.screenshot(path=f"/tmp/fd-shots/phone-register-{language}.png", full_page=True)
    page.goto(f"{base}/risks/{code}")
    page.screenshot(path=f"/tmp/fd-shots/phone-risk-{language}.png", full_page=True)
    assert _overflow(page) <= 0
    page.goto(f"{base}/heatmap?discipline=POL")
    assert _overflow(page) <= 0

"""The BIA page and the risk page's BIA panel in a real browser: a risk is linked from the BIA page
and shows on the risk page with the BIA's MTPD and RTO; axe-core finds no serious or critical
violation on either, in Dutch and in English, at 1366 and 390 pixels. Screenshots go to
``$LMS_RISK_SCREENSHOTS`` when set."""

import os
import re
from pathlib import Path

import pytest

from conftest import PASSWORD, TEST_USERS

pytestmark = pytest.mark.browser


def _axe(page) -> list[str]:
    from axe_playwright_python.base import AXE_SCRIPT
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


WIDE = """(() => {
  const all = [...document.querySelectorAll('body *')];
  const name = e => e.tagName + '.' + e.className;
  return all.filter(e => e.scrollWidth > e.clientWidth + 1
                         && getComputedStyle(e).overflowX == 'visible')
            .map(e => name(e) + ' ' + e.scrollWidth + '/' + e.clientWidth).slice(0, 6)
    .concat(all.filter(e => e.getBoundingClientRect().right > 391
                            && !e.closest('.table-responsive'))
            .map(name).slice(0, 6));
})()"""


def _seed(app):
    from lms_risk.auth.models import User
    from lms_risk.bia.config import load_bia_config
    from lms_risk.bia.fields import BiaData, VersionData
    from lms_risk.bia.services import DependencyInput, add_dependency, create_bia, new_version, \
        update_version
    from lms_risk.extensions import db
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import create_risk

    with app.app_context():
        chair = db.session.scalar(db.select(User).filter_by(email=TEST_USERS["chair"][0]))
        config = load_bia_config()
        bia = create_bia(BiaData(subject="Aanname 112-meldingen", meldkamers=["RTD"],
                                 owner="Hoofd meldkamer"), chair)
        leven = config.category_by_code["LEVEN"]
        grid = {(leven.id, w.id): v for w, v in zip(config.windows, [2, 3, 4, 5, 5, 5])}
        update_version(bia.current, VersionData(rto_minutes=60), grid, {}, chair, config=config)
        add_dependency(bia, DependencyInput(kind="supplier", name="Telecomleverancier",
                                            recovery_minutes=480), chair)
        new_version(bia, chair)  # with "Versies vergelijken", three buttons in the head at 390 px
        create_bia(BiaData(subject="GMS", meldkamers=["RTD"]), chair)  # offered on the risk page
        risk = create_risk(RiskData(title="Uitval 112-telefonie", bruto_likelihood=3,
                                    netto_likelihood=2, status="open",
                                    impacts={"POL": ImpactData(True, 4, 3, "Toelichting")}), chair)
        db.session.commit()
        return bia.code, risk.code


def _shot(page, name):
    folder = os.environ.get("LMS_RISK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_link_a_risk_on_the_bia_page_and_see_it_on_the_risk_page(browser, live_server, language):
    app, base = live_server
    bia_code, risk_code = _seed(app)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{base}/login")
    page.fill("input[name=email]", TEST_USERS["chair"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/risks"))
    if language == "en":
        page.click("button:has-text('English')")
    page.goto(f"{base}/bia/{bia_code}")
    page.fill("#risks input[name=risk]", risk_code)
    page.click("#risks button[type=submit]")
    page.wait_for_url(re.compile(r"#risks$"))
    assert page.locator("#linked-risks").inner_text().count(risk_code) == 1
    violations = {"bia": _axe(page)}
    _shot(page, f"bia-{language}-1366")
    page.goto(f"{base}/risks/{risk_code}")
    panel = page.locator("#panel-bia")
    text = panel.inner_text()
    assert bia_code in text
    assert ("4 u" if language == "nl" else "4 h") in text  # MTPD
    assert ("1 u" if language == "nl" else "1 h") in text  # RTO
    assert page.locator("#link-bia option").all_inner_texts() == ["–", "BIA-002 GMS"]
    violations["risk"] = _axe(page)
    _shot(page, f"risk-panel-{language}-1366")
    page.goto(f"{base}/bia/{bia_code}/versions/1/edit")  # the grid's styles (a file) apply
    assert page.locator("table.bia-grid").evaluate(
        "t => getComputedStyle(t).borderCollapse") == "separate"
    violations["version-form"] = _axe(page)
    _shot(page, f"bia-version-form-{language}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("bia", f"/bia/{bia_code}"), ("risk", f"/risks/{risk_code}")):
        page.goto(base + path)
        violations[f"{name}-390"] = _axe(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width, page.evaluate(WIDE))
        _shot(page, f"{name}-{language}-390")
    assert all(not v for v in violations.values()), violations


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_bia_settings_page(browser, live_server, language):
    app, base = live_server
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{base}/login")
    page.fill("input[name=email]", TEST_USERS["admin"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/risks"))
    if language == "en":
        page.click("button:has-text('English')")
    page.goto(f"{base}/bia/admin")
    page.fill("#windows input[name=code]", "30m")
    page.fill("#windows input[name=minutes]", "30")
    page.fill("#windows input[name=name_nl]", "30 minuten")
    page.click("#windows button[type=submit]")
    page.wait_for_url(re.compile(r"#windows$"))
    assert "30m" in page.locator("#windows table").inner_text()
    violations = {"1366": _axe(page)}
    _shot(page, f"bia-admin-{language}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/bia/admin")
    violations["390"] = _axe(page)
    _shot(page, f"bia-admin-{language}-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (width, page.evaluate(WIDE))
    assert all(not v for v in violations.values()), violations

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


def _sign_in(page, base, who: str, language: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", TEST_USERS[who][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/risks"))
    if language == "en":
        page.click("button:has-text('English')")


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
    _sign_in(page, base, "chair", language)
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
    _sign_in(page, base, "admin", language)
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


def _seed_narrow(app):
    """A BIA with a long name whose chain has slow links, a classification history, and a risk
    linked to it."""
    from lms_risk.auth.models import User
    from lms_risk.bia.config import load_bia_config
    from lms_risk.bia.fields import BiaData, RowData, VersionData
    from lms_risk.bia.services import DependencyInput, add_dependency, classify, create_bia, \
        link_risk, update_version
    from lms_risk.extensions import db
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import create_risk

    with app.app_context():
        chair = db.session.scalar(db.select(User).filter_by(email=TEST_USERS["chair"][0]))
        config = load_bia_config()
        leven = config.category_by_code["LEVEN"]
        grid = {(leven.id, w.id): v for w, v in zip(config.windows, [2, 3, 4, 5, 5, 5])}
        bia = create_bia(BiaData(subject="Aanname en uitvraag van 112-meldingen voor politie, "
                                         "brandweer en ambulancezorg", meldkamers=["RTD"]), chair)
        rows = {leven.id: RowData(justification="Zonder aanname van 112-meldingen komt hulp "
                                                "niet op gang; na een uur lopen levens gevaar.",
                                  quantity=40, unit="112-meldingen per uur")}
        update_version(bia.current, VersionData(rto_minutes=60), grid, rows, chair,
                       config=config)
        middle = create_bia(BiaData(subject="Geïntegreerd meldkamersysteem met koppelingen naar "
                                            "de regionale systemen", meldkamers=["RTD"]), chair)
        update_version(middle.current, VersionData(rto_minutes=240), grid, {}, chair,
                       config=config)
        add_dependency(bia, DependencyInput(kind="bia", target_bia_id=middle.id), chair)
        add_dependency(middle, DependencyInput(kind="supplier", name="Telecomleverancier van het "
                                               "landelijk netwerk", recovery_minutes=480), chair)
        for b, i, v in ((2, 2, 1), (3, 2, 2)):
            classify(bia, b, i, v, chair, reason="Herbeoordeeld na de jaarlijkse oefening van "
                                                 "de meldkamer")
        risk = create_risk(RiskData(title="Uitval 112-telefonie", bruto_likelihood=3,
                                    netto_likelihood=2, status="open",
                                    impacts={"POL": ImpactData(True, 4, 3, "Toelichting")}), chair)
        link_risk(bia, risk, chair)
        db.session.commit()
        return bia.code, risk.code


VISIBLE = """(sel) => [...document.querySelectorAll(sel)].filter(e => {
  const r = e.getBoundingClientRect();
  const box = e.closest('.table-responsive');  /* cut off where its scroll box ends */
  const right = box ? box.getBoundingClientRect().right : document.documentElement.clientWidth;
  return r.width > 0 && (r.left < 0 || r.right > right + 0.5);
}).map(e => e.tagName + '#' + (e.id || e.name || e.textContent.trim().slice(0, 20))
            + ' ' + Math.round(e.getBoundingClientRect().right))"""


SHORT_SELECTS = """[...document.querySelectorAll('table.bia-grid select')].filter(s => {
  const style = getComputedStyle(s);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.fontSize + ' ' + style.fontFamily;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(s.options[s.selectedIndex].text).width > room + 1;
}).map(s => s.name + ': ' + s.options[s.selectedIndex].text + ' in ' + s.clientWidth)"""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_bia_pages_read_well_at_390_pixels(browser, live_server, language):
    """At 390 px nothing a user needs is cut off inside a scrolling table (the version form's
    fields, the admin's edit links, the risk panel's unlink button), the score selects show
    their label, the BIV history scrolls in its own box and a chain warning names each BIA by its
    code only; at 1366 px the pages still have no horizontal scroll."""
    app, base = live_server
    bia_code, risk_code = _seed_narrow(app)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _sign_in(page, base, "admin", language)
    problems = {}
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
        for name, path in (("version-form", f"/bia/{bia_code}/versions/1/edit"),
                           ("bia", f"/bia/{bia_code}"), ("admin", "/bia/admin"),
                           ("risk", f"/risks/{risk_code}")):
            page.goto(base + path)
            if name == "bia":
                page.click("#biv summary")
            problems[f"{name}-{width}-page"] = max(
                0, page.evaluate("document.documentElement.scrollWidth") - width)
            clipped = page.evaluate(VISIBLE, "form textarea, form input:not([type=hidden]), "
                                             "form select, #windows td a, #categories td a, "
                                             "#panel-bia button, #linked-risks button, "
                                             "#chain-warnings li")
            problems[f"{name}-{width}-clipped"] = clipped if width == 390 else []
            _shot(page, f"narrow-{name}-{language}-{width}")
            if name == "version-form":
                # a score select is wide enough for its label ("4 – Ernstig"), not just "4 –"
                assert page.evaluate(SHORT_SELECTS) == [], width
            if name == "bia":
                warnings = page.locator("#chain-warnings").inner_text()
                assert "Telecomleverancier" in warnings and "BIA-002" in warnings
                # the BIAs' subjects (each warning names them again) only where there is room
                assert ("Aanname en uitvraag" in warnings) == (width == 1366), warnings
                history = page.locator(".history-table").evaluate(
                    "t => getComputedStyle(t.parentElement).overflowX")
                assert history == "auto", history
    assert not any(problems.values()), problems

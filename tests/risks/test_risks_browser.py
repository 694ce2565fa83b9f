"""In headless Chromium: the chair archives a risk with a reason and sees it leave the register; an
admin finds it under Status: Gearchiveerd and restores it. The edit form fits a 390 px phone. Every
page passes axe-core without serious or critical violations."""

import os
import re

import pytest

from conftest import PASSWORD, TEST_USERS

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("LMS_RISK_SHOTS")  # a folder: keep screenshots of the pages for a look


def seed(app) -> str:
    from datetime import date

    from lms_risk.auth.models import User
    from lms_risk.extensions import db
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import create_risk

    with app.app_context():
        chair = db.session.scalar(db.select(User).filter_by(email=TEST_USERS["chair"][0]))
        codes = []
        for title, impacts in (
            ("Uitval GMS Rotterdam door storing in het datacenter van de meldkamer",
             {"AMB": (5, 5), "POL": (4, 3), "BRW": (4, 2), "KMAR": (2, 1), "LMS": (3, 3)}),
            ("Storing C2000 Limburg", {"POL": (5, 4)}),
        ):
            risk = create_risk(RiskData(
                title=title, bruto_likelihood=4, netto_likelihood=3, status="open",
                owner="Manager ICT", next_review=date(2027, 3, 1), target_level="laag",
                category="ICT", meldkamers=["RTD"],
                impacts={c: ImpactData(True, b, n, "Een toelichting van een paar woorden")
                         for c, (b, n) in impacts.items()}), chair)
            codes.append(risk.code)
        db.session.commit()
        return codes[0]


def login(browser, base, who, language="nl", width=1366):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", TEST_USERS[who][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/risks"))
    if language == "en":
        page.click("button:has-text('English')")
        page.wait_for_load_state()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() of data-confirm forms
    return page


def serious_violations(page) -> list[str]:
    from axe_playwright_python.base import AXE_SCRIPT
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def overflow(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def shot(page, name, part=None):
    """A full-page screenshot, and of ``part`` (a selector) alone, in the folder LMS_RISK_SHOTS."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
        if part:
            page.locator(part).first.screenshot(path=os.path.join(SHOTS, f"{name}-part.png"))


def test_archive_with_a_reason_then_restore_as_admin(browser, live_server):
    app, base = live_server
    code = seed(app)
    page = login(browser, base, "chair")
    page.goto(f"{base}/risks/{code}")
    page.click("#archive-link")
    # the browser asks for the reason before anything is sent
    page.click("#archive-form button[type=submit]")
    assert page.url.endswith(f"/risks/{code}#archive-section")
    page.fill("#archive-reason", "Dubbel met R-0002")
    page.click("#archive-form button[type=submit]")
    page.wait_for_url(re.compile(r"/risks$"))
    assert "gearchiveerd" in page.locator(".alert-success").inner_text()
    assert code not in page.locator("table.register-table").inner_text()
    assert page.locator("#result-count").inner_text().startswith("1 ")
    page.close()

    page = login(browser, base, "admin")
    page.select_option("#f-status", "gearchiveerd")
    page.select_option("#f-discipline", "all")
    page.click("button:has-text('Filteren')")
    page.wait_for_url(re.compile(r"status=gearchiveerd"))
    assert page.locator("#archived-view").is_visible()
    assert serious_violations(page) == []
    page.click(f"table.register-table a:has-text('{code}')")
    banner = page.locator("#archived-banner")
    assert "Gearchiveerd op" in banner.inner_text() and "Dubbel met R-0002" in banner.inner_text()
    assert page.locator("a:has-text('Bewerken')").count() == 0
    assert serious_violations(page) == []
    shot(page, "archived-risk-1366-nl", "#archived-banner")
    page.fill("#restore-reason", "Toch een eigen risico")
    page.click("#restore-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/risks/{code}$"))
    assert page.locator("#archived-banner").count() == 0
    assert "hersteld" in page.locator(".alert-success").inner_text()
    page.goto(f"{base}/risks?discipline=all")
    assert code in page.locator("table.register-table").inner_text()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_edit_form_and_risk_page_fit_a_phone(browser, live_server, language):
    app, base = live_server
    code = seed(app)
    for width in (390, 1366):
        page = login(browser, base, "chair", language, width=width)
        page.goto(f"{base}/risks/{code}/edit")
        if width == 390:
            assert overflow(page) <= 0
            # each discipline a card: its fields one above the other, within the screen
            grid = page.locator("table.impact-grid")
            box = grid.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
            for name in ("AMB-netto_impact", "LMS-rationale"):
                field = page.locator(f"[name='{name}']").bounding_box()
                assert field["x"] >= 0 and field["x"] + field["width"] <= 390, name
        assert serious_violations(page) == []
        shot(page, f"edit-{width}-{language}", "fieldset:has(.impact-grid)")
        page.goto(f"{base}/risks/{code}")
        if width == 390:
            assert overflow(page) <= 0
        shot(page, f"risk-{width}-{language}", "h1")
        page.close()
    # the admin's page of an archived risk: banner, restore and delete forms, on a phone too
    from lms_risk.auth.models import User
    from lms_risk.extensions import db
    from lms_risk.risks.models import Risk
    from lms_risk.risks.services import archive_risk
    with app.app_context():
        admin = db.session.scalar(db.select(User).filter_by(email=TEST_USERS["admin"][0]))
        archive_risk(db.session.scalar(db.select(Risk).filter_by(code=code)),
                     "Samengevoegd met een ander risico over het datacenter", admin)
        db.session.commit()
    page = login(browser, base, "admin", language, width=390)
    page.goto(f"{base}/risks/{code}")
    assert overflow(page) <= 0
    assert serious_violations(page) == []
    shot(page, f"archived-risk-390-{language}", "#archived-banner")

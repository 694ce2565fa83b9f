"""In a real browser: record an exercise, see the missed RTO flagged, turn a finding into a risk;
axe-core on every continuity page (no serious or critical violation) in Dutch and English; the
pages fit a 390 px phone. Screenshots go to /tmp/cont-shots/ to look at."""

import os
import re
from datetime import date, timedelta

import pytest

from conftest import PASSWORD, TEST_USERS

pytestmark = pytest.mark.browser
SHOTS = "/tmp/cont-shots"


def serious_violations(page) -> list[str]:
    """axe-core (the copy axe-playwright-python ships): serious and critical violations."""
    from axe_playwright_python.base import AXE_SCRIPT
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def seed(app, with_miss=False) -> dict:
    from sqlalchemy import select

    from lms_risk.auth.models import User
    from lms_risk.bia.config import load_bia_config
    from lms_risk.bia.fields import BiaData, VersionData
    from lms_risk.bia.services import create_bia, update_version
    from lms_risk.continuity.fields import ExerciseData, PlanData, StepData
    from lms_risk.continuity.services import approve_plan, create_plan, link_risk, \
        record_exercise
    from lms_risk.extensions import db
    from lms_risk.risks.fields import ImpactData, RiskData
    from lms_risk.risks.services import create_risk

    with app.app_context():
        chair = db.session.scalar(select(User).filter_by(email=TEST_USERS["chair"][0]))
        bia = create_bia(BiaData(subject="GMS", voorziening="GMS", meldkamers=["RTD"]), chair)
        update_version(bia.current, VersionData(rto_minutes=30), {}, {}, chair,
                       config=load_bia_config())
        plan = create_plan(PlanData(
            title="Uitwijk GMS Rotterdam naar Den Haag", meldkamer="RTD", voorziening="GMS",
            status="actief", fallback_meldkamer="DH", fallback_kind="uitwijk", target_minutes=20,
            scope="GMS-uitval in Rotterdam", decided_by="Calamiteitencoördinator",
            steps=[StepData(description="Besluit tot uitwijk", responsible="CaCo",
                            target_minutes=5),
                   StepData(description="Werkplekken in Den Haag activeren",
                            responsible="Teamleider", target_minutes=20)]), chair)
        plan.bia = bia
        other = create_plan(PlanData(title="Overname 112 Den Haag", meldkamer="DH",
                                     voorziening="TEL112", status="actief",
                                     fallback_meldkamer="RTD", fallback_kind="overname"), chair)
        approve_plan(other, chair)
        record_exercise(other, ExerciseData(held_on=date.today() - timedelta(days=500),
                                            kind="tabletop", achieved_minutes=10,
                                            result="geslaagd"), chair)
        if with_miss:
            record_exercise(plan, ExerciseData(
                held_on=date.today() - timedelta(days=30), kind="failover", achieved_minutes=45,
                result="niet_geslaagd", scenario="Datacenter Rotterdam valt uit",
                findings=["Wachtwoorden uitwijklocatie ontbraken", "Kaarten verouderd"]), chair)
        risk = create_risk(RiskData(title="Uitval GMS", bruto_likelihood=4, netto_likelihood=4,
                                    status="open", impacts={"AMB": ImpactData(True, 5, 5, "")}),
                           chair)
        link_risk(other, risk, chair)
        link_risk(plan, risk, chair)
        db.session.commit()
        return {"plan": plan.code, "other": other.code, "risk": risk.code}


def login(page, base, who):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", TEST_USERS[who][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/risks"))


def test_record_an_exercise_see_the_rto_miss_and_make_a_risk(browser, live_server):
    app, base = live_server
    codes = seed(app)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, base, "pol_rtd")  # member of POL and continuity coordinator of RTD
    found = {}
    page.goto(f"{base}/continuity/plans/{codes['plan']}")
    found["plan"] = serious_violations(page)
    page.click("text=Oefening vastleggen")
    found["exercise form"] = serious_violations(page)
    page.select_option("select[name=kind]", "failover")
    page.fill("input[name=achieved_minutes]", "45")
    page.select_option("select[name=result]", "niet_geslaagd")
    page.fill("textarea[name=scenario]", "Datacenter Rotterdam valt uit")
    page.fill("textarea[name=findings]", "Wachtwoorden uitwijklocatie ontbraken\nKaarten oud")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_selector("#rto-alert")
    alert = page.inner_text("#rto-alert")
    assert "RTO niet gehaald" in alert and "45 min" in alert and "30 min" in alert
    found["exercise"] = serious_violations(page)
    page.locator("li.finding").first.locator("text=Maak risico").click()
    assert page.input_value("input[name=title]") == "Wachtwoorden uitwijklocatie ontbraken"
    found["finding to risk"] = serious_violations(page)
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(re.compile(r"/risks/R-\d+$"))
    panel = page.inner_text("#panel-continuity")
    assert codes["plan"] in panel and "boven RTO (30 min)" in panel
    found["risk page"] = serious_violations(page)
    for name, path in (("overview", "/continuity"), ("plans", "/continuity/plans"),
                       ("plan form", f"/continuity/plans/{codes['plan']}/edit"),
                       ("new plan", "/continuity/plans/new")):
        page.goto(base + path)
        found[name] = serious_violations(page)
    page.goto(f"{base}/continuity")
    assert codes["plan"] in page.inner_text("#list-over-rto")
    assert {k: v for k, v in found.items() if v} == {}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_continuity_pages_in_both_languages_and_on_a_phone(browser, live_server, language):
    app, base = live_server
    codes = seed(app, with_miss=True)
    os.makedirs(SHOTS, exist_ok=True)
    pages = [("overview", "/continuity"), ("takeover", "/continuity/takeover"),
             ("plans", "/continuity/plans"),
             ("plan", f"/continuity/plans/{codes['plan']}"),
             ("plan-form", f"/continuity/plans/{codes['plan']}/edit"),
             ("exercise-form", f"/continuity/plans/{codes['plan']}/exercises/new"),
             ("exercise", "/continuity/exercises/OEF-0002"),
             ("risk", f"/risks/{codes['risk']}"),
             ("finding-risk", "/continuity/findings/1/risk")]
    for width in (1366, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        login(page, base, "chair")
        if language == "en":
            page.click("button:has-text('English')")
        for name, path in pages:
            page.goto(base + path)
            page.screenshot(path=f"{SHOTS}/{name}-{width}-{language}.png", full_page=True)
            assert page.locator("h1").count() == 1, path
            if language == "en":
                assert "Continuity" in page.text_content("nav"), path
            if width == 390:  # wide tables (the matrix) scroll inside their own box
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - window.innerWidth")
                wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(
                    e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(-3)
                    .map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))""")
                assert overflow <= 0, (path, overflow, wide)
            if name == "risk":  # the plans panel's buttons are not cut off by its table's box
                cut = page.evaluate("""[...document.querySelectorAll('#panel-continuity button')]
                    .filter(b => b.offsetParent !== null && b.closest('.table-responsive'))
                    .filter(b => b.getBoundingClientRect().right > b.closest('.table-responsive')
                                 .getBoundingClientRect().right + 1)
                    .map(b => b.getAttribute('aria-label'))""")
                assert cut == [], (width, cut)
            if language == "nl" or width == 1366:
                found = serious_violations(page)
                assert found == [], (path, found)
        page.close()

"""A chair in headless Chromium: sets up the required second factor at first sign-in, signs out,
and signs in again with a password and a code from the authenticator app."""

import re
import time

import pyotp
import pytest

from conftest import PASSWORD, TEST_USERS

pytestmark = pytest.mark.browser


def test_sign_in_with_a_second_factor(browser, live_server, tmp_path):
    app, base = live_server
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("admin", "chair")
    page = browser.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", TEST_USERS["chair"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(re.compile(r"/account/second-factor"))
    assert "voor uw rol is die verplicht" in page.content()
    assert page.locator("img.qr-code").evaluate("img => img.naturalWidth") > 100  # drawn, shown
    secret = page.locator("#totp-secret").inner_text()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]:has-text('Tweede factor instellen')")
    assert page.locator("#recovery-codes li").count() == 10
    page.screenshot(path=str(tmp_path / "recovery.png"), full_page=True)

    page.click("button:has-text('Uitloggen')")
    page.wait_for_url(re.compile(r"/login"))
    page.fill("input[name=email]", TEST_USERS["chair"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(re.compile(r"/login/second-factor"))
    # the next 30-second step: the code used at enrolment works only once
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("button[type=submit]:has-text('Bevestigen')")
    page.wait_for_url(re.compile(r"/risks"))
    assert page.locator("h1").inner_text().startswith("Risicoregister")

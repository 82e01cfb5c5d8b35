"""A call-taker's 112 journey in a real headless Chromium (Debian's chromium + chromium-driver).

Skipped only where the browser is absent; in CI (``CI=true``) a missing browser fails. The
journey's last page is saved as a screenshot under the test's tmp_path
(``pytest --basetemp=shots ...`` keeps it).
"""
from __future__ import annotations

import json
import os
import urllib.request

import pytest

from ragem.testing import chromium_missing, click_and_load, create_account, headless_chromium, live_server

from .conftest import incident_body, idem

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

if chromium_missing() and os.environ.get("CI") != "true":
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)


def _api_post(base: str, path: str, headers: dict, body: dict) -> dict:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def test_a_call_taker_sees_a_new_incident_arrive_without_a_reload_and_claims_it(app, login_as, tmp_path):
    citizen = login_as("citizen")
    _uid, phone, password = create_account(app, "officer", opd="DISKOMINFO")
    with live_server(app) as base, headless_chromium(tmp_path / "profile") as browser:
        browser.get(f"{base}/console/login")
        browser.find_element(By.ID, "identifier").send_keys(phone)
        browser.find_element(By.ID, "password").send_keys(password)
        click_and_load(browser, browser.find_element(By.ID, "login"))
        click_and_load(browser, browser.find_element(By.LINK_TEXT, "Antrean 112"))
        assert "Tidak ada kejadian terbuka." in browser.find_element(By.ID, "incident-queue").text
        # A mark on this very document: a reload would lose it.
        browser.execute_script("document.body.setAttribute('data-loaded-once', 'yes')")

        raised = _api_post(base, "/api/v1/darurat112/incidents", idem({"Authorization": citizen["Authorization"]}),
                           incident_body(type="fire", description="Api dari dapur rumah makan."))
        row_css = f'#incident-queue tr[data-id="{raised["id"]}"]'
        row = WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, row_css))[0]
        assert raised["number"] in row.text and "Kebakaran" in row.text and "baru" in row.text
        assert browser.execute_script("return document.body.getAttribute('data-loaded-once')") == "yes"
        browser.save_screenshot(str(tmp_path / "queue-live.png"))

        click_and_load(browser, row.find_element(By.LINK_TEXT, raised["number"]))
        click_and_load(browser, browser.find_element(By.ID, "claim"))
        assert "Kejadian Anda tangani." in browser.find_element(By.CSS_SELECTOR, ".flash").text
        assert "ditangani" in browser.find_element(By.ID, "incident-state").text
        assert "Ditangani" in browser.find_element(By.ID, "timeline").text
        # Nothing the console's Content-Security-Policy blocked (the live script included).
        blocked = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
        assert blocked == []
        browser.set_window_size(1366, browser.execute_script("return document.documentElement.scrollHeight"))
        browser.save_screenshot(str(tmp_path / "incident-claimed.png"))

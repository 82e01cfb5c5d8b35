"""An officer's RABEG journey in a real headless Chromium (Debian's chromium + chromium-driver).

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

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402

if chromium_missing() and os.environ.get("CI") != "true":
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)


def _api_get(base: str, path: str, headers: dict) -> dict:
    request = urllib.request.Request(base + path, headers={"Authorization": headers["Authorization"]})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def test_an_officer_finds_a_new_complaint_responds_and_resolves_it(app, client, login_as, file_complaint, tmp_path):
    citizen = login_as("citizen")
    filed = file_complaint(citizen)  # a damaged road: DPUPR's
    _uid, phone, password = create_account(app, "officer", opd="DPUPR")
    with live_server(app) as base, headless_chromium(tmp_path / "profile") as browser:
        browser.get(f"{base}/console/login")
        browser.find_element(By.ID, "identifier").send_keys(phone)
        browser.find_element(By.ID, "password").send_keys(password)
        click_and_load(browser, browser.find_element(By.ID, "login"))
        click_and_load(browser, browser.find_element(By.LINK_TEXT, "Antrean pengaduan"))
        row = browser.find_element(By.CSS_SELECTOR, f'#queue tr[data-id="{filed["id"]}"]')
        assert "diteruskan ke OPD" in row.text  # new: assigned to the OPD at filing
        browser.save_screenshot(str(tmp_path / "queue.png"))
        click_and_load(browser, row.find_element(By.LINK_TEXT, filed["public_number"]))
        assert filed["public_number"] in browser.find_element(By.ID, "complaint-number").text

        browser.find_element(By.ID, "respond-message").send_keys("Tim kami akan menambal lubang besok pagi.")
        click_and_load(browser, browser.find_element(By.ID, "respond"))
        assert "Tanggapan terkirim ke pelapor." in browser.find_element(By.CSS_SELECTOR, ".flash").text

        Select(browser.find_element(By.ID, "transition-to")).select_by_value("resolved")
        browser.find_element(By.ID, "transition-message").send_keys("Lubang sudah ditambal. Terima kasih.")
        click_and_load(browser, browser.find_element(By.ID, "transition"))
        assert "selesai ditangani" in browser.find_element(By.ID, "complaint-number").text
        assert "Lubang sudah ditambal." in browser.find_element(By.ID, "timeline").text
        # The whole page in one picture: the response and the resolution are at the timeline's end.
        browser.set_window_size(1366, browser.execute_script("return document.documentElement.scrollHeight"))
        browser.save_screenshot(str(tmp_path / "officer-resolves-complaint.png"))

        seen = _api_get(base, f"/api/v1/rabeg/complaints/{filed['id']}", citizen)
    assert seen["state"] == "resolved" and seen["resolved_at"]
    said = [entry["public_message"] for entry in seen["timeline"]]
    assert "Tim kami akan menambal lubang besok pagi." in said and "Lubang sudah ditambal. Terima kasih." in said

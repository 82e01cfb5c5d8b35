"""The console's journeys in a real headless Chromium (Debian's chromium + chromium-driver).

Skipped only where the browser is absent; in CI (``CI=true``) a missing browser fails. Each
journey saves a screenshot of its last page under the test's tmp_path.
"""
from __future__ import annotations

import os
import time
import urllib.error
import urllib.request

import pytest

from throwaway import SERVICE, throwaway_services

from ragem.testing import bearer, chromium_missing, click_and_load, create_account, headless_chromium
from ragem.testing import live_server as serve_live

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


if chromium_missing() and os.environ.get("CI") != "true":
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)


@pytest.fixture
def app(make_app):
    return make_app(extra_plugins=throwaway_services())


@pytest.fixture
def live_server(app):
    """The app served by a threaded werkzeug server on a free port: its base URL."""
    with serve_live(app) as base:
        yield base


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium at an office screen's size (1366x768)."""
    with headless_chromium(tmp_path / "profile", downloads_dir=tmp_path / "downloads") as driver:
        yield driver


def _log_in(browser, base, identifier, password):
    browser.get(f"{base}/console/login")
    browser.find_element(By.ID, "identifier").send_keys(identifier)
    browser.find_element(By.ID, "password").send_keys(password)
    click_and_load(browser, browser.find_element(By.ID, "login"))


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_admin_switches_a_service_off_and_its_api_answers_503(app, live_server, browser, tmp_path):
    _uid, phone, password = create_account(app, "admin")
    assert _status(f"{live_server}/api/v1/{SERVICE}/health") == 200
    _log_in(browser, live_server, phone, password)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dasbor"
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Layanan"))
    card = browser.find_element(By.ID, f"service-{SERVICE}")
    card.find_element(By.NAME, "reason").send_keys("Perbaikan server")
    card.find_element(By.TAG_NAME, "summary").click()
    card.find_element(By.NAME, "message_id").send_keys("Sedang diperbaiki.")
    click_and_load(browser, card.find_element(By.CSS_SELECTOR, "button.danger"))
    card = browser.find_element(By.ID, f"service-{SERVICE}")
    assert "Nonaktif" in card.find_element(By.TAG_NAME, "h2").text
    assert "Perbaikan server" in card.text
    browser.save_screenshot(str(tmp_path / "admin-switches-service-off.png"))
    assert _status(f"{live_server}/api/v1/{SERVICE}/health") == 503
    catalog = urllib.request.urlopen(f"{live_server}/api/v1/services", timeout=30).read().decode()
    assert SERVICE not in catalog  # citizens no longer see it


def test_an_officer_sees_the_dashboard_but_not_the_services_page(app, live_server, browser, tmp_path):
    _uid, phone, password = create_account(app, "officer")
    _log_in(browser, live_server, phone, password)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dasbor"
    assert SERVICE in browser.find_element(By.ID, "services").get_attribute("innerHTML")
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".nav a")]
    # The core's services page is not offered (an installed plugin may add pages of its own).
    assert "Dasbor" in links and "Layanan" not in links
    browser.get(f"{live_server}/console/services")
    assert "tidak berhak" in browser.find_element(By.ID, "error").text
    browser.save_screenshot(str(tmp_path / "officer-services-forbidden.png"))


def test_a_citizen_cannot_log_in(app, live_server, browser, tmp_path):
    _uid, phone, password = create_account(app, "citizen")
    _log_in(browser, live_server, phone, password)
    assert "aplikasi RAGEM" in browser.find_element(By.ID, "error").text
    browser.get(f"{live_server}/console/")
    assert browser.current_url.startswith(f"{live_server}/console/login")
    browser.save_screenshot(str(tmp_path / "citizen-refused.png"))


def test_on_a_phone_in_english(app, live_server, browser, tmp_path):
    _uid, phone, password = create_account(app, "admin")
    browser.set_window_size(390, 844)
    _log_in(browser, live_server, phone, password)
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "button[name=lang][value=en]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    browser.save_screenshot(str(tmp_path / "phone-dashboard-english.png"))
    click_and_load(browser, browser.find_element(By.ID, "logout"))
    assert browser.current_url.startswith(f"{live_server}/console/login")


def _api_status(url: str, headers: dict) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_admin_suspends_an_account_and_its_api_token_stops_working(app, live_server, browser, tmp_path):
    _uid, phone, password = create_account(app, "admin")
    officer_id, officer_phone, _password = create_account(app, "officer")
    token = bearer(app, officer_id)
    assert _api_status(f"{live_server}/api/v1/me", token) == 200
    _log_in(browser, live_server, phone, password)
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Akun"))
    browser.find_element(By.NAME, "q").send_keys(officer_phone)
    click_and_load(browser, browser.find_element(By.ID, "search"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#accounts tbody tr[data-id]")
    assert [row.get_attribute("data-id") for row in rows] == [officer_id]
    click_and_load(browser, rows[0].find_element(By.TAG_NAME, "a"))
    browser.find_element(By.ID, "suspension-reason").send_keys("Akun dipakai orang lain")
    click_and_load(browser, browser.find_element(By.ID, "suspend"))
    assert browser.find_element(By.ID, "account-state").text == "Ditangguhkan"
    assert "ditangguhkan" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    browser.save_screenshot(str(tmp_path / "admin-suspends-account.png"))
    assert _api_status(f"{live_server}/api/v1/me", token) == 401


def test_the_evaluation_page_shows_a_chart_and_downloads_the_csv(app, live_server, browser, tmp_path):
    _uid, phone, password = create_account(app, "admin")
    _log_in(browser, live_server, phone, password)
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Evaluasi"))
    click_and_load(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Tahun ini"))
    chart = browser.find_element(By.ID, "kpi-chart")
    assert chart.size["width"] > 300 and chart.size["height"] > 30
    bars = chart.find_elements(By.CSS_SELECTOR, "g.kpi-bar")
    keys = [row.get_attribute("data-key") for row in browser.find_elements(By.CSS_SELECTOR, "#kpis tbody tr[data-key]")]
    assert "core.new_accounts" in keys and len(bars) == len(keys)
    browser.save_screenshot(str(tmp_path / "evaluation-chart.png"))
    browser.find_element(By.ID, "csv").click()
    downloads = tmp_path / "downloads"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(downloads.glob("*.csv")):
        time.sleep(0.2)
    [csv_file] = downloads.glob("ragem-evaluation-*.csv")
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("period,key,service") and any(",core.new_accounts,core," in line for line in lines)


def _policy_violations(browser) -> list[str]:
    """What the page's Content-Security-Policy blocked, as Chromium logged it."""
    return [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]


def test_console_pages_are_styled_under_their_content_security_policy(app, live_server, browser, tmp_path):
    _uid, phone, password = create_account(app, "admin")
    _log_in(browser, live_server, phone, password)
    # The style sheet applied (the policy allows the console's own file): the body is not the
    # browser's default font.
    rules = browser.execute_script("return [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0)")
    assert rules > 10
    assert _policy_violations(browser) == []
    browser.save_screenshot(str(tmp_path / "dashboard-under-csp.png"))


def test_the_api_docs_page_works_under_its_content_security_policy(live_server, browser, tmp_path):
    browser.get(f"{live_server}/api/docs")
    # Swagger UI ran (its script and the page's inline start-up script were allowed), fetched
    # /openapi.yaml (connect-src) and drew an operation of the contract.
    WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock-summary-path[data-path='/healthz']")
    )
    assert "RAGEM API" in browser.find_element(By.CSS_SELECTOR, ".info .title").text
    assert _policy_violations(browser) == []
    browser.save_screenshot(str(tmp_path / "api-docs-under-csp.png"))

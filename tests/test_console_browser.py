"""The console's journeys in a real headless Chromium (Debian's chromium + chromium-driver).

Skipped only where the browser is absent; in CI (``CI=true``) a missing browser fails. Each
journey saves a screenshot of its last page under the test's tmp_path.
"""
from __future__ import annotations

import os
import shutil
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from throwaway import SERVICE, throwaway_services

from ragem.testing import create_account

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


def _browser_missing() -> bool:
    return not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER))


if _browser_missing() and os.environ.get("CI") != "true":
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)


@pytest.fixture
def app(make_app):
    return make_app(extra_plugins=throwaway_services())


@pytest.fixture
def live_server(app):
    """The app served by a threaded werkzeug server on a free port: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium at an office screen's size (1366x768)."""
    assert not _browser_missing(), "install Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768",
                     f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    # The browser's console log: where Chromium reports what a Content-Security-Policy blocked.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _click_and_load(browser, element) -> None:
    """Click ``element`` and wait until the browser has left the page (a form post or a link)."""
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(page))


def _log_in(browser, base, identifier, password):
    browser.get(f"{base}/console/login")
    browser.find_element(By.ID, "identifier").send_keys(identifier)
    browser.find_element(By.ID, "password").send_keys(password)
    _click_and_load(browser, browser.find_element(By.ID, "login"))


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
    _click_and_load(browser, browser.find_element(By.LINK_TEXT, "Layanan"))
    card = browser.find_element(By.ID, f"service-{SERVICE}")
    card.find_element(By.NAME, "reason").send_keys("Perbaikan server")
    card.find_element(By.TAG_NAME, "summary").click()
    card.find_element(By.NAME, "message_id").send_keys("Sedang diperbaiki.")
    _click_and_load(browser, card.find_element(By.CSS_SELECTOR, "button.danger"))
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
    assert SERVICE in browser.find_element(By.TAG_NAME, "table").get_attribute("innerHTML")
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
    _click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "button[name=lang][value=en]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    browser.save_screenshot(str(tmp_path / "phone-dashboard-english.png"))
    _click_and_load(browser, browser.find_element(By.ID, "logout"))
    assert browser.current_url.startswith(f"{live_server}/console/login")


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

"""The hunt report in a real browser: Debian's chromium, headless, driven by selenium through
Debian's chromedriver. It opens the report of the hand-written hunt (fixtures/hunt_report), shows
its risk objects, findings and chart, runs no script, and asks for nothing from outside: every
request the page made (Chrome's network log) and every resource it loaded (the Resource Timing
entries) is the report itself. A control page with one outside image shows the check can fail.

.ci/run installs chromium and chromium-driver; elsewhere the test skips, saying so.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromedriver: apt-get install chromium chromium-driver")

pytest.importorskip("jinja2", reason="the report extra: pip install 'spl-cloudtrail[report]'")
pytest.importorskip("matplotlib", reason="the report extra: pip install 'spl-cloudtrail[report]'")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the test extra)")

from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from spl.hunt import report  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "hunt_report" / "hunt.json"
EVE = "eve<script>alert(1)</script>"
# Headless as root in a container, with none of Chrome's own background traffic.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,2000"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver, path: Path) -> str:
    """Load ``path``, drop the logs of earlier pages; the page's file URL."""
    driver.get_log("performance")
    driver.get_log("browser")
    url = path.as_uri()
    driver.get(url)
    return url


def requests_outside(driver, own_url: str) -> list[str]:
    """Every URL the page asked for, by the network log (the requests made from its document;
    the browser's own start page logs there too) and by Resource Timing, that is neither the
    page itself nor a data: URL."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message["params"]
        if message["method"] == "Network.requestWillBeSent" and \
                params.get("documentURL") == own_url:
            urls.append(params["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.append(params["url"])
    urls += driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    return [u for u in urls if u != own_url and not u.startswith("data:")]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "hunt.html"
    report.write_report(path, json.loads(FIXTURE.read_text(encoding="utf-8")))
    return path


@pytest.fixture
def page(browser, written):
    return browser, open_page(browser, written)


def test_loads_nothing_from_outside(page):
    driver, url = page
    assert requests_outside(driver, url) == []
    assert driver.execute_script("return document.scripts.length") == 0
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018  (the hostile values raised no alert)
    # nothing refused either: the page's own styles pass its Content-Security-Policy
    assert [e["message"] for e in driver.get_log("browser")] == []


def test_the_check_sees_an_outside_load(browser, tmp_path):
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><p>x</p><img src="http://127.0.0.1:9/pixel.png">',
                       encoding="utf-8")
    url = open_page(browser, control)
    assert "http://127.0.0.1:9/pixel.png" in requests_outside(browser, url)


def test_shows_objects_and_findings(page):
    driver, _ = page
    text = driver.find_element(By.TAG_NAME, "body").text
    for shown in ("bob", EVE, "multiple_tactics (100)",
                  "user bob has excessive number of api calls 57 from these services",
                  "User bob created a policy version that allows them to access any resource",
                  f"User {EVE} failed to pass MFA challenge",
                  "#1 AWS Excessive Security Scanning",
                  "#2 AWS Create Policy Version to allow all resources",
                  "#3 AWS Console Login Failed During MFA Challenge",
                  "data source Okta is not in the data"):
        assert shown in text, shown
    cells = driver.find_elements(By.CSS_SELECTOR, "#objects td")
    assert [c.text for c in cells[:4]] == ["user", "bob", "100", "2"]
    assert [c.text for c in cells[8:12]] == ["user", EVE, "72", "1"]
    assert len(driver.find_elements(By.CSS_SELECTOR, "section.finding")) == 3
    link = driver.find_element(By.LINK_TEXT, "T1078.004")
    assert link.get_attribute("href") == "https://attack.mitre.org/techniques/T1078/004/"


def test_chart_is_drawn(page):
    driver, _ = page
    svg = driver.find_element(By.CSS_SELECTOR, "#timeline svg")
    assert svg.is_displayed()
    assert svg.size["width"] > 300 and svg.size["height"] > 50
    labels = [t.text for t in svg.find_elements(By.TAG_NAME, "text")]
    assert "user: bob" in labels and f"user: {EVE}" in labels
    # one mark per risk event, in its object's row (the group's id): two for bob, one for eve
    marks = driver.execute_script(
        "return [0, 1].map(row => [...document.querySelectorAll("
        "`#risk-object-${row} path, #risk-object-${row} use`)]"
        ".filter(e => !e.closest('defs')).length)")
    assert marks == [2, 1]


def test_one_click_selects_a_drilldown_search(page):
    driver, _ = page
    search = driver.find_elements(By.CSS_SELECTOR, "pre.search")[1]
    driver.execute_script("arguments[0].scrollIntoView()", search)
    search.click()
    selected = driver.execute_script("return window.getSelection().toString()")
    assert selected == '| from datamodel Risk.All_Risk\n| search normalized_risk_object IN ("bob")'

"""`pantau serve` in a real browser: Debian's headless chromium driven by Selenium through
Debian's chromium-driver walks the main journeys against a served Kab. Bandung analyst copy,
and keeps a screenshot of every page under var/test-artifacts/web/ (git-ignored)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pantau.models import cases
from test_web import _free_port, serve, write_toml

from pantau.web import users

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "var" / "test-artifacts" / "web"
PASSWORD = "kata-sandi-uji-1"  # noqa: S105 - a test user's password


def _drivers() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.skip("Debian's chromium and chromium-driver are not installed (`make test` "
                    "installs them with apt-get install -y chromium chromium-driver)")
    return browser, driver


@pytest.fixture(scope="module")
def site(bandung_analyst, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("browser")
    config = write_toml(tmp, bandung_analyst)
    users.add(tmp / "users.txt", "ani", PASSWORD)
    port = _free_port()
    proc = serve(config, port)
    yield f"http://127.0.0.1:{port}", tmp
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator:
    chromium, chromedriver = _drivers()
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not look for drivers online
    from selenium import webdriver  # noqa: PLC0415
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def shot(driver, name: str) -> None:
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 5000


def by_id(driver, element_id: str):
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    return driver.find_element(By.ID, element_id)


def click(driver, element) -> None:
    """Click what leads to a new page, and wait until the browser has left the old one."""
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: PLC0415

    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(lambda _d: _gone(old))


def _gone(old) -> bool:
    """The old page's root is no longer in the document. Chromium says so as a stale element,
    or, under load, as "Node with given id does not belong to the document"."""
    from selenium.common.exceptions import WebDriverException  # noqa: PLC0415

    try:
        old.is_enabled()
    except WebDriverException:  # StaleElementReferenceException is one
        return True
    return False


def policy_violations(driver) -> list[str]:
    """What the browser refused (the CSP's reports); a 401 or a missing favicon is not one."""
    return [e["message"] for e in driver.get_log("browser")
            if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]


def log_in(d, base: str, password: str = PASSWORD) -> None:
    by_id(d, "user").clear()
    by_id(d, "user").send_keys("ani")
    by_id(d, "password").send_keys(password)
    click(d, by_id(d, "login"))


def ensure_logged_in(d, base: str) -> None:
    d.get(base + "/cases")
    if "/login" in d.current_url:
        log_in(d, base)


def test_log_in_and_out(site, browser):
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    base, _ = site
    d = browser
    d.delete_all_cookies()
    d.get(base + "/tenders")
    assert "/login" in d.current_url  # no page without a session
    shot(d, "01-login")
    log_in(d, base, "wrong password")
    assert by_id(d, "login-failed").is_displayed()
    log_in(d, base)
    assert d.current_url == base + "/tenders"
    assert d.find_element(By.CLASS_NAME, "who").text == "ani"
    d.get(base + "/")
    assert "Kabupaten Bandung" in d.page_source
    shot(d, "02-home")
    click(d, by_id(d, "logout"))
    assert "/login" in d.current_url
    d.get(base + "/cases")
    assert "/login" in d.current_url
    shot(d, "10-logged-out")
    assert policy_violations(d) == []  # pages carry no script and break no policy


def test_search_process_open_a_case_record_an_action(site, browser):
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    base, tmp = site
    d = browser
    ensure_logged_in(d, base)
    d.get(base + "/tenders")
    by_id(d, "q").send_keys("jalan")
    click(d, by_id(d, "find"))
    assert "q=jalan" in d.current_url
    assert int(re.sub(r"\D", "", by_id(d, "total").text)) > 0
    shot(d, "03-search")
    first = d.find_element(By.CSS_SELECTOR, "a.process")
    title = first.text
    click(d, first)
    assert d.find_element(By.TAG_NAME, "h1").text == title
    shot(d, "04-process")
    click(d, by_id(d, "open-case"))
    assert by_id(d, "case-title").get_attribute("value") == title
    by_id(d, "case-why").send_keys("Satu penawar, nilai dekat HPS")
    click(d, by_id(d, "case-save"))
    assert re.search(r"/cases/\d+$", d.current_url)
    case_id = int(d.current_url.rsplit("/", 1)[1])
    shot(d, "05-case")
    Select(by_id(d, "action-kind")).select_by_value("complaint")
    Select(by_id(d, "action-channel")).select_by_value("e-pengaduan")
    by_id(d, "action-note").send_keys("Aduan dikirim ke APIP")
    by_id(d, "action-url").send_keys("https://example.org/aduan-1")
    click(d, by_id(d, "action-save"))
    rows = d.find_elements(By.CSS_SELECTOR, "#actions tbody tr")
    assert "Aduan dikirim ke APIP" in rows[0].text
    assert rows[0].find_element(By.CLASS_NAME, "done-by").text == "ani"
    shot(d, "06-case-action")
    case, actions = cases.get_case(tmp / "cases.sqlite", case_id)
    assert case["title"] == title
    assert case["subject_kind"] == "process"
    assert [(a["kind"], a["channel"], a["done_by"]) for a in actions] == [
        ("complaint", "e-pengaduan", "ani")]
    d.get(base + "/cases")
    shot(d, "07-cases")
    assert policy_violations(d) == []


def test_run_a_saved_question_and_download_it(site, browser):
    base, _ = site
    d = browser
    ensure_logged_in(d, base)
    d.get(base + "/sql")
    shot(d, "08-sql")
    click(d, by_id(d, "q-top_suppliers_by_satker"))
    assert "FROM" in by_id(d, "query").get_attribute("value")
    click(d, by_id(d, "run"))
    n_rows = int(re.sub(r"\D", "", by_id(d, "row-count").text.split()[2]))
    assert n_rows > 0
    shot(d, "09-sql-result")
    by_id(d, "dl-csv").click()  # a download: the page stays
    target = d.downloads / "pantau-sql.csv"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not target.is_file():
        time.sleep(0.2)
    assert target.is_file(), "the download did not arrive"
    assert len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))) == n_rows
    assert policy_violations(d) == []

"""Helpers for the end-to-end test: the app as `make run` starts it, and Debian's
headless Chromium driven by Selenium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 90  # a page run on a machine busy with other work can take tens of seconds


def missing_browser() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        return (
            f"{' and '.join(missing)} not found: install Debian's browser with "
            "`apt-get install chromium chromium-driver` (or `make browser`)"
        )
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(database_url: str, log: Path) -> Iterator[str]:
    """`streamlit run app.py` in a subprocess, as `make run` does; yields its base URL
    once /api/health says the app and its database answer."""
    port = free_port()
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_SECRET_KEY": "browser-test-key",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the app did not become healthy within 60 s:\n{log.read_text()}")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Chromium for one test; a missing browser fails the test, never skips it."""
    problem = missing_browser()
    if problem:
        pytest.fail(problem)
    driver = chromium(tmp_path / "chromium-profile")
    try:
        yield driver
    finally:
        driver.quit()


def chromium(
    profile: Path, width: int = 1400, height: int = 1000, extra: tuple[str, ...] = ()
) -> WebDriver:
    """`extra` adds switches (a test without network passes OFFLINE); the DevTools
    performance log is kept, for a test that reads the requests the page made."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
        *extra,
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


# No name but the local machine's resolves, so nothing the page asks for can leave it;
# WebGL (deck.gl's maps) drawn in software, as a machine without a GPU does.
OFFLINE = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",  # and an address by number goes nowhere either
)
SOFTWARE_WEBGL = ("--use-angle=swiftshader", "--enable-unsafe-swiftshader")


def requests_made(driver: WebDriver) -> list[dict]:
    """The page's network events since the last call (requests sent, answers received),
    from the DevTools performance log."""
    events = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"].startswith("Network."):
            events.append(message)
    return events


@contextmanager
def screenshot_on_failure(driver: WebDriver, folder: Path) -> Iterator[None]:
    """Leave a picture and the HTML of the page in pytest's tmp dir when a step fails."""
    try:
        yield
    except BaseException:
        driver.save_screenshot(str(folder / "failure.png"))
        (folder / "failure.html").write_text(driver.page_source)
        print(f"the page at the failure: {folder / 'failure.png'} and failure.html")
        raise


class Page:
    """What a person does on a Streamlit page, by the labels they read."""

    def __init__(self, driver: WebDriver) -> None:
        self.driver = driver
        self.wait = WebDriverWait(driver, WAIT)

    def sign_in(self, email: str, password: str) -> None:
        self.type("Email", email)
        self.type("Password", password)
        self.click_button("Sign in")

    def text_input(self, label: str) -> WebElement:
        return self.wait.until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, f'input[aria-label="{label}"]'))
        )

    def type(self, label: str, text: str, enter: bool = False) -> None:
        box = self.text_input(label)
        box.clear()
        box.send_keys(text + (Keys.ENTER if enter else ""))

    def click_button(self, text: str) -> None:
        self.wait.until(
            ec.element_to_be_clickable((By.XPATH, f'//button[.//p[normalize-space()="{text}"]]'))
        ).click()

    def click_toggle(self, label: str) -> None:
        """Flip an st.toggle or st.checkbox by clicking its label."""
        self.wait.until(
            ec.element_to_be_clickable((By.XPATH, f'//label[.//p[normalize-space()="{label}"]]'))
        ).click()

    def choose(self, label: str, option: str) -> WebElement:
        """Pick an option of a selectbox by typing it, as a person with a keyboard would."""
        box = self.wait.until(
            ec.element_to_be_clickable(
                (By.CSS_SELECTOR, f'input[role="combobox"][aria-label="{label}"]')
            )
        )
        box.click()
        box.send_keys(option)
        self.wait.until(
            ec.element_to_be_clickable(
                (By.XPATH, f'//*[@role="option"][normalize-space()="{option}"]')
            )
        ).click()
        return box

    def wait_for_text(self, text: str, tag: str = "*") -> WebElement:
        return self.wait.until(
            ec.visibility_of_element_located((By.XPATH, f'//{tag}[normalize-space()="{text}"]'))
        )

    def wait_for_block(self, key: str, containing: str) -> WebElement:
        """The st.container keyed `key`, once its text holds `containing`.

        Streamlit shows a keyed container before it has drawn what is inside.
        """

        def drawn(driver: WebDriver) -> WebElement | bool:
            for block in driver.find_elements(By.CSS_SELECTOR, f".st-key-{key}"):
                if block.is_displayed() and containing in block.text:
                    return block
            return False

        return self.wait.until(drawn)

    def wait_for_heading(self, text: str) -> WebElement:
        return self.wait.until(
            ec.visibility_of_element_located(
                (By.XPATH, f'//*[self::h1 or self::h2 or self::h3][normalize-space()="{text}"]')
            )
        )

    def pick(self, label: str, option: str) -> None:
        """Add an option to a multiselect by typing it; the list then closes."""
        self.choose(label, option).send_keys(Keys.ESCAPE)

    def wait_until_gone(self, text: str) -> None:
        self.wait.until(lambda driver: text not in driver.find_element(By.TAG_NAME, "body").text)

    def wait_until_idle(self) -> None:
        """Until Streamlit's 'Running...' indicator has been absent for a moment."""

        def idle(driver: WebDriver) -> bool:
            return not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')

        time.sleep(0.5)
        self.wait.until(idle)

    def wait_for_download(self, folder: Path, suffix: str) -> Path:
        def finished(_driver: WebDriver) -> Path | bool:
            done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
            return done[0] if done else False

        return self.wait.until(finished)

    def wait_for_metric(self, label: str, value: str) -> None:
        """Until the st.metric labelled `label` shows `value`."""
        path = (
            f'//*[@data-testid="stMetric"][.//*[@data-testid="stMetricLabel"][normalize-space()="{label}"]]'
            '//*[@data-testid="stMetricValue"]'
        )
        self.wait.until(
            lambda driver: any(
                e.text.strip() == value for e in driver.find_elements(By.XPATH, path)
            )
        )

    def headings(self) -> str:
        return " ".join(e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "h1, h2, h3"))

    def body_text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text


def allow_downloads(driver: WebDriver, folder: Path) -> Path:
    """Headless Chromium saves downloads only where it is told to."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    return folder

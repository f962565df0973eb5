"""Drive the LINE simulator page in real headless Chromium (Debian's chromium + chromium-driver).

`SimulatorPage` is what a tester does with a phone: `say()`, `tap(label)`, `send_photo(path)`,
`wait_for_text()`. A new flow's browser test is a few of those lines.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE = (390, 844)
LAPTOP = (1280, 900)
# Chromium as root in a container: no sandbox; nothing that phones home.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def start_chromium() -> tuple[webdriver.Chrome, Path]:
    """A fresh headless Chromium (and its profile folder, to remove after quit())."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            raise AssertionError(
                f"{path} is missing: install Debian's chromium and chromium-driver "
                "(`apt-get install -y chromium chromium-driver`; bash .ci/run does it)"
            )
    profile = Path(tempfile.mkdtemp(prefix="sim-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={LAPTOP[0]},{LAPTOP[1]}"):
        options.add_argument(flag)
    # The driver's path is given, so Selenium never looks for (or downloads) one.
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver, profile


def quit_chromium(driver: webdriver.Chrome, profile: Path) -> None:
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


class SimulatorPage:
    """The simulator page as one tester sees it."""

    def __init__(self, driver: webdriver.Chrome, base_url: str, timeout: float = 20.0) -> None:
        self.driver = driver
        self.base_url = base_url
        self.timeout = timeout

    # -- layout -----------------------------------------------------------------------------------

    def phone(self) -> None:
        """Render as a phone (390 × 844 CSS pixels, touch), whatever the window's size."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True},
        )

    def laptop(self) -> None:
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": LAPTOP[0], "height": LAPTOP[1], "deviceScaleFactor": 1, "mobile": False},
        )

    def newest_in_view(self) -> bool:
        """Whether the chat shows its newest message (scrolled to the bottom)."""
        return self.driver.execute_script(
            "const c = document.getElementById('chat');"
            "return c.scrollTop + c.clientHeight >= c.scrollHeight - 2"
        )

    def screenshot(self, path: Path) -> Path:
        """Save what the page shows, once the newest message is in view."""
        self.wait(lambda _d: self.newest_in_view(), "the chat does not show its newest message")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path

    # -- waiting ----------------------------------------------------------------------------------

    def wait(self, condition, message: str = "", timeout: float | None = None):
        def check(driver):
            try:
                return condition(driver)
            except StaleElementReferenceException:
                return False  # the page redrew it; ask again

        return WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=0.1).until(check, message)

    def bot_texts(self) -> list[str]:
        """The text of every message the bot sent, oldest first (cards included)."""
        return self.driver.execute_script(
            "return [...document.querySelectorAll('#chat .msg.bot .column > :last-child')]"
            ".map(n => n.textContent)"
        )

    def user_texts(self) -> list[str]:
        """What the user sent, as their side of the chat shows it."""
        return self.driver.execute_script(
            "return [...document.querySelectorAll('#chat .msg.user > :first-child')].map(n => n.textContent)"
        )

    def wait_for_text(self, text: str, timeout: float | None = None) -> str:
        """Wait until a bot message contains `text`; returns that message's text."""

        def found(_driver):
            return next((t for t in self.bot_texts() if text in t), None)

        return self.wait(found, f"no bot message containing {text!r}; got {self.bot_texts()[-3:]}", timeout)

    def _idle(self) -> bool:
        return self.driver.execute_script("return (document.body.dataset.busy || '0') === '0'")

    def _answered(self, act) -> list[str]:
        """Do `act`, then wait for the bot's answer; returns the texts of its new messages."""
        before = len(self.bot_texts())
        act()
        self.wait(lambda _d: len(self.bot_texts()) > before, "the bot did not answer")
        time.sleep(0.3)  # one answer is one delivery, drawn in one go; let the page settle
        self.wait(lambda _d: self._idle())
        return self.bot_texts()[before:]

    # -- what a user does -------------------------------------------------------------------------

    def open(self) -> None:
        self.driver.get(self.base_url + "/simulator")
        self.wait(lambda d: d.execute_script("return document.fonts.status === 'loaded'"))

    def create_user(self, display_name: str, language: str = "th") -> None:
        self.driver.find_element(By.ID, "new-user").click()
        name = self.driver.find_element(By.ID, "new-name")
        name.clear()
        name.send_keys(display_name)
        self.driver.find_element(By.CSS_SELECTOR, f"#new-language option[value='{language}']").click()
        self.driver.find_element(By.ID, "create-user").click()
        self.wait(lambda d: display_name in d.find_element(By.ID, "user").text, "the user was not created")
        self.wait(lambda d: d.find_element(By.ID, "follow").is_displayed())

    def follow(self) -> list[str]:
        return self._answered(lambda: self.driver.find_element(By.ID, "follow").click())

    def block(self) -> None:
        self.driver.find_element(By.ID, "more").click()
        self.driver.find_element(By.ID, "block").click()
        self.wait(lambda d: d.find_element(By.ID, "follow").is_displayed(), "the account was not blocked")

    def say(self, text: str) -> list[str]:
        def act():
            box = self.driver.find_element(By.ID, "text")
            box.send_keys(text)
            self.driver.find_element(By.ID, "send").click()

        return self._answered(act)

    @property
    def quick_replies(self) -> list[str]:
        return [b.text for b in self.driver.find_elements(By.CSS_SELECTOR, "#quick-replies .chip")]

    def tap(self, label: str) -> list[str]:
        """Tap a quick reply, a card's button, or a rich-menu area with this label."""

        def target(driver):
            for css in ("#quick-replies .chip", "#chat .fx-button, #chat .tpl-action"):
                for element in driver.find_elements(By.CSS_SELECTOR, css):
                    if element.text.strip() == label and element.is_displayed():
                        return element
            for element in driver.find_elements(By.CSS_SELECTOR, "#rich-menu .area"):
                if element.get_attribute("data-label") == label:
                    return element
            return None

        element = self.wait(target, f"nothing to tap labelled {label!r}; quick replies: {self.quick_replies}")
        return self._answered(element.click)

    def _chip(self, label: str):
        def find(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, "#quick-replies .chip"):
                if element.text.strip() == label:
                    return element
            return None

        return self.wait(find, f"no quick reply {label!r}; quick replies: {self.quick_replies}")

    def pick(self, label: str, value: str) -> list[str]:
        """Tap a date/time picker button and choose `value` (as the input wants it: 2027-01-31,
        13:30 or 2027-01-31T13:30)."""
        self._chip(label).click()
        self.wait(lambda d: d.find_element(By.ID, "picker-dialog").is_displayed(), "no picker opened")
        self.driver.execute_script("document.getElementById('picker-input').value = arguments[0]", value)
        return self._answered(self.driver.find_element(By.ID, "picker-ok").click)

    def share_location(self, label: str | None = None) -> list[str]:
        """Share the location dialog's place (Bangkok unless changed), from a quick reply or the + menu."""
        if label:
            self._chip(label).click()
        else:
            self.driver.find_element(By.ID, "attach").click()
            self.driver.find_element(By.ID, "open-location").click()
        self.wait(lambda d: d.find_element(By.ID, "location-dialog").is_displayed(), "no location dialog")
        return self._answered(self.driver.find_element(By.ID, "send-location").click)

    def send_photo(self, path: Path) -> list[str]:
        def act():
            self.driver.find_element(By.ID, "attach").click()
            self.driver.find_element(By.ID, "photo").send_keys(str(path))

        return self._answered(act)

    def travel(self, seconds: float) -> None:
        """Move the app's clock forward with the page's time-travel control."""
        before = self.driver.find_element(By.ID, "clock").text
        self.driver.find_element(By.ID, "time-travel").click()
        self.driver.find_element(By.ID, "jump-hours").send_keys(str(seconds / 3600))
        self.driver.find_element(By.ID, "jump").click()
        self.wait(lambda d: d.find_element(By.ID, "clock").text != before, "the clock did not move")
        self.driver.find_element(By.ID, "time-travel").click()

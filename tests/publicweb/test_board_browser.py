"""The exhibition board in real headless Chromium at 1920×1080: it fills the screen without
scrolling, the total counts up to a newly approved report's figure without a reload, it keeps
the last figures while its JSON endpoint fails and catches up once it recovers, and without
JavaScript the server-rendered board shows the same. Screenshots go to /tmp/board-shots/."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.cli.clock import run_once
from bot.runtime import runtime
from bot.web.public import board
from handlers.catalog import t
from handlers.parsing import format_number
from handlers.services import public_results
from tests.publicweb.board_data import approved_total_kg, report, seed
from tests.simulator.page import quit_chromium, start_chromium

pytestmark = pytest.mark.slow

SHOTS = Path("/tmp/board-shots")
FONTS_LOADED = "return document.fonts.status === 'loaded'"


@pytest.fixture(scope="module")
def browser():
    driver, profile = start_chromium()
    yield driver
    quit_chromium(driver, profile)


@pytest.fixture(name="app")
def app_fixture(make_app, settings, monkeypatch):
    monkeypatch.setattr(board, "POLL_SECONDS", 1)  # the page asks every second (and backs off from there)
    return make_app(settings.with_(line_basic_id="@ruamjai"))


def full_hd(driver, scripts: bool = True) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": not scripts})


def shown_total(driver) -> str:
    return driver.find_element(By.ID, "total").text


def tonnes(kg: Decimal) -> str:
    return format_number(kg / 1000, max_decimals=2)


def open_board(driver, url: str, shot: str) -> None:
    driver.get(url)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(FONTS_LOADED))
    sizes = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.scrollHeight, innerWidth, innerHeight]"
    )
    assert sizes[0] <= sizes[2] and sizes[1] <= sizes[3], f"the board does not fit the screen: {sizes}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{shot}.png"))


def test_the_total_counts_up_without_a_reload_and_survives_the_endpoint_failing(
    app, browser, live_server, monkeypatch
):
    seeded = seed(app)
    full_hd(browser)
    open_board(browser, f"{live_server}/board", "board-1920x1080")
    assert shown_total(browser) == tonnes(approved_total_kg(app))
    assert browser.find_element(By.ID, "agencies").text == "3"
    assert len([a for a in browser.find_elements(By.CSS_SELECTOR, ".activity") if a.is_displayed()]) == 1
    assert browser.find_element(By.CSS_SELECTOR, ".qr svg").size["width"] >= 300  # scannable from afar
    browser.execute_script("window.__sameDocument = true")
    # The consenting agency's photo loads (signed link, allowed by the page's image policy).
    browser.execute_script(
        "document.querySelectorAll('.activity').forEach(a => a.hidden = !a.classList.contains('with-photo'))"
    )
    photo = browser.find_element(By.CSS_SELECTOR, ".activity.with-photo img")
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return arguments[0].naturalWidth", photo) > 0
    )
    assert seeded.photos_name in browser.find_element(By.CSS_SELECTOR, ".activity.with-photo").text
    browser.save_screenshot(str(SHOTS / "board-1920x1080-photo.png"))

    with runtime(app).session_factory.begin() as session:
        report(session, seeded.users[0], "4000")
    run_once(runtime(app), "public")  # the clock's next look, a few seconds later
    expected = tonnes(approved_total_kg(app))
    WebDriverWait(browser, 15).until(lambda d: shown_total(d) == expected)
    assert browser.execute_script("return window.__sameDocument === true"), "the page reloaded"

    # The figures' endpoint fails for a while: the last figures stay, the page says it reconnects.
    def broken(session, now):
        raise RuntimeError("database away")

    monkeypatch.setattr(public_results, "current", broken)
    offline = t("public.board.offline", "th")
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "status").text == offline)
    with runtime(app).session_factory.begin() as session:
        report(session, seeded.users[1], "6000")
    run_once(runtime(app), "public")
    browser.save_screenshot(str(SHOTS / "board-offline.png"))
    assert shown_total(browser) == expected
    monkeypatch.undo()
    monkeypatch.setattr(board, "POLL_SECONDS", 1)
    recovered = tonnes(approved_total_kg(app))
    WebDriverWait(browser, 30).until(lambda d: shown_total(d) == recovered)
    assert browser.find_element(By.ID, "status").text == ""
    assert browser.execute_script("return window.__sameDocument === true"), "the page reloaded"


def test_without_javascript_the_board_is_complete_as_served(app, browser, live_server):
    seed(app)
    full_hd(browser, scripts=False)
    try:
        open_board(browser, f"{live_server}/board", "board-1920x1080-nojs")
        assert shown_total(browser) == tonnes(approved_total_kg(app))
        assert browser.find_element(By.ID, "agencies").text == "3"
        assert len([a for a in browser.find_elements(By.CSS_SELECTOR, ".activity") if a.is_displayed()]) == 1
        open_board(browser, f"{live_server}/en/board", "board-1920x1080-en")
        assert t("public.board.total_heading", "en") in browser.find_element(By.TAG_NAME, "body").text
        # Opened on a phone or a laptop, it stacks or shrinks and nothing spills sideways.
        for name, (width, height) in {"phone": (390, 844), "laptop": (1366, 768)}.items():
            browser.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": name == "phone"},
            )
            browser.get(f"{live_server}/board")
            WebDriverWait(browser, 10).until(lambda d: d.execute_script(FONTS_LOADED))
            overflow = browser.execute_script("return document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"the board at {name} is wider than the screen by {overflow}px"
            browser.save_screenshot(str(SHOTS / f"board-{name}.png"))
    finally:
        full_hd(browser)

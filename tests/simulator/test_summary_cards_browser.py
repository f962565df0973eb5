"""The report summary card of every activity type, in Thai and in English, as the simulator draws it
in headless Chromium at phone width (390 px): the card is drawn (not JSON), its Thai text is shaped
in the page's font, every calculation line has its unit, and nothing on it is cut.

Each card is saved as a PNG in the test's tmp folder, and also in $RUAMJAI_SCREENSHOT_DIR when set.
Each type is drawn in one language, the languages taking turns; RUAMJAI_EVERY_CARD=1 draws both.
"""

from __future__ import annotations

import os

import pytest
from PIL import Image
from selenium.webdriver.common.by import By

import calc
from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.agencies import approve_agency, register_agency
from tests.handlers.domain_helpers import registration
from tests.scenarios.test_report import SCRIPTS, TAP
from tests.simulator import test_simulator_browser as simulator
from tests.simulator.page import PHONE, SimulatorPage

pytestmark = pytest.mark.slow

# The simulator test's fixtures: one Chromium per module, screenshots kept in $RUAMJAI_SCREENSHOT_DIR.
browser = simulator.browser
shots = simulator.shots

PERIOD = {"th": "มิ.ย. 2567", "en": "June 2024"}
TALL = 4000  # CSS pixels: the whole card in one picture


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    path = tmp_path_factory.mktemp("photo") / "evidence.jpg"
    Image.new("RGB", (640, 480), "#2e7d32").save(path, "JPEG")
    return path


def button_for(thai_label: str, language: str) -> str:
    """The button a script's Thai label stands for, in `language`."""
    for key in ("reporting.done", "reporting.skip"):
        if t(key, "th") == thai_label:
            return t(key, language)
    for kind in calc.activity_types():
        for item in (kind, *kind.fields, *(c for f in kind.fields for c in f.choices)):
            if item.label_th == thai_label or item.button("th") == thai_label:
                return item.button(language)
    raise KeyError(thai_label)


def coordinator(page: SimulatorPage, app, language: str) -> None:
    page.create_user("ผู้ประสานงาน", language)
    page.follow()
    user_id = page.driver.execute_script("return document.getElementById('user').value")
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        agency = register_agency(session, user_id, registration(name="เทศบาลตำบลร่วมใจ"), rt.clock.now())
        approve_agency(session, agency.id, "cli", rt.clock.now())


def card_screenshot(page: SimulatorPage, path) -> None:
    """The newest card, whole: the page is made tall for the picture, then a phone again."""
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE[0], "height": TALL, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        bubble = page.driver.find_elements(By.CSS_SELECTOR, "#chat .fx-bubble")[-1]
        page.driver.execute_script("arguments[0].scrollIntoView()", bubble)
        path.parent.mkdir(parents=True, exist_ok=True)
        bubble.screenshot(str(path))
    finally:
        page.phone()


def card_cases() -> list[tuple[str, str]]:
    """Every activity type once, the languages taking turns (each is drawn the same way for every
    type); RUAMJAI_EVERY_CARD=1 draws every type in both, for a full screenshot review."""
    keys = sorted(SCRIPTS)
    if os.environ.get("RUAMJAI_EVERY_CARD") == "1":
        return [(key, language) for key in keys for language in ("th", "en")]
    return [(key, ("th", "en")[i % 2]) for i, key in enumerate(keys)]


@pytest.mark.parametrize(("activity_key", "language"), card_cases())
def test_the_summary_card_of_every_type_is_drawn_whole(
    browser, live_server, app, shots, photo, activity_key, language
):
    page = SimulatorPage(browser, live_server)
    page.phone()
    page.open()
    coordinator(page, app, language)
    kind = calc.activity_type(activity_key)
    page.say(t("report.title", language))
    page.tap(kind.button(language))
    for action, value in SCRIPTS[activity_key][0]:
        page.tap(button_for(value, language)) if action == TAP else page.say(value)
    page.say(PERIOD[language])
    page.send_photo(photo)
    page.tap(t("reporting.done", language))
    page.tap(t("reporting.skip", language))
    card = page.wait_for_text(t("reporting.summary.title", language))
    assert "{" not in card and "…" not in card
    assert kind.label_th in card if language == "th" else kind.label_en in card
    if language == "th":
        assert page.driver.execute_script("return document.fonts.check('16px Sarabun', 'ก่อน')")
        assert "Factor from" not in card and "kgCO2e/" not in card
    card_screenshot(page, shots / f"summary-{activity_key}-{language}.png")
    with Image.open(shots / f"summary-{activity_key}-{language}.png") as shot:
        width, height = shot.size
    assert width <= PHONE[0] * 2 and height > 400


@pytest.mark.parametrize("language", ["th", "en"])
def test_a_tree_card_with_area_and_count_shows_both_results_and_the_smaller_used(
    browser, live_server, app, shots, photo, language
):
    page = SimulatorPage(browser, live_server)
    page.phone()
    page.open()
    coordinator(page, app, language)
    kind = calc.activity_type("tree_planting")
    page.say(t("report.title", language))
    page.tap(kind.button(language))
    page.tap(button_for("ยูคาลิปตัส", language))
    page.tap(button_for("ความเหมาะสมสูง", language))
    for said in ("100 ไร่", "2,000 ต้น", "5 ปี", PERIOD[language]):
        page.say(said)
    page.send_photo(photo)
    page.tap(t("reporting.done", language))
    page.tap(t("reporting.skip", language))
    card = page.wait_for_text(t("reporting.summary.title", language))
    assert t("reporting.summary.result", language, tonnes="228.09", kg="228,089.89") in card
    card_screenshot(page, shots / f"summary-tree_planting-area-and-count-{language}.png")

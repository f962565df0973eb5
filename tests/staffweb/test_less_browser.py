"""The LESS package form on the agency page in real headless Chromium: a refused download lists
why beside the form (screenshots at laptop, tablet and phone sizes in /tmp/staff-shots/less-*.png)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.runtime import runtime
from handlers.catalog import t
from tests.handlers.less_helpers import EXAMPLES, add_report, seed_agency
from tests.helpers import Chat
from tests.staffweb.helpers import STAFF_USER, add_staff_member
from tests.staffweb.test_browser import FONTS_LOADED, SIZES, viewport
from tests.staffweb.test_registrations_browser import browser, sign_in  # noqa: F401

pytestmark = pytest.mark.slow


def screenshots(driver, shots, page: str) -> None:
    """The LESS card at each size, nothing spilling sideways."""
    shots.mkdir(parents=True, exist_ok=True)
    for name in SIZES:
        viewport(driver, name)
        WebDriverWait(driver, 10).until(lambda d: d.execute_script(FONTS_LOADED))
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page} at {name} is wider than the screen by {overflow}px"
        driver.execute_script("document.getElementById('less-package').scrollIntoView()")
        driver.save_screenshot(str(shots / f"{page}-{name}.png"))


def test_a_refused_package_in_the_browser(app, fake_line, browser, live_server, tmp_path):  # noqa: F811
    seeded = seed_agency(app, reports=EXAMPLES[:2])
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        waiting = add_report(session, rt.media, seeded.user, *EXAMPLES[2], status="submitted")
    add_staff_member(app)
    sign_in(browser, live_server, Chat(app.test_client(), fake_line, STAFF_USER))
    browser.get(f"{live_server}/staff/agencies/{seeded.agency_id}")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "less-download"))
    start = browser.find_element(By.ID, "less-start")
    browser.execute_script("arguments[0].value = '2024-06-01'", start)
    browser.execute_script("arguments[0].value = '2024-06-30'", browser.find_element(By.ID, "less-end"))
    shots = tmp_path / "shots"
    screenshots(browser, shots, "less-form")
    browser.find_element(By.ID, "less-download").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CLASS_NAME, "less-problems"))
    text = browser.find_element(By.ID, "less-package").text
    assert t("less.problem.under_review", "th", ref=waiting) in text
    screenshots(browser, shots, "less-refused")
    target = __import__("pathlib").Path("/tmp/staff-shots")
    target.mkdir(exist_ok=True)
    for shot in shots.iterdir():
        (target / shot.name).write_bytes(shot.read_bytes())


def test_the_batch_page_in_the_browser(app, fake_line, browser, live_server, tmp_path):  # noqa: F811
    """The submission batch page with ready and not-ready agencies and a past batch: nothing spills
    sideways (screenshots /tmp/staff-shots/less-batch-*.png)."""
    import io

    from handlers.services import less_batch
    from tests.handlers.domain_helpers import NOW
    from tests.handlers.less_batch_helpers import seed_program
    from tests.handlers.less_helpers import PERIOD

    program = seed_program(app)
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        prepared = less_batch.prepare_batch(session, program.ready, PERIOD, NOW)
    built = less_batch.write_batch(prepared, io.BytesIO(), rt.media)
    with rt.session_factory.begin() as session:
        less_batch.record_batch(session, prepared, built, "cli", NOW)
    add_staff_member(app)
    sign_in(browser, live_server, Chat(app.test_client(), fake_line, STAFF_USER))
    browser.get(f"{live_server}/staff/less/batch?start={PERIOD[0]}&end={PERIOD[1]}")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "batch-download"))
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[name=agency]")
    assert len(boxes) == 2 and all(box.is_selected() for box in boxes)
    shots = tmp_path / "shots"
    shots.mkdir()
    for name in SIZES:
        viewport(browser, name)
        WebDriverWait(browser, 10).until(lambda d: d.execute_script(FONTS_LOADED))
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the batch page at {name} is wider than the screen by {overflow}px"
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(shots / f"less-batch-{name}.png"))
        browser.execute_script(
            "document.querySelector('.batch-past details').open = true;"
            "document.querySelector('.batch-past').scrollIntoView()"
        )
        browser.save_screenshot(str(shots / f"less-batch-past-{name}.png"))
    target = __import__("pathlib").Path("/tmp/staff-shots")
    target.mkdir(exist_ok=True)
    for shot in shots.iterdir():
        (target / shot.name).write_bytes(shot.read_bytes())

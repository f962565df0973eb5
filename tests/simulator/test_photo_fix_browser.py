"""The photo fix loop in real headless Chromium at phone size, in Thai and in English: a coordinator
reports with photos (the place taken from a photo's GPS), staff ask for photo 2 to be replaced, the
coordinator replaces it from "my reports", and a photo sent after a day's break is offered back.

Screenshots go to the test's tmp folder, and also to $RUAMJAI_SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import pytest

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.agencies import approve_agency, register_agency
from handlers.services.reports import needs_fix
from storage.models.reports import Report
from tests.handlers.domain_helpers import registration
from tests.photo_samples import phone_jpeg
from tests.simulator.page import SimulatorPage
from tests.simulator.test_simulator_browser import (  # noqa: F401 (fixtures)
    app,
    browser,
    clock,
    current_user,
    page,
    shots,
)

pytestmark = pytest.mark.slow

SCRIPT = {  # what the coordinator types, per language
    "th": {"name": "สมศรี รักษ์ดิน", "report": "รายงานกิจกรรม", "kind": "การทำปุ๋ยหมัก", "amount": "500 กก.",
           "period": "มิ.ย. 2567", "mine": "รายงานของฉัน", "reason": "รูปที่ 2 ไม่เห็นกองปุ๋ย ขอรูปใหม่ค่ะ"},
    "en": {"name": "Jane Green", "report": "report", "kind": "Composting organic waste", "amount": "500 kg",
           "period": "June 2024", "mine": "my reports", "reason": "Photo 2 does not show the compost heap."},
}  # fmt: skip


def coordinator(flask_app, sim: SimulatorPage, user_id: str, language: str) -> None:
    """Register and approve the user's agency; wait until the approval has reached the chat."""
    rt = runtime(flask_app)
    name = f"เทศบาล {user_id[-6:]}"
    with rt.session_factory.begin() as session:
        agency = register_agency(session, user_id, registration(name=name), rt.clock.now())
        approve_agency(session, agency.id, "cli", rt.clock.now())
    sim.wait_for_text(t("agency.outcome.approved", language, agency=name).splitlines()[0])


def photo_file(tmp_path, name: str, seed: int, gps: bool) -> str:
    path = tmp_path / name
    if gps:
        path.write_bytes(phone_jpeg((800, 600), seed=seed, lat=18.7883, lon=98.9853))
    else:
        path.write_bytes(phone_jpeg((800, 600), seed=seed, lat=None, lon=None))
    return path


@pytest.mark.parametrize("language", ["th", "en"])
def test_a_coordinator_replaces_the_photo_staff_marked(page, app, shots, tmp_path, language):  # noqa: F811
    def tr(key: str, **values) -> str:
        return t(key, language, **values)

    said = SCRIPT[language]
    page.create_user(said["name"], language)
    page.follow()
    user_id = current_user(page)
    coordinator(app, page, user_id, language)

    page.say(said["report"])
    page.say(said["kind"])
    page.say(said["amount"])
    page.say(said["period"])
    page.send_photo(photo_file(tmp_path, "heap.jpg", 81, gps=True))
    page.send_photo(photo_file(tmp_path, "wrong.jpg", 82, gps=False))
    page.tap(tr("reporting.done"))
    page.wait_for_text(tr("reporting.summary.title"))
    page.screenshot(shots / f"photofix-{language}-1-place-from-photo.png")
    stored = page.tap(tr("reporting.confirm"))[-1]
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        report = session.query(Report).filter(Report.reporter_line_user_id == user_id).one()
        ref = f"R-{report.year_be}-{report.sequence:05d}"
        assert ref in stored
        needs_fix(session, ref, ["photos"], said["reason"], "cli", rt.clock.now(), photos=[2])
    page.wait_for_text(said["reason"])
    page.screenshot(shots / f"photofix-{language}-2-staff-ask.png")

    page.say(said["mine"])
    page.tap(ref)
    asked = page.tap(tr("reporting.mine.fix"))[-1]
    assert tr("photos.fix.replace", numbers="2", kept=1, most=10) in asked
    page.screenshot(shots / f"photofix-{language}-3-replace-question.png")
    page.send_photo(photo_file(tmp_path, "new.jpg", 83, gps=False))
    page.screenshot(shots / f"photofix-{language}-4-new-photo.png")
    page.tap(tr("reporting.done"))
    page.wait_for_text(tr("reporting.summary.title"))
    page.screenshot(shots / f"photofix-{language}-5-summary.png")
    page.tap(tr("reporting.confirm"))
    with rt.session_factory() as session:
        report = session.get(Report, report.id)
        assert report.status == "submitted" and "corrected" in report.flags
    page.screenshot(shots / f"photofix-{language}-6-resubmitted.png")

    # A photo sent a day after the photo question was left open: offered back with the report.
    page.say(said["report"])
    page.say(said["kind"])
    page.say(said["amount"])
    page.say(said["period"])
    page.travel(25 * 3600)
    page.send_photo(photo_file(tmp_path, "later.jpg", 84, gps=False))
    page.wait_for_text(tr("photos.held.continue"))
    page.screenshot(shots / f"photofix-{language}-7-photo-after-a-break.png")
    page.tap(tr("photos.held.continue"))
    page.wait_for_text(tr("reporting.photos_so_far", count=1, most=10))
    page.screenshot(shots / f"photofix-{language}-8-continued.png")

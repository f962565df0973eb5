"""/staff/less/batch through real HTTP: every approved agency ready or not with what it lacks, the
ready ones pre-selected, a download (POST with CSRF) that records the batch once however often it is
retried, a choice with an agency not ready refused with nothing recorded, a forged form refused, and
a past batch rebuilt and compared with its recorded hashes."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from bot.runtime import runtime
from handlers.catalog import t
from storage.models import LessBatch, LessBatchPackage, LorCase, Photo, Report
from tests.handlers.less_batch_helpers import seed_program
from tests.handlers.less_helpers import PERIOD, jpeg
from tests.helpers import Chat
from tests.staffweb.helpers import CSRF, STAFF_USER, Browser, add_staff_member, signed_in

QUERY = f"start={PERIOD[0].isoformat()}&end={PERIOD[1].isoformat()}"
KEY = re.compile(r'name="key" value="([0-9a-f]+)"')


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def batches(app) -> int:
    with runtime(app).session_factory() as session:
        return session.scalar(select(func.count()).select_from(LessBatch))


def form_of(browser) -> tuple[str, dict]:
    page = browser.get(f"/staff/less/batch?{QUERY}").get_data(as_text=True)
    token, key = CSRF.search(page).group(1), KEY.search(page).group(1)
    return page, {
        "csrf_token": token,
        "key": key,
        "start": PERIOD[0].isoformat(),
        "end": PERIOD[1].isoformat(),
    }


def test_the_page_needs_a_session(app):
    response = app.test_client().get("/staff/less/batch")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_the_page_lists_who_is_ready_and_what_the_others_lack(app, browser):
    program = seed_program(app)
    page, _ = form_of(browser)
    assert t("less_batch.page.nav", "th") in page
    for agency_id in program.ready:
        assert f'name="agency" value="{agency_id}" checked' in page
    for agency_id in (program.reviewing, program.factor):
        assert f'name="agency" value="{agency_id}"' not in page
    waiting = program.refs[program.reviewing][1]
    assert t("less.problem.under_review", "th", ref=waiting) in page
    assert f'href="/staff/reviews/{waiting}"' in page
    no_factor, no_photos = program.refs[program.factor][1:]
    assert t("less.problem.needs_factor", "th", ref=no_factor) in page
    assert t("less.problem.no_photos", "th", ref=no_photos) in page
    assert f'href="/staff/agencies/{program.factor}"' in page


def test_the_download_records_the_batch_once_and_is_the_zip_recorded(app, browser):
    program = seed_program(app)
    _, form = form_of(browser)
    response = browser.post("/staff/less/batch", {**form, "agency": [str(i) for i in program.ready]})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    data = response.get_data()
    response.close()
    again = browser.post("/staff/less/batch", {**form, "agency": [str(i) for i in program.ready]})
    assert again.get_data() == data  # the retried POST: the same bytes, nothing new recorded
    again.close()
    assert batches(app) == 1
    archive = zipfile.ZipFile(io.BytesIO(data))
    with runtime(app).session_factory() as session:
        batch = session.scalars(select(LessBatch)).one()
        assert batch.zip_sha256 == hashlib.sha256(data).hexdigest() and batch.actor.startswith("staff:")
        for package in session.scalars(select(LessBatchPackage)):
            assert hashlib.sha256(archive.read(package.file_name)).hexdigest() == package.sha256
        assert {c.status for c in session.scalars(select(LorCase))} == {"package_ready"}
    page = browser.get("/staff/less/batch").get_data(as_text=True)
    assert batch.label in page and batch.zip_sha256 in page and "สมศรี ทดสอบ" in page
    check = browser.get(f"/staff/less/batch/{batch.id}").get_data(as_text=True)
    assert t("less_batch.page.match", "th") in check
    rebuilt = browser.get(f"/staff/less/batch/{batch.id}.zip")
    assert rebuilt.get_data() == data and rebuilt.headers["X-Batch-Matches-Record"] == "yes"
    rebuilt.close()
    # A photo replaced since: the page names the package whose bytes no longer match.
    with runtime(app).session_factory() as session:
        first = session.scalars(select(LessBatchPackage).order_by(LessBatchPackage.agency_id)).first()
        key = session.scalars(
            select(Photo.display_key)
            .join(Report, Photo.report_id == Report.id)
            .where(Report.agency_id == first.agency_id)
        ).first()
    runtime(app).media.put(key, jpeg(777), "image/jpeg")
    check = browser.get(f"/staff/less/batch/{batch.id}").get_data(as_text=True)
    assert t("less_batch.page.mismatch", "th", names=f"ZIP, {first.file_name}") in check
    changed = browser.get(f"/staff/less/batch/{batch.id}.zip")
    assert changed.headers["X-Batch-Matches-Record"] == "no"
    changed.close()


def test_an_agency_not_ready_is_refused_with_the_list_and_nothing_recorded(app, browser):
    program = seed_program(app)
    _, form = form_of(browser)
    chosen = [str(i) for i in (*program.ready, program.reviewing)]
    response = browser.post("/staff/less/batch", {**form, "agency": chosen})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert t("less_batch.refused.not_ready", "th", count=1) in page
    assert 'class="batch-agency not-ready refused"' in page
    nothing = browser.post("/staff/less/batch", form)
    assert nothing.status_code == 409 and t("less_batch.refused.none_chosen", "th") in nothing.get_data(
        as_text=True
    )
    assert batches(app) == 0


def test_a_forged_form_changes_nothing(app, browser):
    program = seed_program(app)
    _, form = form_of(browser)
    response = browser.post(
        "/staff/less/batch", {**form, "csrf_token": "forged", "agency": [str(program.ready[0])]}
    )
    assert response.status_code == 403
    assert batches(app) == 0


def test_a_bad_period_is_answered_politely(app, browser):
    response = browser.get("/staff/less/batch?start=2024-07-01&end=2024-06-01")
    assert response.status_code == 400
    assert "2024-07-01" in response.get_data(as_text=True)

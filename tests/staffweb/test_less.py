"""The LESS package from the agency's page: a form choosing the period (the active campaign's by
default) and a download that needs a staff session; a package TGO would send back is not built and
the page lists why."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.runtime import runtime
from handlers.catalog import t
from storage.models.program import AuditEntry
from tests.handlers.less_helpers import EXAMPLES, PERIOD, add_report, seed_agency
from tests.helpers import Chat
from tests.staffweb.helpers import STAFF_USER, Browser, add_staff_member, signed_in

QUERY = f"start={PERIOD[0].isoformat()}&end={PERIOD[1].isoformat()}"


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def test_the_download_needs_a_staff_session(app):
    seeded = seed_agency(app, reports=EXAMPLES[:1])
    response = app.test_client().get(f"/staff/agencies/{seeded.agency_id}/less-package.zip?{QUERY}")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_the_agency_page_offers_the_package_and_the_download_is_the_package(app, browser):
    seeded = seed_agency(app)
    page = browser.get(f"/staff/agencies/{seeded.agency_id}").get_data(as_text=True)
    assert t("less.web.heading", "th") in page
    assert f'action="/staff/agencies/{seeded.agency_id}/less-package.zip"' in page
    assert 'name="start" value="' in page and 'name="end" value="' in page
    response = browser.get(f"/staff/agencies/{seeded.agency_id}/less-package.zip?{QUERY}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    response.close()  # as the server does once sent: the temporary file goes
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    for item in manifest["files"]:
        assert hashlib.sha256(archive.read(item["name"])).hexdigest() == item["sha256"]
    assert len(load_workbook(io.BytesIO(archive.read("less-summary.xlsx"))).worksheets) == 3
    second = browser.get(f"/staff/agencies/{seeded.agency_id}/less-package.zip?{QUERY}")
    again = second.get_data()
    second.close()
    assert again == data
    with runtime(app).session_factory() as session:
        actors = session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "less_package")).all()
    assert len(actors) == 2 and all(actor.startswith("staff:") for actor in actors)


def test_a_refused_package_lists_why_on_the_agency_page_and_records_nothing(app, browser):
    seeded = seed_agency(app, reports=EXAMPLES[:1])
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        waiting = add_report(session, rt.media, seeded.user, *EXAMPLES[1], status="submitted")
        bare = add_report(session, rt.media, seeded.user, *EXAMPLES[2], photos=0)
    response = browser.get(f"/staff/agencies/{seeded.agency_id}/less-package.zip?{QUERY}&lang=en")
    assert response.status_code == 409 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert t("less.web.refused", "en") in page
    assert t("less.problem.under_review", "en", ref=waiting) in page
    assert t("less.problem.no_photos", "en", ref=bare) in page
    assert 'value="2024-06-01"' in page and 'value="2024-06-30"' in page  # the period asked for, kept
    with rt.session_factory() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "less_package")).all() == []


def test_a_period_that_cannot_be_read_is_refused(app, browser):
    seeded = seed_agency(app, reports=EXAMPLES[:1])
    response = browser.get(
        f"/staff/agencies/{seeded.agency_id}/less-package.zip?start=2024-06-30&end=2024-06-01"
    )
    assert response.status_code == 400
    assert t("less.web.refused", "th") in response.get_data(as_text=True)


def test_the_form_offers_the_active_campaigns_window_by_default(app, browser):
    from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
    from handlers.services.campaigns import active_campaign
    from handlers.services.reports import campaign_window
    from tests.handlers.domain_helpers import NOW

    seeded = seed_agency(app, reports=EXAMPLES[:1])
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
        start, end = campaign_window(active_campaign(session, NOW))
    page = browser.get(f"/staff/agencies/{seeded.agency_id}").get_data(as_text=True)
    assert (
        f'name="start" value="{start.isoformat()}"' in page
        and f'name="end" value="{end.isoformat()}"' in page
    )

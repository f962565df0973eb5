"""/staff/lor and /staff/lor/<agency_id> through real HTTP: the list of approved agencies with their
LOR status, each step as a form (the coordinator hears it in LINE), the certificate upload checked
by content, refusals shown on the page, and forms without their CSRF token changing nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from handlers.catalog import t
from handlers.services.reports import approve_report
from storage.models import LorChange
from tests.handlers.domain_helpers import NOW, approved, db_fixture, pushed_texts  # noqa: F401
from tests.handlers.report_chat import ReportChat
from tests.helpers import Chat
from tests.scenarios.test_report_fix_photos import composting_report
from tests.staffweb.helpers import CSRF, STAFF_USER, Browser, add_staff_member, signed_in

BANG_PHLI = "องค์การบริหารส่วนตำบลบางพลี"
PDF = b"%PDF-1.4\n% certificate\n" + b"0" * 100


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def token_of(browser: Browser, path: str) -> str:
    found = CSRF.search(browser.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def step(browser: Browser, agency_id: int, action: str, data: dict | None = None, **kwargs):
    token = token_of(browser, f"/staff/lor/{agency_id}")
    return browser.post(f"/staff/lor/{agency_id}/{action}", {"csrf_token": token, **(data or {})}, **kwargs)


def lor_texts(app, fake_line, user: str) -> list[str]:
    return [text for text in pushed_texts(app, fake_line, user) if "LOR" in text]


def test_the_list_shows_approved_agencies_with_their_status(app, db, browser):
    _, agency_id = approved(db)
    page = browser.get("/staff/lor").get_data(as_text=True)
    assert t("lor.page.title", "th") in page and BANG_PHLI in page
    assert t("lor.status.preparing", "th") in page and f'href="/staff/lor/{agency_id}"' in page
    assert 'href="/staff/lor"' in browser.get("/staff/").get_data(as_text=True)  # the nav link
    assert "Letter of Recognition (LOR) tracking" in browser.get("/staff/lor?lang=en").get_data(as_text=True)
    assert browser.get("/staff/lor/999").status_code == 404


def test_each_step_on_the_page_reaches_the_coordinator_once(app, db, fake_line, browser):
    user, agency_id = approved(db)
    assert step(browser, agency_id, "ready").status_code == 303
    response = step(browser, agency_id, "submitted", {"submitted_on": "2024-09-30"})
    assert response.status_code == 303
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert t("lor.page.done", "th") in page and t("lor.status.submitted", "th") in page
    assert "30 ก.ย. 2567" in page
    certificate = {
        "lor_number": "LOR-042",
        "issued_on": "2024-11-01",
        "certificate": (io.BytesIO(PDF), "lor.pdf"),
    }
    response = step(browser, agency_id, "issued", certificate, content_type="multipart/form-data")
    assert response.status_code == 303
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "LOR-042" in page and 'id="certificate"' in page
    assert page.count("สมศรี ทดสอบ") == 4  # the header, and who made each of the three changes
    link = page.split('id="certificate" href="')[1].split('"')[0].replace("&amp;", "&")
    assert browser.get(link).data == PDF
    texts = lor_texts(app, fake_line, user)
    assert texts[0] == t("lor.notice.package_ready", "th", agency=BANG_PHLI)
    assert texts[1] == t("lor.notice.submitted", "th", agency=BANG_PHLI, date="30 ก.ย. 2567")
    assert texts[2].startswith("ยินดีด้วย!") and "LOR-042" in texts[2] and len(texts) == 3
    with db() as session:
        assert session.scalar(select(func.count()).select_from(LorChange)) == 3
    assert t("lor.page.no_actions", "th") in page  # issued: nothing more to do


def test_a_refused_step_is_explained_and_changes_nothing(app, db, fake_line, browser):
    user, agency_id = approved(db)
    step(browser, agency_id, "ready")
    step(browser, agency_id, "submitted", {"submitted_on": "2024-09-30"})
    fake = {
        "lor_number": "LOR-1",
        "issued_on": "2024-11-01",
        "certificate": (io.BytesIO(b"MZ not a pdf"), "lor.pdf"),
    }
    response = step(browser, agency_id, "issued", fake, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert t("lor.refused.certificate_type", "th") in page and 'value="LOR-1"' in page  # kept to retry
    response = step(browser, agency_id, "ready")  # not from "submitted"
    assert response.status_code == 400 and t("lor.status.submitted", "th") in response.get_data(as_text=True)
    bad_date = step(browser, agency_id, "returned", {"reason": "", "reports": []})
    assert bad_date.status_code == 400 and t("lor.refused.reason_required", "th") in bad_date.get_data(
        as_text=True
    )
    with db() as session:
        assert session.scalar(select(func.count()).select_from(LorChange)) == 2
    assert len(lor_texts(app, fake_line, user)) == 2


def test_returned_sends_the_chosen_reports_back_to_the_coordinator(app, db, fake_line, browser):
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [41])
    with db.begin() as session:
        approve_report(session, ref, "staff:1", NOW)
    step(browser, chat.agency_id, "ready")
    step(browser, chat.agency_id, "submitted", {"submitted_on": "2024-09-30"})
    page = browser.get(f"/staff/lor/{chat.agency_id}").get_data(as_text=True)
    assert f'name="reports" value="{ref}"' in page
    response = step(browser, chat.agency_id, "returned", {"reason": "หลักฐานไม่ชัด", "reports": [ref]})
    assert response.status_code == 303
    texts = pushed_texts(app, fake_line, chat.user)
    assert any("หลักฐานไม่ชัด" in text and ref in text and "อบก." in text for text in texts)
    assert chat.reports()[-1].status == "needs_fix"
    page = browser.get(f"/staff/lor/{chat.agency_id}").get_data(as_text=True)
    assert t("lor.status.returned", "th") in page and "หลักฐานไม่ชัด" in page and 'id="ready"' in page


def test_forms_without_their_csrf_token_change_nothing(app, db, fake_line, browser):
    user, agency_id = approved(db)
    for token in ("", "forged"):
        response = browser.post(f"/staff/lor/{agency_id}/ready", {"csrf_token": token})
        assert response.status_code == 403
    with db() as session:
        assert session.scalar(select(func.count()).select_from(LorChange)) == 0
    assert lor_texts(app, fake_line, user) == []

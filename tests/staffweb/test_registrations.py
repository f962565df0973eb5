"""/staff/registrations and /staff/agencies/<id>: staff approve, reject and decide join requests
on the web, with the same effects as the CLI: the coordinator hears it in LINE."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.fakeline.events import new_user_id
from handlers.catalog import t
from handlers.services.agencies import request_to_join
from storage.models.program import Agency, AuditEntry, JoinRequest
from tests.handlers.domain_helpers import NOW, approved, db_fixture, person, pushed_texts, registered  # noqa: F401
from tests.helpers import Chat
from tests.staffweb.helpers import CSRF, STAFF_USER, Browser, add_staff_member, signed_in

BANG_PHLI = "องค์การบริหารส่วนตำบลบางพลี"


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


def audit_actions(db) -> list[tuple[str, str, str]]:
    with db() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        # Leaving out what signing in wrote (adding the staff member, confirming, collecting).
        return [(row.actor, row.action, row.subject) for row in rows if "staff" not in row.action]


def test_the_list_shows_waiting_agencies_with_similar_ones_and_join_requests(app, db, browser):
    _, first = approved(db)
    _, second = registered(db, name="อบต.บางพลิ", district="1102")  # one vowel apart: a duplicate?
    _, other = registered(db, name="โรงเรียนบ้านหนองบัว", province="40", agency_type="education", district=None)
    colleague = new_user_id()
    with db.begin() as session:
        join = request_to_join(session, colleague, other, person(name="มานี มีนา"), NOW)
    page = browser.get("/staff/registrations").get_data(as_text=True)
    assert t("staffweb.registrations.title", "th") in page
    assert f'href="/staff/agencies/{second}"' in page and f'href="/staff/agencies/{other}"' in page
    # The pending duplicate names the approved agency it resembles.
    assert f'href="/staff/agencies/{first}"' in page
    assert t("staffweb.registrations.request_no", "th", number=join.id) in page
    assert "มานี" not in page and "081" not in page  # no requester's details on the list
    english = browser.get("/staff/registrations?lang=en").get_data(as_text=True)
    assert "Agencies waiting for approval" in english


def test_the_agency_page_shows_details_and_coordinators_with_their_phones(app, db, browser):
    _, agency_id = registered(db)
    page = browser.get(f"/staff/agencies/{agency_id}").get_data(as_text=True)
    assert BANG_PHLI in page and "สมุทรปราการ" in page and "เมืองสมุทรปราการ" in page
    assert "สมชาย ใจดี" in page and "นักวิชาการ" in page and "081 234 5678" in page
    assert browser.get("/staff/agencies/999").status_code == 404


def test_approving_reaches_the_coordinator_in_line_and_is_audited(app, db, fake_line, browser):
    user, agency_id = registered(db)
    token = token_of(browser, f"/staff/agencies/{agency_id}")
    response = browser.post(f"/staff/agencies/{agency_id}/approve", {"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/agencies/{agency_id}?done=approved")
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert t("staffweb.registrations.done_approved", "th") in page
    # An approved agency may still be rejected, not approved again.
    assert 'id="approve"' not in page and f"/staff/agencies/{agency_id}/reject" in page
    assert pushed_texts(app, fake_line, user) == [t("agency.outcome.approved", "th", agency=BANG_PHLI)]
    assert audit_actions(db) == [("staff:1", "approve_agency", f"agency:{agency_id}")]


def test_rejecting_needs_a_reason_which_the_coordinator_reads(app, db, fake_line, browser):
    user, agency_id = registered(db)
    token = token_of(browser, f"/staff/agencies/{agency_id}")
    response = browser.post(f"/staff/agencies/{agency_id}/reject", {"csrf_token": token, "reason": "  "})
    assert response.status_code == 400
    assert t("agency.refused.reason_required", "th") in response.get_data(as_text=True)
    too_long = "ก" * 501
    response = browser.post(f"/staff/agencies/{agency_id}/reject", {"csrf_token": token, "reason": too_long})
    assert response.status_code == 400 and too_long in response.get_data(as_text=True)  # kept to fix
    with db() as session:
        assert session.get(Agency, agency_id).status == "pending"
    reason = "ไม่ใช่หน่วยงานในโครงการ"
    response = browser.post(f"/staff/agencies/{agency_id}/reject", {"csrf_token": token, "reason": reason})
    assert response.status_code == 303 and response.headers["Location"].endswith("done=rejected")
    texts = pushed_texts(app, fake_line, user)
    assert len(texts) == 1 and reason in texts[0]
    page = browser.get(f"/staff/agencies/{agency_id}").get_data(as_text=True)
    assert reason in page and t("staffweb.registrations.status_rejected", "th") in page
    assert 'id="approve"' in page and f"/staff/agencies/{agency_id}/reject" not in page
    assert audit_actions(db) == [("staff:1", "reject_agency", f"agency:{agency_id}")]


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_deciding_a_join_request_tells_the_person(app, db, fake_line, browser, decision):
    _, agency_id = registered(db)
    colleague = new_user_id()
    with db.begin() as session:
        join_id = request_to_join(session, colleague, agency_id, person(name="มานี มีนา"), NOW).id
    page = browser.get(f"/staff/agencies/{agency_id}").get_data(as_text=True)
    assert "มานี มีนา" in page  # the agency page shows who asks
    token = token_of(browser, "/staff/registrations")
    response = browser.post(f"/staff/join-requests/{join_id}", {"csrf_token": token, "decision": decision})
    assert response.status_code == 303
    expected = "agency.join.approved" if decision == "approve" else "agency.join.declined"
    assert pushed_texts(app, fake_line, colleague) == [t(expected, "th", agency=BANG_PHLI)]
    status = "approved" if decision == "approve" else "declined"
    assert audit_actions(db) == [("staff:1", "decide_join_request", f"join_request:{join_id}")]
    with db() as session:
        assert session.get(JoinRequest, join_id).status == status
    # Deciding again changes nothing and is not audited twice.
    browser.post(f"/staff/join-requests/{join_id}", {"csrf_token": token, "decision": decision})
    assert len(audit_actions(db)) == 1


def test_a_join_request_refused_by_the_rules_is_shown_politely(app, db, browser):
    _, agency_id = registered(db)
    colleague = new_user_id()
    with db.begin() as session:
        join_id = request_to_join(session, colleague, agency_id, person(), NOW).id
    approved(db, user=colleague, name="เทศบาลตำบลแม่ริม", province="50", district="5007")
    token = token_of(browser, "/staff/registrations")
    response = browser.post(f"/staff/join-requests/{join_id}", {"csrf_token": token, "decision": "approve"})
    assert response.status_code == 400
    assert t("agency.refused.already_member", "th") in response.get_data(as_text=True)
    response = browser.post("/staff/join-requests/999", {"csrf_token": token, "decision": "approve"})
    assert response.status_code == 400
    assert t("agency.refused.unknown_request", "th") in response.get_data(as_text=True)


def test_forms_without_their_csrf_token_are_refused_and_change_nothing(app, db, fake_line, browser):
    user, agency_id = registered(db)
    with db.begin() as session:
        join_id = request_to_join(session, new_user_id(), agency_id, person(), NOW).id
    for path, data in (
        (f"/staff/agencies/{agency_id}/approve", {}),
        (f"/staff/agencies/{agency_id}/reject", {"reason": "x"}),
        (f"/staff/join-requests/{join_id}", {"decision": "approve"}),
    ):
        assert browser.post(path, data).status_code == 403
        assert browser.post(path, {**data, "csrf_token": "forged"}).status_code == 403
    with db() as session:
        assert session.get(Agency, agency_id).status == "pending"
        assert session.get(JoinRequest, join_id).status == "pending"
    assert pushed_texts(app, fake_line, user) == [] and audit_actions(db) == []


def test_the_pages_need_a_staff_session(app, db):
    _, agency_id = registered(db)
    anonymous = Browser(app)
    for path in ("/staff/registrations", f"/staff/agencies/{agency_id}"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_staff_see_whether_the_agency_may_be_named_and_its_photos_shown(app, db, browser):
    _, agency_id = registered(db)  # said "show our name" at registration; photos default to not shown
    line = t(
        "staffweb.publicity.line",
        "th",
        name=t("staffweb.publicity.yes", "th"),
        photos=t("staffweb.publicity.no", "th"),
    )
    assert line in browser.get(f"/staff/agencies/{agency_id}").get_data(as_text=True)
    assert line in browser.get("/staff/registrations").get_data(as_text=True)
    with db.begin() as session:
        agency = session.get(Agency, agency_id)
        agency.show_name_publicly, agency.show_photos_publicly = False, True
    english = browser.get(f"/staff/agencies/{agency_id}?lang=en").get_data(as_text=True)
    assert "Named publicly: no · photos: yes" in english

"""/staff/people: the staff list, and erasing a person on request (PDPA) in two steps, with the
same service, refusals and audit as `ruamjai person erase`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.fakeline.events import new_user_id
from handlers.catalog import t
from handlers.services.people import is_known
from storage.models.program import AuditEntry, Coordinator
from tests.handlers.domain_helpers import approved, db_fixture  # noqa: F401
from tests.helpers import Chat
from tests.staffweb.helpers import CSRF, STAFF_USER, Browser, add_staff_member, signed_in


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def token(browser: Browser) -> str:
    return CSRF.search(browser.get("/staff/people").get_data(as_text=True)).group(1)


def erasures(db) -> list[AuditEntry]:
    with db() as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == "erase_person")).all()


def test_the_staff_list_and_the_commands_to_add_staff(browser):
    page = browser.get("/staff/people").get_data(as_text=True)
    assert "สมศรี ทดสอบ" in page and "ruamjai staff add --line-user" in page
    assert STAFF_USER not in page  # names, not LINE ids
    assert t("staffweb.people.check", "en") in browser.get("/staff/people?lang=en").get_data(as_text=True)


def test_erasing_shows_what_goes_then_erases_it_audited(app, db, browser):
    user, _ = approved(db)
    csrf = token(browser)
    response = browser.post("/staff/people/erase/check", {"csrf_token": csrf, "line_user_id": f" {user} "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert t("staffweb.people.will_erase", "th") in page and user in page
    assert f"<dt>{t('staffweb.people.kind_memberships', 'th')}</dt><dd>1</dd>" in page
    with db() as session:
        assert is_known(session, user)  # nothing erased at the check
    response = browser.post("/staff/people/erase", {"csrf_token": csrf, "line_user_id": user})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "erasure:" in page
    with db() as session:
        assert not is_known(session, user)
        assert session.scalars(select(Coordinator.status)).all() == ["erased"]
    [entry] = erasures(db)
    assert entry.actor == "staff:1" and user not in entry.subject and entry.subject in page
    # Erasing again: nobody has the id now.
    response = browser.post("/staff/people/erase", {"csrf_token": csrf, "line_user_id": user})
    assert response.status_code == 404
    assert t("staffweb.people.nobody", "th") in response.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["U123", "not an id", "U" + "A" * 32, ""])
def test_a_malformed_id_is_refused_politely(db, browser, typed):
    for path in ("/staff/people/erase/check", "/staff/people/erase"):
        response = browser.post(path, {"csrf_token": token(browser), "line_user_id": typed})
        assert response.status_code == 400
        assert t("staffweb.people.malformed", "th") in response.get_data(as_text=True)
    assert erasures(db) == []


def test_an_id_nobody_has_is_refused_politely(db, browser):
    response = browser.post(
        "/staff/people/erase/check", {"csrf_token": token(browser), "line_user_id": new_user_id()}
    )
    assert response.status_code == 404
    assert t("staffweb.people.nobody", "th") in response.get_data(as_text=True)


def test_erasing_without_the_csrf_token_is_refused_and_changes_nothing(db, browser):
    user, _ = approved(db)
    for data in ({"line_user_id": user}, {"line_user_id": user, "csrf_token": "forged"}):
        assert browser.post("/staff/people/erase", data).status_code == 403
        assert browser.post("/staff/people/erase/check", data).status_code == 403
    with db() as session:
        assert is_known(session, user)
    assert erasures(db) == []

"""The staff web's outbox page: rows by status without a reply's words, and a dead letter sent
again exactly once, audited, refused without its CSRF token."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.cli.clock import run_once
from bot.runtime import runtime
from handlers.catalog import t
from storage.models import OutboxMessage
from storage.models.program import AuditEntry
from storage.repositories import OutboxRepository
from tests.helpers import Chat
from tests.staffweb.helpers import CSRF, STAFF_USER, Browser, add_staff_member, signed_in

PERSON = "U" + "7" * 32
FIRST, SECOND = "แจ้งเตือนทดสอบถึงผู้ประสานงาน", "บรรทัดที่สองไม่แสดง"


@pytest.fixture
def rt(app):
    return runtime(app)


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


@pytest.fixture
def dead_row(rt) -> int:
    """A push LINE never took: a dead letter."""
    now = rt.clock.now()
    with rt.session_factory.begin() as session:
        outbox = OutboxRepository(session)
        message = [{"type": "text", "text": f"{FIRST}\n{SECOND}"}]
        outbox.enqueue_push(to=PERSON, messages=message, dedupe_key="test:dead", now=now)
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "test:dead")).one()
        outbox.finish(row.id, "dead", now, error="LINE answered 500")
        return row.id


def pushes_to(fake_line, user: str) -> int:
    return sum(
        1 for call in fake_line.calls("POST", "/v2/bot/message/push") if call.json and call.json["to"] == user
    )


def drain(rt) -> None:
    while run_once(rt, "outbox"):
        pass


def test_the_outbox_shows_rows_by_status_and_never_a_replys_words(rt, browser, dead_row):
    page = browser.get("/staff/outbox").get_data(as_text=True)
    with rt.session_factory() as session:
        replies = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")))
    assert replies  # the sign-in's answers on LINE
    for reply in replies:
        assert f'id="row-{reply.id}"' in page
        for message in json.loads(reply.payload)["messages"]:
            for words in (message.get("text"), message.get("altText")):
                assert not words or words not in page
    assert f'id="row-{dead_row}"' in page and FIRST in page and SECOND not in page
    assert "LINE answered 500" in page and t("staffweb_posts.outbox.kind.push", "th") in page
    dead = browser.get("/staff/outbox?status=dead").get_data(as_text=True)
    assert f'id="row-{dead_row}"' in dead and not any(f'id="row-{r.id}"' in dead for r in replies)
    assert t("staffweb_posts.outbox.replay", "th") in dead
    english = browser.get("/staff/outbox?lang=en&status=sent").get_data(as_text=True)
    assert t("staffweb_posts.outbox.title", "en") in english and f'id="row-{dead_row}"' not in english


def test_a_dead_letter_replayed_from_the_web_arrives_exactly_once(rt, browser, fake_line, dead_row):
    token = CSRF.search(browser.get("/staff/outbox?status=dead").get_data(as_text=True)).group(1)
    response = browser.post(f"/staff/outbox/{dead_row}/replay", {"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("m=replayed")
    drain(rt)
    assert pushes_to(fake_line, PERSON) == 1
    with rt.session_factory() as session:
        assert session.get(OutboxMessage, dead_row).status == "sent"
        entries = [(a.actor, a.action, a.subject) for a in session.scalars(select(AuditEntry))]
    assert [e for e in entries if e[1] == "replay_dead_letter"] == [
        (entries[-1][0], "replay_dead_letter", f"outbox:{dead_row}")
    ]
    assert entries[-1][0].startswith("staff:")
    again = browser.post(f"/staff/outbox/{dead_row}/replay", {"csrf_token": token})
    assert again.headers["Location"].endswith("m=not_replayed")
    drain(rt)
    assert pushes_to(fake_line, PERSON) == 1
    page = browser.get("/staff/outbox?status=dead&m=not_replayed").get_data(as_text=True)
    assert t("staffweb_posts.outbox.notice.not_replayed", "th") in page


def test_a_replay_without_its_token_is_refused_and_nothing_is_sent(rt, browser, fake_line, dead_row):
    for token in ("", "forged"):
        assert browser.post(f"/staff/outbox/{dead_row}/replay", {"csrf_token": token}).status_code == 403
    drain(rt)
    assert pushes_to(fake_line, PERSON) == 0
    with rt.session_factory() as session:
        assert session.get(OutboxMessage, dead_row).status == "dead"
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "replay_dead_letter")).all()


def test_the_outbox_needs_a_signed_in_staff_member(app):
    response = app.test_client().get("/staff/outbox")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]
    assert app.test_client().get("/staff/posts").status_code == 302

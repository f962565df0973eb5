"""The bot's first words: follow, unfollow, and text no flow handles."""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.fakeline.events import follow_event, new_user_id, sticker_event, text_event, unfollow_event
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.pages.privacy import notice_text
from storage.models import LineUser
from storage.repositories import OutboxRepository
from tests.helpers import post_events, wait_for


def now_ms() -> int:
    return int(time.time() * 1000)


def texts_sent_to(fake_line, user_id: str) -> list[str]:
    return [m.get("text") for d in fake_line.delivered_to(user_id) for m in d.messages]


def test_follow_gets_welcome_and_privacy_notice_in_thai_by_reply(app, client, fake_line):
    user = new_user_id()
    token = fake_line.issue_reply_token(user)
    assert (
        post_events(client, [follow_event(user, timestamp_ms=now_ms(), reply_token=token)]).status_code == 200
    )
    texts = wait_for(lambda: texts_sent_to(fake_line, user))
    assert texts == [t("welcome.greeting", "th"), notice_text("th")]
    assert "ความเป็นส่วนตัว" in texts[1]
    # The fake records a delivery while it handles the call and the request once it has answered.
    [reply] = wait_for(lambda: fake_line.calls("POST", "/v2/bot/message/reply"))
    assert reply.json["replyToken"] == token
    assert fake_line.calls("POST", "/v2/bot/message/push") == []


def test_text_no_flow_handles_gets_a_polite_answer_listing_what_the_bot_can_do(app, client, fake_line):
    user = new_user_id()
    event = text_event(
        user, "ขอสอบถามหน่อยค่ะ", timestamp_ms=now_ms(), reply_token=fake_line.issue_reply_token(user)
    )
    post_events(client, [event])
    [answer] = wait_for(lambda: texts_sent_to(fake_line, user))
    assert "รายงาน" in answer and "ลงทะเบียน" in answer
    assert answer.startswith(t("help.capabilities", "th"))
    [delivery] = fake_line.delivered_to(user)
    buttons = [item["action"]["label"] for item in delivery.messages[-1]["quickReply"]["items"]]
    assert t("prefs.title", "th") in buttons  # what the bot can do, one tap away


def test_sticker_gets_the_same_polite_answer(app, client, fake_line):
    user = new_user_id()
    post_events(
        client, [sticker_event(user, timestamp_ms=now_ms(), reply_token=fake_line.issue_reply_token(user))]
    )
    [answer] = wait_for(lambda: texts_sent_to(fake_line, user))
    assert answer.startswith(t("help.capabilities", "th"))


def test_unfollow_marks_user_blocked_and_later_pushes_are_skipped(app, client, fake_line):
    user = new_user_id()
    post_events(
        client, [follow_event(user, timestamp_ms=now_ms(), reply_token=fake_line.issue_reply_token(user))]
    )
    wait_for(lambda: texts_sent_to(fake_line, user))
    post_events(client, [unfollow_event(user, timestamp_ms=now_ms() + 1)])
    rt = runtime(app)

    def blocked():
        with rt.session_factory() as session:
            return session.scalar(select(LineUser.blocked).where(LineUser.line_user_id == user))

    wait_for(blocked)
    with rt.session_factory.begin() as session:
        OutboxRepository(session).enqueue_push(
            to=user, messages=[{"type": "text", "text": "ข่าวสาร"}], dedupe_key="news:1", now=rt.clock.now()
        )
    assert rt.outbox.send_due() == 1
    assert fake_line.calls("POST", "/v2/bot/message/push") == []
    with rt.session_factory() as session:
        assert OutboxRepository(session).counts() == {"sent": 1, "skipped": 1}


def test_follow_again_after_block_unblocks(app, client, fake_line):
    user = new_user_id()
    post_events(client, [unfollow_event(user, timestamp_ms=now_ms())])
    post_events(
        client,
        [
            follow_event(
                user,
                timestamp_ms=now_ms() + 5,
                is_unblocked=True,
                reply_token=fake_line.issue_reply_token(user),
            )
        ],
    )
    wait_for(lambda: texts_sent_to(fake_line, user))
    with runtime(app).session_factory() as session:
        assert session.scalar(select(LineUser.blocked).where(LineUser.line_user_id == user)) is False

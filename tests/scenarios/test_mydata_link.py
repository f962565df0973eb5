"""The "my data" download link: it goes out only over HTTPS, and once the reply carrying it is done
(sent, or given up on) no stored row holds its token: a database copy opens nobody's data."""

from __future__ import annotations

import dataclasses
import json
import re
import time

import pytest
from sqlalchemy import func, select, update

from bot.fakeline.events import new_user_id, text_event
from bot.runtime import runtime
from handlers.catalog import t
from storage.models import Base, OutboxMessage
from storage.models.program import DataExport
from tests.helpers import Chat, post_events, wait_for

BASE = "https://ruamjai.example.go.th"
TOKEN_IN_LINK = re.compile(r"/my-data/([A-Za-z0-9_-]{32,100})\.json")


@pytest.fixture
def app(make_app, settings):
    return make_app(dataclasses.replace(settings, public_base_url=BASE))


def rows_holding(app, needle: str) -> list[str]:
    """Every table's rows, every column as text, that contain `needle`."""
    found = []
    with runtime(app).engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                if any(needle in str(value) for value in row):
                    found.append(table.name)
    return found


def finished(app) -> OutboxMessage:
    """The one outbox row, once the sender is done with it (the person may see it a moment before)."""

    def done() -> OutboxMessage | None:
        with runtime(app).session_factory() as session:
            row = session.scalars(select(OutboxMessage)).one()
            return row if row.status in ("sent", "dead", "skipped") else None

    return wait_for(done)


def token_in(chat: Chat) -> str:
    match = TOKEN_IN_LINK.search(chat.text)
    assert match, chat.text
    return match[1]


def test_once_the_reply_is_sent_no_stored_row_holds_the_token(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ข้อมูลของฉัน")
    token = token_in(chat)
    row = finished(app)
    assert row.status == "sent" and "/my-data/….json" in row.payload and "/my-data/….csv" in row.payload
    assert rows_holding(app, token) == []
    # The link still works: only its SHA-256 is kept.
    assert app.test_client().get(f"/my-data/{token}.json").status_code == 200


def ask_my_data_unanswered(app, fake_line) -> OutboxMessage:
    """ "ข้อมูลของฉัน" while LINE refuses the reply: the row waits in the outbox for a retry."""
    user = new_user_id()
    token = fake_line.issue_reply_token(user)
    event = text_event(user, "ข้อมูลของฉัน", timestamp_ms=int(time.time() * 1000), reply_token=token)
    assert post_events(app.test_client(), [event]).status_code == 200
    rt = runtime(app)

    def waiting() -> OutboxMessage | None:
        with rt.session_factory() as session:
            return session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).first()

    return wait_for(waiting)


def make_due(app, attempts: int | None = None) -> None:
    with runtime(app).session_factory.begin() as session:
        session.execute(update(OutboxMessage).values(next_attempt_at=OutboxMessage.created_at))
        if attempts is not None:
            session.execute(update(OutboxMessage).values(attempts=attempts))


def test_a_reply_sent_late_by_the_outbox_is_blanked_too(app, fake_line):
    fake_line.inject_fault("500", path_prefix="/v2/bot/message/", count=1)
    row = ask_my_data_unanswered(app, fake_line)
    token = TOKEN_IN_LINK.search(row.payload)[1]  # kept while a retry may still need it
    make_due(app)
    runtime(app).outbox.send_due()
    [delivery] = fake_line.delivered_to(json.loads(row.recipients)[0])
    assert token in json.dumps(delivery.messages)
    assert rows_holding(app, token) == []


def test_a_dead_reply_keeps_no_token_either(app, fake_line):
    fake_line.inject_fault("500", path_prefix="/v2/bot/message/")
    row = ask_my_data_unanswered(app, fake_line)
    token = TOKEN_IN_LINK.search(row.payload)[1]
    make_due(app, attempts=runtime(app).settings.outbox_max_attempts - 1)
    runtime(app).outbox.send_due()
    with runtime(app).session_factory() as session:
        assert session.get(OutboxMessage, row.id).status == "dead"
    assert rows_holding(app, token) == []


def test_an_http_base_url_gets_no_link_and_a_polite_word(make_app, settings, fake_line):
    app = make_app(dataclasses.replace(settings, public_base_url="http://ruamjai.example.go.th"))
    chat = Chat(app.test_client(), fake_line)
    chat.say("ข้อมูลของฉัน")
    assert "http://" not in chat.text and "/my-data/" not in chat.text
    assert t("mydata.no_download", "th") in chat.text
    with runtime(app).session_factory() as session:
        assert session.scalar(select(func.count()).select_from(DataExport)) == 0

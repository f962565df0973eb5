"""Personal-data rights by chat: "my data" with its download links, withdrawing a consent in one
step, stopping news, and "delete my data" leaving no trace of the person while the agency stays."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.agencies import agency_summary, approve_agency
from storage.models import LineUser
from storage.models.program import Agency, Coordinator
from tests.handlers.erasure_helpers import every_value
from tests.helpers import Chat, wait_for
from tests.richmenus.menu_helpers import menus_fixture  # noqa: F401
from tests.scenarios.test_registration import agency_of, register_by_chat


def th(key: str, **params) -> str:
    return t(key, "th", **params)


BASE = "https://ruamjai.example.go.th"


@pytest.fixture
def app(make_app, settings):
    return make_app(dataclasses.replace(settings, public_base_url=BASE))


@pytest.fixture
def db(app):
    return runtime(app).session_factory


def registered_coordinator(app, db, fake_line) -> tuple[Chat, int]:
    chat = Chat(app.test_client(), fake_line)
    register_by_chat(chat, phone="0812345678")
    chat.say("ยืนยัน")
    agency_id = agency_of(db, chat.user).id
    with db.begin() as session:
        approve_agency(session, agency_id, "cli", datetime.now(UTC))
    runtime(app).outbox.send_due()
    return chat, agency_id


def test_my_data_lists_what_is_held_and_links_a_download(app, db, fake_line):
    chat, _ = registered_coordinator(app, db, fake_line)
    chat.say("ข้อมูลของฉัน")
    assert chat.texts[0].startswith(th("mydata.intro"))
    assert "สมหญิง ใจดี" in chat.text and "081 234 5678" in chat.text and "อบต.บ้านใหม่" in chat.text
    links = [word for word in chat.text.split() if word.startswith(BASE)]
    assert [link.rsplit(".", 1)[1] for link in links] == ["json", "csv"]
    response = app.test_client().get(links[0].removeprefix(BASE))
    assert response.status_code == 200 and response.get_json()["line_user_id"] == chat.user
    assert "+66812345678" in app.test_client().get(links[1].removeprefix(BASE)).get_data(as_text=True)


def test_withdraw_a_consent_in_one_step_and_stop_news(app, db, fake_line):
    chat, agency_id = registered_coordinator(app, db, fake_line)
    with db() as session:
        assert session.get(Agency, agency_id).show_name_publicly is True
    chat.say("ถอนความยินยอม")
    assert th("consent.ask") in chat.text
    chat.tap(th("consent.public_name"))
    assert chat.texts[0].startswith(th("consent.done_public_name"))
    with db() as session:
        assert session.get(Agency, agency_id).show_name_publicly is False

    def news() -> bool:
        with db() as session:
            return session.scalars(
                select(LineUser.news_opt_in).where(LineUser.line_user_id == chat.user)
            ).one()

    chat.say("ตั้งค่า")
    chat.say("รับข่าวสาร")
    chat.say("รับ")
    assert news() is True
    chat.say("หยุดรับข่าวสาร")
    assert chat.texts[0].startswith(th("consent.done_news"))
    assert news() is False


def carries(text: str, needles: set[str]) -> bool:
    return any(needle in text for needle in needles)


def test_delete_my_data_asks_first_then_leaves_no_trace_while_the_agency_stays(app, db, fake_line):
    chat, agency_id = registered_coordinator(app, db, fake_line)
    chat.say("ลบข้อมูลของฉัน")
    assert chat.text == th("erase.ask")
    chat.say("ไม่ลบ")
    assert chat.texts[0].startswith(th("erase.kept"))
    with db() as session:
        before = agency_summary(session, agency_id)
    needles = {chat.user, "สมหญิง ใจดี", "+66812345678", "0812345678", json.dumps("สมหญิง")[1:-1]}

    chat.say("ลบข้อมูลของฉัน")
    chat.tap(th("erase.yes"))
    assert chat.texts[0].startswith(th("erase.done"))
    runtime(app).outbox.send_due()

    def traces() -> list[tuple[str, str]]:
        with db() as session:
            return [(table, column) for table, column, text in every_value(session) if carries(text, needles)]

    # The executor finishes its bookkeeping (releasing the source's lease) just after the reply.
    wait_for(lambda: traces() == [], timeout=10)
    with db() as session:
        after = agency_summary(session, agency_id)
    assert after["coordinators"] == [] and after["name"] == before["name"] and after["status"] == "approved"

    # The person is a stranger now: starting again works from nothing.
    chat.say("ข้อมูลของฉัน")
    assert "สมหญิง" not in chat.text


def test_delete_my_data_gives_back_lines_default_menu(app, db, fake_line, menus):
    chat, agency_id = registered_coordinator(app, db, fake_line)
    assert fake_line.rich_menu_for(chat.user) == menus["coordinator"]
    chat.say("ลบข้อมูลของฉัน")
    chat.tap(th("erase.yes"))
    assert chat.texts[0].startswith(th("erase.done"))
    runtime(app).outbox.send_due()
    assert [c.path for c in fake_line.calls("DELETE", f"/v2/bot/user/{chat.user}")] == [
        f"/v2/bot/user/{chat.user}/richmenu"
    ]
    assert fake_line.rich_menu_for(chat.user) == menus["subscriber"]  # LINE's default again
    with db() as session:
        assert session.scalars(select(LineUser).where(LineUser.line_user_id == chat.user)).first() is None
        statuses = session.scalars(select(Coordinator.status).where(Coordinator.agency_id == agency_id))
        assert statuses.all() == ["erased"]

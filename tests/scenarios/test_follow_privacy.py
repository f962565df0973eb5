"""Following the account: a welcome and the versioned privacy notice, recorded per person."""

from __future__ import annotations

from sqlalchemy import select

from bot.fakeline.events import follow_event
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.pages.privacy import (
    NOTICE_FINGERPRINTS,
    PRIVACY_NOTICE_VERSION,
    notice_fingerprint,
    notice_text,
)
from handlers.services.authz import role_of
from storage.models import LineUser
from tests.helpers import Chat


def test_a_follower_gets_the_notice_and_its_version_is_recorded(app, client, fake_line):
    chat = Chat(client, fake_line)
    texts = chat._send(lambda **kw: follow_event(chat.user, **kw))
    assert texts == [t("welcome.greeting", "th"), notice_text("th")]
    notice = texts[1]
    # Who holds the data, why, how long, the rights, how to ask.
    for words in (
        "กรมการเปลี่ยนแปลงสภาพภูมิอากาศและสิ่งแวดล้อม",
        "องค์การบริหารจัดการก๊าซเรือนกระจก",
        "เพื่ออะไร",
        "เก็บนานเท่าใด",
        "พระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล",
        '"ข้อมูลของฉัน"',
        '"ลบข้อมูลของฉัน"',
        f"ฉบับที่ {PRIVACY_NOTICE_VERSION}",
    ):
        assert words in notice
    with runtime(app).session_factory() as session:
        user = session.scalars(select(LineUser).where(LineUser.line_user_id == chat.user)).one()
        assert user.privacy_notice_version == PRIVACY_NOTICE_VERSION and user.privacy_notice_at is not None
        assert role_of(session, chat.user) == "subscriber"


def test_changing_the_notice_needs_a_new_version():
    assert NOTICE_FINGERPRINTS[PRIVACY_NOTICE_VERSION] == notice_fingerprint(), (
        "the privacy notice's text changed: give it a new PRIVACY_NOTICE_VERSION and fingerprint"
    )

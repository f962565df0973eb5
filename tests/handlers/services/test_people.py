"""Personal-data rights: what is held, the download link, consent withdrawal, and erasure that
leaves no name, phone or LINE user id in any column of any table while the agency remains."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.fakeline.events import follow_event, new_user_id
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.pages.privacy import PRIVACY_NOTICE_VERSION
from handlers.services.agencies import agency_summary
from handlers.services.people import (
    create_data_export,
    erase_person,
    export_url,
    personal_data,
    withdraw_consent,
)
from storage.models import LineUser
from storage.models.program import Agency, AuditEntry, Coordinator, DataExport
from tests.handlers.domain_helpers import (  # noqa: F401
    NOW,
    approved,
    db_fixture,
    person,
    pushed_texts,
    staff,
)
from tests.handlers.erasure_helpers import every_value
from tests.helpers import Chat, wait_for

NAME, PHONE, TYPED_PHONE = "สมชาย ใจดี", "+66812345678", "081-234-5678"


def test_personal_data_lists_what_is_held(db):
    user, agency_id = approved(db, who=person(name=NAME, phone=PHONE))
    with db.begin() as session:
        data = personal_data(session, user)
    assert data["line_user_id"] == user
    [membership] = data["coordinator_of"]
    assert membership["name"] == NAME and membership["phone"] == PHONE
    assert membership["agency"] == "องค์การบริหารส่วนตำบลบางพลี" and membership["agency_id"] == agency_id
    assert data["profile"]["news_opt_in"] is True


def test_the_download_link_serves_json_and_csv_for_24_hours_only(db, client):
    user, _ = approved(db, who=person(name=NAME, phone=PHONE))
    now = datetime.now(UTC)
    with db.begin() as session:
        token = create_data_export(session, user, now)
        stale = create_data_export(session, user, now - timedelta(hours=24, seconds=1))
        stored = session.scalars(select(DataExport.token_hash)).all()
    assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    assert token not in stored  # only a hash is kept
    url = export_url("https://ruamjai.example", token, "json")
    assert url == f"https://ruamjai.example/my-data/{token}.json"
    response = client.get(f"/my-data/{token}.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.data)["coordinator_of"][0]["name"] == NAME
    response = client.get(f"/my-data/{token}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert ["coordinator_of", "1", "phone", PHONE] in rows
    assert client.get(f"/my-data/{stale}.json").status_code == 404  # expired
    assert client.get(f"/my-data/{token[:-1]}x.json").status_code == 404  # unknown
    assert client.get(f"/my-data/{token}.xml").status_code == 404


def test_withdrawing_a_consent_is_one_step(db):
    user, agency_id = approved(db)
    with db.begin() as session:
        withdraw_consent(session, user, "news", NOW)
        withdraw_consent(session, user, "public_name", NOW)
    with db.begin() as session:
        assert (
            session.scalars(select(LineUser).where(LineUser.line_user_id == user)).one().news_opt_in is False
        )
        assert session.get(Agency, agency_id).show_name_publicly is False


def test_erasure_leaves_no_trace_of_the_person_while_the_agency_remains(app, client, db, fake_line):
    staff(db)  # so that staff notices sit in the outbox too
    chat = Chat(client, fake_line)
    user = chat.user
    chat._send(lambda **kw: follow_event(user, **kw))
    chat.say(f"ชื่อ {NAME} โทร {TYPED_PHONE}")  # stored in the inbox as typed
    _, agency_id = approved(db, user, who=person(name=NAME, phone=PHONE))
    colleague = new_user_id()
    with db.begin() as session:
        from handlers.services.agencies import decide_join_request, request_to_join

        request = request_to_join(
            session, colleague, agency_id, person(name="มานี มีนา", phone="+66898765432"), NOW
        )
        decide_join_request(session, request.id, True, f"line:{user}", NOW)
        create_data_export(session, user, NOW)
        # A report with an evidence photo, and the coordinator's rich menu.
        from handlers.services.reports import Draft, submit_report
        from storage.photo_repository import PhotoRepository
        from storage.repositories import OutboxRepository

        photo, _ = PhotoRepository(session).add(
            line_user_id=user,
            line_message_id="m-erasure-1",
            display_key="photos/a.jpg",
            thumb_key="photos/a-t.jpg",
            sha256="0" * 64,
            phash="0" * 16,
            width=4000,
            height=3000,
            created_at=NOW,
        )
        inputs = {"electricity_generated": {"value": "1250", "unit": "kWh"}}
        draft = Draft("erasure-1", "renewable_electricity", inputs, date(2024, 6, 1), date(2024, 6, 30))
        report, _ = submit_report(session, user, draft, NOW)
        PhotoRepository(session).attach([photo.id], report.id, user)
        OutboxRepository(session).enqueue_richmenu_link(
            line_user_ids=[user], menu="coordinator", dedupe_key="richmenu:erasure", now=NOW
        )
        assert session.scalars(
            select(LineUser.privacy_notice_version).where(LineUser.line_user_id == user)
        ).one() == (PRIVACY_NOTICE_VERSION)
    pushed_texts(app, fake_line, user)
    with db.begin() as session:
        before = agency_summary(session, agency_id)
        needles = {user, NAME, PHONE, TYPED_PHONE, "0812345678", json.dumps(NAME)[1:-1]}
        assert any(n in text for _, _, text in every_value(session) for n in needles)  # the scan can see
        reference = erase_person(session, user, NOW, actor="cli")

    def leftovers() -> list[tuple[str, str]]:
        with db() as session:
            return [(t, c) for t, c, text in every_value(session) if any(n in text for n in needles)]

    # Only the unlink that gives them LINE's default menu back names them, until it is sent.
    assert leftovers() == [("outbox_messages", "recipients")]
    pushed_texts(app, fake_line, user)
    assert fake_line.calls("DELETE", f"/v2/bot/user/{user}/richmenu")
    assert leftovers() == []
    with db.begin() as session:
        after = agency_summary(session, agency_id)
        assert {k: v for k, v in after.items() if k != "coordinators"} == {
            k: v for k, v in before.items() if k != "coordinators"
        }
        assert after["coordinators"] == [{"name": "มานี มีนา", "position": "นักวิชาการ"}]
        from storage.models.reports import Report

        [kept] = session.scalars(select(Report)).all()  # the agency's report stays, unsigned
        assert (kept.agency_id, kept.reporter_line_user_id) == (agency_id, None)
        assert (
            session.scalars(
                select(Coordinator).where(Coordinator.agency_id == agency_id).order_by(Coordinator.id)
            )
            .first()
            .status
            == "erased"
        )
        assert (
            session.scalars(select(AuditEntry.subject).where(AuditEntry.action == "erase_person")).one()
            == reference
        )
        assert personal_data(session, colleague)["coordinator_of"][0]["name"] == "มานี มีนา"  # others untouched


def test_erasing_an_agencys_last_coordinator_tells_staff_without_naming_them(app, db, fake_line):
    officer = staff(db)
    user, agency_id = approved(db, who=person(name=NAME, phone=PHONE))
    with db.begin() as session:
        erase_person(session, user, NOW)
    texts = pushed_texts(app, fake_line, officer)
    [notice] = [text for text in texts if "ไม่มีผู้ประสานงานแล้ว" in text]
    assert str(agency_id) in notice and NAME not in notice


def test_erasing_through_the_chat_leaves_no_trace_even_in_the_confirmation_reply(app, client, db, fake_line):
    chat = Chat(client, fake_line)
    user = chat.user
    chat._send(lambda **kw: follow_event(user, **kw))
    approved(db, user, who=person(name=NAME, phone=PHONE))
    chat.say("ลบข้อมูลของฉัน")
    assert chat.say("ยืนยัน")[0].startswith(t("erase.done", "th"))
    runtime(app).outbox.send_due()
    needles = {user, NAME, PHONE, "0812345678"}

    def leftovers():
        with db.begin() as session:
            return [(table, c) for table, c, text in every_value(session) if any(n in text for n in needles)]

    # A drain of the same source that started before the erasure committed may still be letting go
    # of its lease (a row keyed by the LINE user id): wait for the executor to settle, then look.
    try:
        wait_for(lambda: not leftovers(), timeout=5, interval=0.1)
    finally:
        assert leftovers() == []

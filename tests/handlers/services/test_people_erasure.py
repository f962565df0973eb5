"""Erasure erases the person and only the person: a well-formed id or nothing, other people's
messages kept, their loose photos deleted (and stale ones nightly), their identifiers scrubbed
from what reports keep, SQLite's write-ahead log emptied."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.clock import run_once
from bot.fakeline.events import new_user_id
from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.people import erase_person
from handlers.services.reports import Draft, submit_report
from handlers.services.scrub import SCRUBBED, Identity, scrub_text
from storage.models import OutboxMessage, Photo
from storage.models.program import AuditEntry
from storage.models.reports import Report
from storage.photo_repository import PhotoRepository
from storage.repositories import OutboxRepository
from tests.handlers.domain_helpers import NOW, approved, db_fixture, person  # noqa: F401
from tests.handlers.erasure_helpers import (
    NAME,
    PHONE_E164,
    POSITION,
    cli_fixture,  # noqa: F401
    every_value,
    traces_in_bytes,
)
from tests.handlers.report_chat import ReportChat, gps_photo

TEXT = [{"type": "text", "text": "ข่าวโครงการ"}]


def coordinator(db) -> str:
    user, _ = approved(db, who=person(name=NAME, phone=PHONE_E164, position=POSITION))
    return user


def snapshot(db) -> list[tuple[str, str, str]]:
    with db() as session:
        return sorted(every_value(session))


def outbox_for_others(db, user: str) -> list[str]:
    """A multicast to the person and two others, a push to each side; returns the others."""
    others = [new_user_id(), new_user_id()]
    with db.begin() as session:
        outbox = OutboxRepository(session)
        outbox.enqueue_multicast(to=[others[0], user, others[1]], messages=TEXT, dedupe_key="news", now=NOW)
        outbox.enqueue_push(to=others[0], messages=TEXT, dedupe_key="push-other", now=NOW)
        outbox.enqueue_push(to=user, messages=TEXT, dedupe_key="push-them", now=NOW)
    return others


# -- 1. a well-formed id of someone on record, or nothing --------------------------------------------
@pytest.mark.parametrize(
    "given",
    [
        "",
        "U",
        "%",
        "' OR 1=1 --",
        "U" + "A" * 32,
        "U" + "0" * 31,
        "U" + "0" * 33,
        " U" + "0" * 32,
        "U" * 40_000,
    ],
)
def test_erase_refuses_anything_but_a_line_user_id_in_one_line_and_changes_nothing(cli, db, given):
    user = coordinator(db)
    outbox_for_others(db, user)
    before = snapshot(db)
    code, out, err = cli("person", "erase", "--line-user", given)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err and len(err) < 200
    assert snapshot(db) == before


def test_erasing_someone_nobody_has_on_record_says_so_and_writes_nothing(cli, db):
    user = coordinator(db)
    outbox_for_others(db, user)
    before = snapshot(db)
    code, out, err = cli("person", "erase", "--line-user", new_user_id())
    assert (code, out) == (1, "") and "no such person" in err and err.count("\n") == 1
    assert snapshot(db) == before
    with db() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "erase_person")).all() == []


# -- 2. only the person leaves the recipient lists ---------------------------------------------------
def test_erasing_one_person_keeps_everyone_elses_pending_messages(app, db, fake_line):
    user = coordinator(db)
    others = outbox_for_others(db, user)
    with db.begin() as session:
        erase_person(session, user, NOW)
    with db() as session:
        rows = {row.dedupe_key: json.loads(row.recipients) for row in session.scalars(select(OutboxMessage))}
    assert rows["news#0"] == others and rows["push-other"] == [others[0]]
    assert "push-them" not in rows
    runtime(app).outbox.send_due()
    for other in others:
        assert "ข่าวโครงการ" in [m.get("text") for d in fake_line.delivered_to(other) for m in d.messages]
    assert not [m for d in fake_line.delivered_to(user) for m in d.messages if m.get("type") == "text"]


def test_a_waiting_message_to_someone_else_that_quotes_the_person_goes_without_them(app, db, fake_line):
    user = coordinator(db)
    colleague = new_user_id()
    quote = [{"type": "text", "text": f"{NAME} ({POSITION}) ขอเข้าร่วม โทร 089 765 4321"}]
    with db.begin() as session:
        outbox = OutboxRepository(session)
        outbox.enqueue_push(to=colleague, messages=quote, dedupe_key="waiting", now=NOW)
        outbox.enqueue_push(to=colleague, messages=quote, dedupe_key="already-sent", now=NOW)
        [sent] = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "already-sent"))
        sent.status = "sent"
        erase_person(session, user, NOW)
    with db() as session:
        assert [row.dedupe_key for row in session.scalars(select(OutboxMessage).where(
            OutboxMessage.dedupe_key.in_(["waiting", "already-sent"])
        ))] == ["waiting"]  # fmt: skip
    runtime(app).outbox.send_due()
    [message] = [m for d in fake_line.delivered_to(colleague) for m in d.messages]
    assert message["text"] == f"{SCRUBBED} ({SCRUBBED}) ขอเข้าร่วม โทร {SCRUBBED}"


# -- 3. photos never attached go with the person, and nightly after a while ---------------------------
def test_erasing_by_chat_mid_report_deletes_the_loose_photo_and_its_files(app, db, fake_line, settings):
    chat = ReportChat(app, fake_line)
    chat.say("รายงานกิจกรรม")
    chat.tap_starting("พลังงานทดแทน")
    chat.say("1,250 หน่วย")
    chat.say("มิ.ย. 2567")
    chat.send_photo(gps_photo())
    [photo] = chat.photos()
    files = [settings.media_dir / photo.display_key, settings.media_dir / photo.thumb_key]
    assert all(path.exists() for path in files) and photo.gps_lat is not None
    chat.say("ลบข้อมูลของฉัน")
    chat.tap("ออก")  # asked first whether to leave the report (its answers become a draft)
    assert chat.text.endswith(t("erase.ask", "th"))
    chat.tap(t("erase.yes", "th"))
    assert chat.texts[0].startswith(t("erase.done", "th"))
    with db() as session:
        assert session.scalars(select(Photo)).all() == []
    assert not any(path.exists() for path in files)


def add_photo(app, db, message_id: str, created_at, user: str = "U" + "1" * 32) -> Photo:
    store = runtime(app).media
    with db.begin() as session:
        photo, _ = PhotoRepository(session).add(
            line_user_id=user, line_message_id=message_id, display_key=f"photos/{message_id}/display.jpg",
            thumb_key=f"photos/{message_id}/thumb.jpg", sha256=message_id.ljust(64, "0"), phash="0" * 16,
            width=800, height=600, gps_lat=13.7, gps_lon=100.5, created_at=created_at,
        )  # fmt: skip
    store.put(photo.display_key, b"display", "image/jpeg")
    store.put(photo.thumb_key, b"thumb", "image/jpeg")
    return photo


def test_the_nightly_photo_purge_deletes_photos_never_attached_after_the_retention_period(
    app, db, settings, web_env, monkeypatch, cli
):
    now = runtime(app).clock.now()
    old, fresh = now - timedelta(days=31), now - timedelta(days=29)
    stale = add_photo(app, db, "stale", old)
    kept = add_photo(app, db, "fresh", fresh)
    unsent = add_photo(app, db, "unsent", fresh)
    user, _ = approved(db)
    evidence = add_photo(app, db, "evidence", old, user=user)
    with db.begin() as session:
        PhotoRepository(session).mark_removed(unsent.line_user_id, "unsent", now)
        inputs = {"electricity_generated": {"value": "5", "unit": "kWh"}}
        june = (date(2024, 6, 1), date(2024, 6, 30))
        draft = Draft("k-1", "renewable_electricity", inputs, *june, photo_ids=[evidence.id])
        submit_report(session, user, draft, NOW)
    for name, value in web_env.items():
        monkeypatch.setenv(name, value)
    code, out, err = cli("clock", "run-once", "photos")
    assert (code, out) == (0, "photos: 2\n"), err
    with db() as session:
        assert sorted(p.line_message_id for p in session.scalars(select(Photo))) == ["evidence", "fresh"]
    media: Path = settings.media_dir
    for photo, exists in ((stale, False), (unsent, False), (kept, True), (evidence, True)):
        assert (media / photo.display_key).exists() is exists and (media / photo.thumb_key).exists() is exists
    assert run_once(runtime(app), "photos") == 0  # nothing left to do


# -- 4. what a report keeps: the agency's figures and place, not the person --------------------------
def test_the_persons_identifiers_are_scrubbed_from_the_reports_free_text(db):
    user = coordinator(db)
    address = f"บ้านเลขที่ 5 หมู่ 3 ติดต่อ{NAME}  ({POSITION}) โทร ๐๘๙-๗๖๕-๔๓๒๑ หรือ +66 89 765 4321"
    draft = Draft(
        "k-2", "renewable_electricity", {"electricity_generated": {"value": "1250", "unit": "kWh"}},
        date(2024, 6, 1), date(2024, 6, 30), place={"lat": 18.79, "lon": 98.98, "address": address},
    )  # fmt: skip
    with db.begin() as session:
        submit_report(session, user, draft, NOW)
        erase_person(session, user, NOW)
    with db() as session:
        [report] = session.scalars(select(Report)).all()
    kept = f"บ้านเลขที่ 5 หมู่ 3 ติดต่อ{SCRUBBED}  ({SCRUBBED}) โทร {SCRUBBED} หรือ {SCRUBBED}"
    assert report.place_address == kept
    assert (report.place_lat, report.place_lon, report.reporter_line_user_id) == (18.79, 98.98, None)
    assert json.loads(report.inputs) == {"electricity_generated": {"value": "1250", "unit": "kWh"}}


def test_scrubbing_keeps_everything_that_is_not_the_persons():
    identity = Identity("U" + "a" * 32, names={"สมชาย ใจดี"}, positions={"ปลัด"}, phones={"+66812345678"})
    assert scrub_text("ซอยสมชาย 2 โทร 02-123-4567", identity) == "ซอยสมชาย 2 โทร 02-123-4567"
    assert scrub_text("ให้ สมชาย ใจดี 0812345678", identity) == f"ให้ {SCRUBBED} {SCRUBBED}"
    assert scrub_text("ปลัดอำเภอ", identity) == f"{SCRUBBED}อำเภอ"  # Thai has no spaces between words
    initials = Identity("U" + "b" * 32, names={"กข"})
    assert scrub_text("กขค", initials) == "กขค"  # too short to be theirs alone: kept
    assert scrub_text(None, identity) is None


# -- 5. SQLite's write-ahead log and free pages keep nothing -------------------------------------------
def test_after_an_erasure_the_sqlite_files_hold_none_of_the_persons_identifiers(app, db, is_postgres):
    user = coordinator(db)
    with db.begin() as session:
        erase_person(session, user, NOW)
    if is_postgres:
        return  # PostgreSQL has no -wal file to read (the scan test covers its tables)
    database = Path(runtime(app).settings.database_url.removeprefix("sqlite:///"))
    wal = database.with_name(database.name + "-wal")
    # Right after the erasure's commit: the log is emptied, so the old name and phone are gone
    # from it (only the id waits, in the queued unlink that gives them LINE's default menu).
    assert wal.stat().st_size == 0
    assert traces_in_bytes(database.read_bytes(), user) in ([], [user])
    runtime(app).outbox.send_due()  # the unlink is sent, then its id is forgotten
    assert traces_in_bytes(wal.read_bytes(), user) == []
    assert traces_in_bytes(database.read_bytes(), user) == []

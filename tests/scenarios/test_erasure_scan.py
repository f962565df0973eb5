"""The whole-database scan: a coordinator with a distinctive name, position and phone registers,
reports with a GPS-tagged photo, leaves a photo unattached, and is erased by staff; then every
table and column, the media folder, SQLite's write-ahead log and the logs hold none of their
identifiers, and everyone else's pending messages are still there and go out."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.fakeline.events import new_user_id
from bot.runtime import runtime
from handlers.catalog import t
from storage.models import OutboxMessage, Photo
from storage.models.reports import Report
from storage.repositories import OutboxRepository
from tests.handlers.domain_helpers import NOW, db_fixture, staff  # noqa: F401
from tests.handlers.erasure_helpers import (
    NAME,
    cli_fixture,  # noqa: F401
    register_and_report,
    traces_in_bytes,
    traces_in_files,
    traces_in_logs,
    traces_in_tables,
)
from tests.helpers import wait_for


@pytest.mark.parametrize("by", ["staff", "chat"])
def test_after_erasure_no_table_file_log_or_wal_holds_the_person(
    app,
    db,
    fake_line,
    cli,
    caplog,
    settings,
    is_postgres,
    by,
):
    caplog.set_level(logging.DEBUG)
    officer = staff(db)
    chat = register_and_report(app, db, fake_line)
    user = chat.user
    others = [new_user_id() for _ in range(3)]
    with db.begin() as session:
        outbox = OutboxRepository(session)
        outbox.enqueue_multicast(
            to=[others[0], user, others[1]], messages=[{"type": "text", "text": "ข่าวโครงการ"}],
            dedupe_key="news-1", now=NOW,
        )  # fmt: skip
        outbox.enqueue_push(
            to=others[2], messages=[{"type": "text", "text": "ถึงคุณคนเดียว"}], dedupe_key="p-1", now=NOW
        )
    # What waits in the outbox (the clock is not running): replies went, everything else waits.
    with db.begin() as session:
        pending = {row.id: json.loads(row.recipients) for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == "pending")
        )}  # fmt: skip
    with db() as session:
        photos = session.scalars(select(Photo).order_by(Photo.id)).all()
        [attached] = [p for p in photos if p.report_id is not None]
        [loose] = [p for p in photos if p.report_id is None]
        assert loose.gps_lat is not None and loose.captured_at is not None
    media = settings.media_dir
    assert (media / loose.display_key).exists() and (media / loose.thumb_key).exists()
    assert traces_in_tables(db, user)  # the scan can see them before

    if by == "staff":
        code, out, err = cli("person", "erase", "--line-user", user)
        assert code == 0 and user not in out + err and NAME not in out + err, err
    else:
        chat.say("ลบข้อมูลของฉัน")
        chat.tap("ออก")  # the report in progress
        chat.tap(t("erase.yes", "th"))
        assert chat.texts[0].startswith(t("erase.done", "th"))

    # Everyone else's pending messages are all there: the person alone left their lists.
    with db() as session:
        after = {row.id: json.loads(row.recipients) for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(list(pending)))
        )}  # fmt: skip
    for row_id, recipients in pending.items():
        if set(recipients) - {user}:
            assert after[row_id] == [who for who in recipients if who != user]
    # Until LINE has the unlink that gives them the default menu, one row names them (and, by chat,
    # the lease of the executor that ran the erasure until it lets go).
    briefly = {("outbox_messages", "recipients"), ("source_leases", "source_key")}
    assert set(traces_in_tables(db, user)) <= briefly
    runtime(app).outbox.send_due()
    wait_for(lambda: traces_in_tables(db, user) == [], timeout=10)
    for other, text in ((others[0], "ข่าวโครงการ"), (others[1], "ข่าวโครงการ"), (others[2], "ถึงคุณคนเดียว")):
        assert text in [m.get("text") for d in fake_line.delivered_to(other) for m in d.messages]
    assert not any(m.get("text") == "ข่าวโครงการ" for d in fake_line.delivered_to(user) for m in d.messages)
    # Staff still hear of the registration that was waiting (it names the agency, not the person).
    notices = [m.get("text", "") for d in fake_line.delivered_to(officer) for m in d.messages]
    assert any("อบต.ทดสอบลบข้อมูล" in text for text in notices), notices

    # The unattached photo is gone, rows and files; the report keeps its evidence photo.
    with db() as session:
        remaining = session.scalars(select(Photo)).all()
        [report] = session.scalars(select(Report)).all()
    assert [p.id for p in remaining] == [attached.id] and remaining[0].gps_lat is not None
    assert not (media / loose.display_key).exists() and not (media / loose.thumb_key).exists()
    assert (media / attached.display_key).exists()
    assert report.reporter_line_user_id is None and report.place_address.startswith("หมู่ 3 ต.ทดสอบ ติดต่อ")
    assert traces_in_files(media, user) == []
    assert traces_in_logs(caplog.records, user) == []
    if not is_postgres:
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        wal = database.with_name(database.name + "-wal")
        assert traces_in_bytes(wal.read_bytes() if wal.exists() else b"", user) == []
        assert traces_in_bytes(database.read_bytes(), user) == []

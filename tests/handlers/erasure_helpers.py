"""Shared pieces of the erasure tests: a coordinator with distinctive personal data who registers
and reports by chat, and scans of every place their data could remain."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.fakeline.events import location_event
from handlers.catalog import t
from handlers.services.agencies import approve_agency
from storage.models import Base
from tests.handlers.report_chat import ReportChat
from tests.photo_samples import phone_jpeg

NAME = "ศรีสุดา วงศ์ไพบูลย์ทอง"
POSITION = "หัวหน้าฝ่ายรักษ์โลกพิเศษ"
PHONE_TYPED, PHONE_E164 = "089-765-4321", "+66897654321"


def th(key: str, **params) -> str:
    return t(key, "th", **params)


def needles(line_user_id: str) -> set[str]:
    """Every form the person's identifiers take in stored text: as typed, as stored, as JSON
    writes Thai with ensure_ascii."""
    plain = {line_user_id, NAME, POSITION, PHONE_TYPED, PHONE_E164, "0897654321", "089 765 4321"}
    return plain | {json.dumps(value)[1:-1] for value in plain}


def every_value(session) -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-empty value of every column of every table (JSON
    columns are text: whatever they nest is in the text)."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(table.select()).mappings():
            for column, value in row.items():
                if value is not None:
                    found.append((table.name, column, str(value)))
    return found


def traces_in_tables(db, line_user_id: str) -> list[tuple[str, str]]:
    wanted = needles(line_user_id)
    with db() as session:
        return sorted(
            {
                (table, column)
                for table, column, text in every_value(session)
                if any(n in text for n in wanted)
            }
        )


def traces_in_bytes(data: bytes, line_user_id: str) -> list[str]:
    return sorted(needle for needle in needles(line_user_id) if needle.encode("utf-8") in data)


def traces_in_files(folder: Path, line_user_id: str) -> list[str]:
    return sorted(
        f"{path.relative_to(folder)}: {needle}"
        for path in folder.rglob("*")
        if path.is_file()
        for needle in traces_in_bytes(path.read_bytes(), line_user_id)
    )


def traces_in_logs(records: list[logging.LogRecord], line_user_id: str) -> list[str]:
    """Needles in any log record: its message, arguments, extras and traceback."""
    wanted = needles(line_user_id)
    found = []
    for record in records:
        text = " ".join(str(value) for value in vars(record).values()) + record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        found.extend(f"{record.name}: {n}" for n in wanted if n in text)
    return found


def register_and_report(app, db, fake_line) -> ReportChat:
    """The coordinator registers their agency by chat, is approved, sends a report with a
    GPS-tagged photo and a place whose address holds their phone, then starts another report
    and sends a photo that is never attached."""
    chat = ReportChat(app, fake_line, coordinator=False)
    for answer in ("ลงทะเบียนหน่วยงาน", "อบต.ทดสอบลบข้อมูล", "อบต.", "เชียงใหม่", "ใช่", "ไม่ระบุ"):
        chat.say(answer)
    for answer in (NAME, POSITION, PHONE_TYPED, "ได้", "ไม่รับ"):
        chat.say(answer)
    chat.tap(th("register.confirm"))
    from tests.scenarios.test_registration import agency_of

    with db.begin() as session:
        approve_agency(session, agency_of(db, chat.user).id, "cli", datetime.now(UTC))
    chat.say("รายงานกิจกรรม")
    chat.tap_starting("พลังงานทดแทน")
    chat.say("๑,๒๕๐ หน่วย")
    chat.say("มิ.ย. 2567")
    chat.send_photo(phone_jpeg((800, 600), seed=7))
    chat.tap(th("reporting.done"))
    # The photo's GPS became the place; the coordinator gives it again with an address instead.
    chat.tap(th("reporting.change"))
    chat.tap(th("reporting.place_label"))
    address = f"หมู่ 3 ต.ทดสอบ ติดต่อ {NAME} {POSITION} โทร {PHONE_TYPED}"
    chat._send(lambda **kw: location_event(chat.user, 18.79, 98.98, address=address, **kw))
    chat.tap(th("reporting.confirm"))
    assert len(chat.reports()) == 1, chat.text
    chat.say("รายงานกิจกรรม")
    chat.tap_starting("พลังงานทดแทน")
    chat.say("500 หน่วย")
    chat.say("ก.ค. 2567")
    chat.send_photo(phone_jpeg((800, 600), seed=8))  # sent mid-report, never attached
    return chat


@pytest.fixture(name="cli")
def cli_fixture(database_url, monkeypatch, capsys, tmp_path):
    """`ruamjai …` run in this process as an operator would, against the test's database and
    instance folder (whose media folder is the app's)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RUAMJAI_INSTANCE", str(tmp_path))

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()  # what the app printed before is not the command's
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run

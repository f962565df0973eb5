"""`ruamjai report list|show|approve|needs-fix|reject`: staff review from the command line; the
coordinator hears each decision in LINE, and "needs fix" re-opens only the named fields in
"my reports" (รายงานของฉัน), after which the report is back in the queue."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from handlers.catalog import t
from tests.handlers.domain_helpers import pushed_texts
from tests.handlers.report_chat import ReportChat
from tests.scenarios.test_report import finish_to_summary, start


@pytest.fixture
def cli(database_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RUAMJAI_INSTANCE", str(tmp_path))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def reported(app, fake_line, kwh: str = "1,250 kWh") -> tuple[ReportChat, str]:
    chat = ReportChat(app, fake_line)
    start(chat, "renewable_electricity")
    chat.say(kwh)
    finish_to_summary(chat)
    chat.tap(t("reporting.confirm", "th"))
    [report] = chat.reports()
    return chat, f"R-{report.year_be}-{report.sequence:05d}"


def test_needs_fix_reopens_only_the_named_field_and_the_fixed_report_returns_to_the_queue(
    cli, app, fake_line
):
    chat, ref = reported(app, fake_line)
    code, out, _ = cli("report", "list")
    assert code == 0 and ref in out and "renewable_electricity" in out
    code, out, _ = cli("report", "show", ref, "--json")
    shown = json.loads(out)
    assert shown["status"] == "submitted" and shown["result"]["factors_used"][0]["dataset"]
    assert len(shown["photos"]) == 1
    code, out, _ = cli(
        "report", "needs-fix", ref, "--fields", "electricity_generated", "--reason", "ตัวเลขไม่ตรงบิล"
    )
    assert code == 0, out
    pushed = pushed_texts(app, fake_line, chat.user)
    assert pushed[-1] == t(
        "reporting.decision.needs_fix", "th", ref=ref, fields="ปริมาณไฟฟ้าที่ผลิตได้", reason="ตัวเลขไม่ตรงบิล"
    )
    assert ref not in cli("report", "list")[1]  # out of the queue while the coordinator fixes it
    chat.say("รายงานของฉัน")
    assert t("reporting.status.needs_fix", "th") in chat.text
    chat.tap(ref)
    chat.tap(t("reporting.mine.fix", "th"))
    assert "ปริมาณไฟฟ้าที่ผลิตได้" in chat.text  # only that field is asked again
    chat.say("2,000 kWh")
    assert chat.flex is not None and "2,000" in chat.flex_text
    chat.tap(t("reporting.confirm", "th"))
    [report] = chat.reports()
    assert report.status == "submitted"
    assert json.loads(report.inputs)["electricity_generated"]["value"] == "2000"
    assert ref in cli("report", "list")[1]  # back in the queue
    assert cli("report", "approve", ref)[0] == 0
    assert pushed_texts(app, fake_line, chat.user)[-1] == t("reporting.decision.approved", "th", ref=ref)
    code, _, err = cli("report", "reject", ref, "--reason", "ซ้ำ")
    assert code == 1 and "not_reviewable" in err
    chat.say("รายงานของฉัน")  # approved: listed, no longer editable
    assert t("reporting.status.approved", "th") in chat.text and ref not in chat.buttons


def test_reject_tells_the_coordinator_why_and_unknown_refs_or_fields_are_refused(cli, app, fake_line):
    chat, ref = reported(app, fake_line)
    assert cli("report", "needs-fix", ref, "--fields", "colour", "--reason", "x")[0] == 1
    assert cli("report", "approve", "R-2400-00009")[0] == 1
    assert cli("report", "reject", ref, "--reason", "ไม่มีหลักฐาน")[0] == 0
    assert pushed_texts(app, fake_line, chat.user)[-1] == t(
        "reporting.decision.rejected", "th", ref=ref, reason="ไม่มีหลักฐาน"
    )


def test_a_coordinator_withdraws_a_report_not_yet_reviewed_after_saying_yes(cli, app, fake_line):
    chat, ref = reported(app, fake_line)
    chat.say("รายงานของฉัน")
    chat.tap(ref)
    chat.tap(t("reporting.mine.withdraw", "th"))
    assert ref in chat.text and "ถอน" in chat.text  # which report, asked first
    assert chat.buttons[:2] == [t("review.withdraw.yes", "th"), t("review.withdraw.no", "th")]
    assert chat.reports()[0].status == "submitted"
    chat.send_sticker()  # a sticker mid-question: the same question again
    assert ref in chat.text and chat.reports()[0].status == "submitted"
    chat.say("ไม่ค่ะ")
    assert t("review.withdraw.kept", "th", ref=ref) in chat.text
    assert chat.reports()[0].status == "submitted"
    chat.say("รายงานของฉัน")
    chat.tap(ref)
    chat.tap(t("reporting.mine.withdraw", "th"))
    chat.say("ใช่")
    assert t("reporting.mine.withdrawn", "th", ref=ref) in chat.text
    assert chat.reports()[0].status == "withdrawn"
    assert ref not in cli("report", "list")[1]


def test_my_reports_list_says_the_result_in_thai_units_to_a_thai_reader(app, fake_line):
    chat, ref = reported(app, fake_line)
    chat.say("รายงานของฉัน")
    [line] = [line for line in chat.text.splitlines() if line.startswith(ref)]
    assert line.split(" · ")[3].endswith(" กก.CO2e") and "kgCO2e" not in chat.text

"""Staff commands and odd input: one line on stderr and exit status 2, never a traceback; staff
text that reaches people in LINE always fits LINE's limits; text shown back is safe to print; and
each command asks only for the settings it uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.cli import main
from handlers.catalog import t
from handlers.services.refusals import REASON_MAX_CHARS
from handlers.services.reports import ReportRefused, reject_report
from storage.models import OutboxMessage, ScheduledPost
from storage.models.reports import Report
from tests.bot.cli.test_report import reported
from tests.handlers.domain_helpers import db_fixture, pushed_texts, registered  # noqa: F401

HUGE_ID = "9" * 20  # past a 64-bit integer
LINE_SETTINGS = ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "SECRET_KEY")


@pytest.fixture
def cli(database_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RUAMJAI_INSTANCE", str(tmp_path))
    for name in LINE_SETTINGS:
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()  # what the test's own set-up printed
        try:
            code = main(list(argv))
        except SystemExit as stop:  # argparse's own refusals
            code = stop.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def refused_in_one_line(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 2, (code, out, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    "argv",
    [
        ("report", "list", "--limit", HUGE_ID),
        ("report", "list", "--limit", "0"),
        ("post", "cancel", HUGE_ID),
        ("post", "cancel", "-1"),
        ("outbox", "replay", "3", HUGE_ID),
        ("outbox", "dead", "--limit", HUGE_ID),
        ("inbox", "rejected", "--limit", "²"),
        ("agency", "approve", HUGE_ID),
        ("agency", "decide-join", HUGE_ID, "approve"),
        ("campaign", "load", "no/such/campaign.toml"),
        ("campaign", "load", "x" * 40_000),
        ("campaign", "load", "."),
        ("staff", "add", "--line-user", "U" + "0" * 32, "--name", "n" * 40_000),
        ("staff", "add", "--line-user", "U" * 40_000),
        ("demo", "--port", HUGE_ID),
        ("send-demo-event", "text", "hi", "--user", "x" * 40_000),
        ("report", "list", "--status", "x\ny" * 10_000),
    ],
    ids=lambda argv: " ".join(argv)[:40],
)
def test_bad_input_gets_one_line_and_exit_status_2(cli, db, argv):
    err = refused_in_one_line(cli(*argv))
    assert len(err) < 500  # the input is not echoed at length


def test_a_reference_past_any_sequence_is_unknown_not_a_crash(cli, db):
    code, _, err = cli("report", "show", "R-2569-" + "9" * 40)
    assert code == 1 and err == "ruamjai: refused: unknown\n"


def test_a_missing_campaign_file_is_named(cli, db):
    err = refused_in_one_line(cli("campaign", "load", "no/such/campaign.toml"))
    assert "cannot read campaign file 'no/such/campaign.toml': No such file or directory" in err


def test_a_reason_longer_than_line_can_carry_is_refused_and_nothing_is_sent(cli, app, fake_line, db):
    chat, ref = reported(app, fake_line)
    before = pushed_texts(app, fake_line, chat.user)
    err = refused_in_one_line(cli("report", "reject", ref, "--reason", "ก" * 40_000))
    assert f"the reason is 40,000 characters; at most {REASON_MAX_CHARS} fit" in err
    refused_in_one_line(cli("report", "needs-fix", ref, "--fields", "period", "--reason", "x" * 501))
    refused_in_one_line(cli("report", "reject", ref, "--reason", " \u202e\u200b "))  # empty once cleaned
    with db() as session:
        assert session.scalars(select(Report.status)).one() == "submitted"
    assert pushed_texts(app, fake_line, chat.user) == before
    # The longest reason allowed reaches the coordinator whole (the fake checks LINE's limits).
    longest = "ก" * REASON_MAX_CHARS
    assert cli("report", "reject", ref, "--reason", longest)[0] == 0
    assert pushed_texts(app, fake_line, chat.user)[-1] == t(
        "reporting.decision.rejected", "th", ref=ref, reason=longest
    )


def test_the_staff_web_gets_the_same_refusal_for_an_over_long_reason(app, fake_line, db):
    _, ref = reported(app, fake_line)
    with db.begin() as session, pytest.raises(ReportRefused) as refused:
        reject_report(session, ref, "x" * (REASON_MAX_CHARS + 1), "web", datetime.now(UTC))
    assert refused.value.code == "reason_too_long" and refused.value.params["limit"] == REASON_MAX_CHARS


def test_an_agency_reason_past_the_cap_is_refused_not_cut(cli, app, db, fake_line):
    user, agency_id = registered(db)
    err = refused_in_one_line(cli("agency", "reject", str(agency_id), "--reason", "ข" * 600))
    assert "at most 500 fit" in err
    with db() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert cli("agency", "reject", str(agency_id), "--reason", "ข" * 500)[0] == 0
    assert "ข" * 500 in pushed_texts(app, fake_line, user)[-1]


def test_post_schedule_by_is_checked_and_cleaned_and_post_list_prints_safely(cli, db, fake_line, monkeypatch):
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "test-access-token")
    monkeypatch.setenv("LINE_API_BASE_URL", fake_line.base_url)
    schedule = ("post", "schedule", "how-to-join", "--segment", "everyone", "--at", "2599-01-02 09:30")
    err = refused_in_one_line(cli(*schedule, "--by", "s" * 40_000))
    assert "--by is 40,000 characters; at most 64 fit" in err
    code, _, err = cli(*schedule, "--by", "staff\x1b[2J\u202eone\x07")
    assert code == 0, err
    with db.begin() as session:
        [post] = session.scalars(select(ScheduledPost)).all()
        assert post.created_by == "staff[2Jone"
        post.created_by = "old\x1b]0;row\u202e"  # written before the check existed
    code, out, _ = cli("post", "list")
    assert code == 0 and "by=old?]0;row?" in out
    assert not any(ch in out for ch in "\x1b\u202e\x07")


@pytest.mark.parametrize(
    "argv", [("post", "list"), ("outbox", "dead"), ("outbox", "replay", "--all"), ("post", "cancel", "5")]
)
def test_commands_that_only_use_the_database_need_no_line_settings(cli, db, argv):
    code, _, err = cli(*argv)
    assert code in (0, 1) and "Missing required setting" not in err


def test_outbox_quota_needs_only_the_access_token(cli, db, fake_line, monkeypatch):
    err = refused_in_one_line(cli("outbox", "quota"))
    assert "LINE_CHANNEL_ACCESS_TOKEN" in err
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "test-access-token")
    monkeypatch.setenv("LINE_API_BASE_URL", fake_line.base_url)
    code, out, err = cli("outbox", "quota")
    assert code == 0 and out.startswith("monthly quota:"), err


def test_line_out_of_reach_gets_one_line_at_quota_and_schedule_and_nothing_is_scheduled(cli, db, monkeypatch):
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "test-access-token")
    monkeypatch.setenv("LINE_API_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    for argv in (
        ("outbox", "quota"),
        ("post", "schedule", "how-to-join", "--segment", "everyone", "--at", "2599-01-02 09:30"),
    ):
        code, _, err = cli(*argv)
        assert code == 1 and len(err.splitlines()) == 1 and "LINE API no response" in err, (code, err)
    with db() as session:
        assert session.scalar(select(func.count()).select_from(ScheduledPost)) == 0

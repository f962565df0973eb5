"""`ruamjai campaign|agency|staff|invitation|person`: the staff commands, run as an operator would,
with their effects reaching people through the outbox and the fake LINE platform."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.fakeline.events import new_user_id
from handlers.catalog import t
from handlers.services.agencies import request_to_join
from handlers.services.authz import role_of
from handlers.services.invitations import create_invitation
from storage.models.program import AuditEntry, Campaign, Invitation, StaffMember
from tests.handlers.domain_helpers import (  # noqa: F401
    NOW,
    approved,
    db_fixture,
    person,
    pushed_texts,
    registered,
)


@pytest.fixture
def cli(database_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RUAMJAI_INSTANCE", str(tmp_path))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_campaign_load_example_twice_and_show(cli, db):
    code, out, _ = cli("campaign", "load", "--example")
    assert code == 0 and "loaded" in out
    code, out, _ = cli("campaign", "load", "--example")
    assert code == 0 and "unchanged" in out
    code, out, _ = cli("campaign", "show")
    assert code == 0 and "target 30 agencies" in out and "phase 4.3: 2024-10-01 – 2024-10-31" in out
    assert "deadline registration: 2024-07-31 23:59 Bangkok" in out
    assert "(reminders 7, 3, 1 days before, 09:00)" in out and "evidence photos per report: 1 to 10" in out
    with db.begin() as session:
        assert len(session.scalars(select(Campaign)).all()) == 1


def test_a_broken_campaign_file_lists_its_problems_and_exits_1(cli, db, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[campaign]\nslug = "Bad Slug"\nyear_be = 1999\n', encoding="utf-8")
    code, _, err = cli("campaign", "load", str(path))
    assert code == 1
    assert "broken.toml: line 2: campaign: slug" in err and "broken.toml: line 3: campaign: year_be" in err
    assert "at least one [[phases]]" in err
    with db.begin() as session:
        assert session.scalars(select(Campaign)).all() == []


def test_staff_add_then_registrations_reach_them(cli, app, db, fake_line):
    officer = new_user_id()
    assert cli("staff", "add", "--line-user", officer, "--name", "คุณเอ")[0] == 0
    assert cli("staff", "add", "--line-user", "not-a-line-id")[0] == 2
    code, out, _ = cli("staff", "list")
    assert code == 0 and officer in out and "คุณเอ" in out
    _, agency_id = registered(db)
    assert any(f"agency approve {agency_id}" in text for text in pushed_texts(app, fake_line, officer))
    with db.begin() as session:
        assert len(session.scalars(select(StaffMember)).all()) == 1
        assert role_of(session, officer) == "staff"
        assert session.scalars(select(AuditEntry.action)).all() == ["add_staff"]


def test_agency_list_approve_and_reject_reach_the_coordinator(cli, app, db, fake_line):
    user, agency_id = registered(db)
    code, out, _ = cli("agency", "list", "--status", "pending")
    assert code == 0 and f"{agency_id}\tpending\tสมุทรปราการ\tlocal_admin\tองค์การบริหารส่วนตำบลบางพลี" in out
    assert cli("agency", "approve", str(agency_id))[0] == 0
    assert pushed_texts(app, fake_line, user) == [
        t("agency.outcome.approved", "th", agency="องค์การบริหารส่วนตำบลบางพลี")
    ]
    assert cli("agency", "reject", str(agency_id), "--reason", "ไม่ใช่หน่วยงานในโครงการ")[0] == 0
    assert "ไม่ใช่หน่วยงานในโครงการ" in pushed_texts(app, fake_line, user)[-1]
    code, _, err = cli("agency", "approve", "999")
    assert code == 1 and "unknown_agency" in err
    with db.begin() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["approve_agency", "reject_agency"]


def test_invitation_revoke_and_person_erase(cli, db):
    user, _ = approved(db)
    with db.begin() as session:
        code = create_invitation(session, user, NOW).code
    assert cli("invitation", "revoke", code.lower())[0] == 0
    with db.begin() as session:
        assert session.scalars(select(Invitation)).one().revoked_at is not None
    code, out, _ = cli("person", "erase", "--line-user", user)
    assert code == 0 and '"erased": true' in out and user not in out
    with db.begin() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "erase_person")).one()
        assert entry.actor == "cli" and user not in entry.subject


def test_join_requests_no_coordinator_can_answer_are_decided_by_staff(cli, app, db, fake_line):
    _, agency_id = registered(db)  # pending: no approved coordinator to ask
    colleague = new_user_id()
    with db.begin() as session:
        request = request_to_join(session, colleague, agency_id, person(name="มานี มีนา"), NOW)
    code, out, _ = cli("agency", "join-requests")
    assert code == 0 and f"{request.id}\t" in out and f"agency {agency_id} (pending)" in out
    assert "มานี" not in out
    assert cli("agency", "decide-join", str(request.id), "approve")[0] == 0
    assert pushed_texts(app, fake_line, colleague) == [
        t("agency.join.approved", "th", agency="องค์การบริหารส่วนตำบลบางพลี")
    ]
    assert "no join requests waiting" in cli("agency", "join-requests")[1]

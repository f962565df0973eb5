"""Campaign files: the example round loads, re-loading changes nothing, a broken file lists every
problem with its line and loads nothing, one campaign is active."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from calc import activity_types
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.campaigns import active_campaign, activity_types_of, photo_limits
from storage.models.program import Agency, Campaign, CampaignDeadline, CampaignPhase
from tests.handlers.domain_helpers import NOW, db_fixture, registered  # noqa: F401

EXAMPLE = EXAMPLE_CAMPAIGN.read_text(encoding="utf-8")


def counts(session) -> tuple[int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(m))
        for m in (Campaign, CampaignPhase, CampaignDeadline)
    )


def test_the_example_round_is_the_program_documents(db):
    with db.begin() as session:
        report = load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
        assert report.ok and report.changed
        campaign = active_campaign(session, NOW)
        assert campaign.year_be == 2567 and campaign.target_agencies == 30
        assert set(activity_types_of(campaign)) <= {a.key for a in activity_types()}
        assert {"recycling", "tree_planting", "forest_conservation", "renewable_electricity"} <= set(
            activity_types_of(campaign)
        )
        assert [(p.key, p.starts_on, p.ends_on) for p in campaign.phases] == [
            ("4.1", date(2024, 5, 1), date(2024, 9, 30)),
            ("4.2", date(2024, 6, 1), date(2024, 9, 30)),
            ("4.3", date(2024, 10, 1), date(2024, 10, 31)),
            ("4.4", date(2024, 11, 1), date(2024, 12, 31)),
        ]
        registration = next(d for d in campaign.deadlines if d.kind == "registration")
        # 31 July 2024 23:59 in Bangkok (UTC+7) is 16:59 UTC.
        assert registration.due_at == datetime(2024, 7, 31, 16, 59, tzinfo=UTC)
        assert registration.applies_to == "subscribers"


def test_loading_the_same_file_twice_changes_nothing(db):
    with db.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
    with db.begin() as session:
        before = counts(session)
        first_id = active_campaign(session, NOW).id
    with db.begin() as session:
        report = load_campaign(session, EXAMPLE, NOW)
    assert report.ok and not report.changed
    with db.begin() as session:
        assert counts(session) == before == (1, 4, 3)
        assert active_campaign(session, NOW).id == first_id


def test_a_broken_copy_lists_every_problem_with_its_line_and_loads_nothing(db):
    broken = (
        EXAMPLE.replace("target_agencies = 30", "target_agencies = -3")
        .replace('"composting",', '"composting", "sky_cleaning",')
        .replace("ends = 2024-10-31", "ends = 2024-09-01")
        .replace('applies_to = "subscribers"', 'applies_to = "everyone"')
        .replace("due = 2024-08-31T23:59:00", "due = 31/08/2024")
    )
    lines = broken.splitlines()

    def line_of(fragment: str) -> int:
        return next(number for number, line in enumerate(lines, start=1) if fragment in line)

    with db.begin() as session:
        report = load_campaign(session, broken, NOW)
    # TOML cannot read "31/08/2024": the parser stops there, and that is the one problem to fix first.
    assert not report.ok and [p.line for p in report.problems] == [line_of("due = 31/08/2024")]
    broken = broken.replace("due = 31/08/2024", "due = 2024-08-31")  # a date without a time
    lines = broken.splitlines()
    with db.begin() as session:
        report = load_campaign(session, broken, NOW)
    found = {p.line for p in report.problems}
    assert found == {
        line_of("target_agencies = -3"),
        line_of('"sky_cleaning"'),
        line_of("ends = 2024-09-01"),
        line_of('applies_to = "everyone"'),
        line_of("due = 2024-08-31"),
    }
    assert len(report.problems) == 5, [str(p) for p in report.problems]
    with db.begin() as session:
        assert counts(session) == (0, 0, 0)


def test_another_campaign_becomes_the_one_active_and_waiting_agencies_join_it(db):
    _, agency_id = registered(db)  # no campaign yet: the agency joins the next one
    with db.begin() as session:
        assert session.get(Agency, agency_id).campaign_id is None
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
    next_round = EXAMPLE.replace('slug = "ruamjai-2567"', 'slug = "ruamjai-2568"').replace(
        "year_be = 2567", "year_be = 2568"
    )
    with db.begin() as session:
        assert load_campaign(session, next_round, NOW).ok
    with db.begin() as session:
        active = session.scalars(select(Campaign).where(Campaign.active.is_(True))).all()
        assert [c.slug for c in active] == ["ruamjai-2568"]
        first = session.scalars(select(Campaign).where(Campaign.slug == "ruamjai-2567")).one()
        assert session.get(Agency, agency_id).campaign_id == first.id


def test_photos_per_report_are_optional_checked_with_their_line_and_kept_on_the_campaign(db):
    with db.begin() as session:
        # Without its content calendar ([[posts]], added later), the file keeps the hash it had
        # before these optional keys existed: adding a key to the format forces no reload.
        load_campaign(session, EXAMPLE[: EXAMPLE.index("# The content calendar")], NOW)
        campaign = active_campaign(session, NOW)
        assert photo_limits(campaign) == (1, 10)
        assert campaign.content_hash == "86e93c82daeba05a5a8c5eca6575c4f648c28dcad0f7b785981b004f1c6ac17a"
    limited = EXAMPLE.replace("target_agencies = 30", "target_agencies = 30\nphotos_min = 2\nphotos_max = 3")
    with db.begin() as session:
        assert load_campaign(session, limited, NOW).changed
        assert photo_limits(active_campaign(session, NOW)) == (2, 3)
    for bad, message in (
        ("photos_min = 0", "campaign: photos_min must be a whole number from 1 to 30"),
        ('photos_max = "ten"', "campaign: photos_max must be a whole number from 1 to 30"),
        ("photos_min = 12", "campaign: photos_min (12) is more than photos_max (10)"),
    ):
        text = EXAMPLE.replace("target_agencies = 30", f"target_agencies = 30\n{bad}")
        with db.begin() as session:
            report = load_campaign(session, text, NOW)
        assert [(p.line, p.message) for p in report.problems] == [(text.splitlines().index(bad) + 1, message)]
    with db.begin() as session:
        assert photo_limits(active_campaign(session, NOW)) == (2, 3)  # nothing loaded from a bad file


def test_the_contact_is_kept_on_the_campaign_and_checked_with_its_line(db):
    from handlers.services.campaign_files import validate_campaign
    from handlers.services.campaigns import campaign_contact

    with db.begin() as session:
        assert load_campaign(session, EXAMPLE_CAMPAIGN, NOW).ok
        contact = campaign_contact(active_campaign(session, NOW))
    assert contact["email"] == "ruamjai@example.org" and contact["name_th"].startswith("ทีมงานโครงการ")
    assert contact["hours_en"].startswith("Monday to Friday")
    broken = EXAMPLE.replace(
        'email = "ruamjai@example.org"', 'email = "ruamjai at example"\nfax = "02"'
    ).replace('hours_en = "Monday to Friday, 08:30–16:30 (except public holidays)"\n', "")
    lines = broken.splitlines()
    meaning, problems = validate_campaign(broken)
    assert meaning is None
    found = {(p.line, p.message.split(" (")[0]) for p in problems}
    assert found == {
        (
            next(n for n, line in enumerate(lines, 1) if line.startswith("email")),
            "contact: email does not look like one",
        ),
        (
            next(n for n, line in enumerate(lines, 1) if line.startswith("fax")),
            "contact: unknown field 'fax'",
        ),
        (
            next(n for n, line in enumerate(lines, 1) if line.startswith("hours_th")),
            "contact: hours_th and hours_en go together",
        ),
    }
    no_way = EXAMPLE.replace('email = "ruamjai@example.org"\n', "")
    assert [p.message for p in validate_campaign(no_way)[1]] == [
        "contact: give a phone number or an e-mail address (or both)"
    ]
    assert validate_campaign(EXAMPLE.replace('email = "ruamjai@example.org"', 'phone = "02-265-6500 ต่อ 12"'))[
        0
    ]

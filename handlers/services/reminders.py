"""The daily reminder planner: pushes about campaign deadlines, driven by each
agency's status. Run by the clock's "reminders" job every hour (bot/cli/clock.py); due at 09:00 Bangkok.

For each deadline of the active campaign, on each of its reminder days (default 7, 3 and 1 days
before, at 09:00 Bangkok; a person who chose their own lead time in preferences gets the first
reminder that many days before instead, then the campaign's later ones: `personal_days`):
- "approved_agencies" deadlines: every active coordinator of each approved agency that has not met
  it (handlers/services/deadlines.py) gets one push naming exactly what is missing, with a button that
  starts a report or opens "my reports". Agencies that are done get nothing.
- "subscribers" deadlines (registration): people who opted in to news and coordinate no agency.
Other audiences get no reminders (no such deadline in the campaign data yet).

Once only: each push has the dedupe key `reminder:<deadline>:<agency or ->:<days>:<LINE user>`, a
unique column of the outbox, so a restart, a second run the same day, or two planners racing
write it once. A late run (the clock was down on reminder day) sends only the latest reminder
that is due, never a backlog of stale ones: on day -2 after missing days -7 and -3 it sends the
3-day reminder (saying "2 days left"); nothing after the deadline has passed.

Quiet hours: reminders are not urgent, and they are never planned in quiet hours (the clock's
job does not call this then, bot/cli/clock.py): a reminder written at 22:00 and held until morning
would name work the agency may have finished overnight, and would land an hour before that day's
own reminder. The first run after quiet hours plans whatever is due then, from the status then.
Blocked users are skipped by the outbox like everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.services.campaigns import active_campaign
from handlers.services.deadlines import Missing, coordinator_users, missing_by_agency, remind_days
from handlers.services.thaitime import BANGKOK, bangkok_date, thai_date
from storage.models import LineUser
from storage.models.program import Agency, CampaignDeadline, Coordinator
from storage.outreach_repository import followers
from storage.repositories import OutboxRepository

REMIND_AT = time(9, 0)  # Bangkok
START_REPORT = "a=start&f=report"
MY_REPORTS = "a=start&f=myreports"
REGISTER = "a=start&f=register"


@dataclass(frozen=True)
class Due:
    """The reminder of one deadline that is due now: its day offset and how many days are left."""

    days_before: int
    days_left: int


def reminder_moment(deadline: CampaignDeadline, days_before: int) -> datetime:
    due_day = bangkok_date(deadline.due_at)
    return datetime.combine(due_day - timedelta(days=days_before), REMIND_AT, BANGKOK)


def personal_days(campaign_days: tuple[int, ...], own: int | None) -> tuple[int, ...]:
    """A person's reminder days: with their own lead time (preferences, "remind me N days
    before"), the first reminder comes N days before, earlier or later than the campaign's first,
    and the campaign's reminders closer to the deadline follow. 7, 3, 1 with N = 5 → 5, 3, 1;
    with N = 14 → 14, 7, 3, 1; with N = 2 → 2, 1."""
    if own is None:
        return campaign_days
    return tuple(sorted({own, *(d for d in campaign_days if d < own)}, reverse=True))


def due_reminder(
    deadline: CampaignDeadline, now: datetime, days: tuple[int, ...] | None = None
) -> Due | None:
    """The latest of the deadline's reminders (on `days`, default the campaign's) whose moment
    has come, while the deadline is still ahead."""
    if now >= deadline.due_at:
        return None
    passed = [d for d in days or remind_days(deadline) if reminder_moment(deadline, d) <= now]
    if not passed:
        return None
    left = (bangkok_date(deadline.due_at) - bangkok_date(now)).days
    return Due(min(passed), left)


def deadline_key(deadline: CampaignDeadline) -> str:
    """Stable across reloads of the campaign file (which replace the deadline rows and their ids)."""
    return f"{deadline.campaign_id}.{deadline.kind}.{deadline.due_at:%Y%m%d%H%M}"


def _languages(session: Session, users: list[str]) -> dict[str, str]:
    if not users:
        return {}
    rows = session.execute(
        select(LineUser.line_user_id, LineUser.language).where(LineUser.line_user_id.in_(users))
    )
    return {user: language or "th" for user, language in rows}


def _own_lead_times(session: Session) -> dict[str, int]:
    """Everyone who chose a reminder lead time in preferences (few people: one small query)."""
    rows = session.execute(
        select(LineUser.line_user_id, LineUser.reminder_days).where(LineUser.reminder_days.is_not(None))
    )
    return {user: days for user, days in rows}


class _Schedule:
    """Which reminder of one deadline is due now for each person (their own days or the campaign's)."""

    def __init__(self, deadline: CampaignDeadline, now: datetime, own: dict[str, int]):
        self.deadline, self.now, self.own = deadline, now, own
        self.campaign_days = remind_days(deadline)
        self._cache: dict[int | None, Due | None] = {}

    def earliest(self) -> datetime:
        """The first moment any reminder of this deadline can be due, for anyone."""
        days = max((*self.campaign_days, *self.own.values()))
        return reminder_moment(self.deadline, days)

    def due_for(self, user: str) -> Due | None:
        own = self.own.get(user)
        if own not in self._cache:
            days = personal_days(self.campaign_days, own)
            self._cache[own] = due_reminder(self.deadline, self.now, days)
        return self._cache[own]


def _button(label: str, data: str) -> dict:
    return {
        "type": "action",
        "action": {"type": "postback", "label": label, "data": data, "displayText": label},
    }


def due_text(deadline: CampaignDeadline, language: str) -> str:
    """When the deadline falls, as people read it: "31 ส.ค. 2567 เวลา 23:59 น."."""
    local = deadline.due_at.astimezone(BANGKOK)
    return t("reminders.due", language, date=thai_date(deadline.due_at, language), time=f"{local:%H:%M}")


def _heading(deadline: CampaignDeadline, due: Due, language: str) -> str:
    label = deadline.label(language)
    when = due_text(deadline, language)
    if due.days_left <= 0:
        return t("reminders.today", language, label=label, when=when)
    return t("reminders.soon", language, label=label, when=when, days=due.days_left)


def lacking(
    deadline: CampaignDeadline, agency: str, missing: Missing, language: str
) -> tuple[list[str], list[dict]]:
    """What the agency still lacks for `deadline`, as lines, and the buttons that lead to it."""
    lines = [t("reminders.agency_lacks", language, agency=agency)]
    buttons = []
    if missing.no_report:
        lines.append(t(f"reminders.no_report_{deadline.kind}", language))
        buttons.append(_button(t("reminders.button_report", language), START_REPORT))
    if missing.needs_fix:
        lines.append(t("reminders.needs_fix", language, refs=", ".join(missing.needs_fix)))
    if missing.without_photos:
        lines.append(t("reminders.without_photos", language, refs=", ".join(missing.without_photos)))
    if missing.needs_fix or missing.without_photos:
        buttons.append(_button(t("reminders.button_my_reports", language), MY_REPORTS))
    return lines, buttons


def agency_message(
    deadline: CampaignDeadline, due: Due, agency: str, missing: Missing, language: str
) -> dict:
    """The push to a coordinator: the deadline, what the agency still lacks, and where to go."""
    lines, buttons = lacking(deadline, agency, missing, language)
    text = "\n".join([_heading(deadline, due, language), *lines])
    return {"type": "text", "text": text, "quickReply": {"items": buttons}}


def subscriber_message(deadline: CampaignDeadline, due: Due, language: str) -> dict:
    text = "\n".join([_heading(deadline, due, language), t("reminders.register_invite", language)])
    button = _button(t("reminders.button_register", language), REGISTER)
    return {"type": "text", "text": text, "quickReply": {"items": [button]}}


def _remind_agencies(
    session: Session, campaign, deadline: CampaignDeadline, schedule: _Schedule, now: datetime
) -> int:
    missing = missing_by_agency(session, campaign, deadline)
    users = coordinator_users(session, list(missing))
    names = dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(list(missing)))).all())
    languages = _languages(session, [u for group in users.values() for u in group])
    outbox, written = OutboxRepository(session), 0
    for agency_id, lacking in missing.items():
        for user in users.get(agency_id, []):
            due = schedule.due_for(user)
            if due is None:
                continue
            language = languages.get(user, "th")
            written += outbox.enqueue_push(
                to=user,
                messages=[agency_message(deadline, due, names[agency_id], lacking, language)],
                dedupe_key=f"reminder:{deadline_key(deadline)}:{agency_id}:{due.days_before}:{user}",
                now=now,
                urgent=False,
            )
    return written


def _remind_subscribers(
    session: Session, deadline: CampaignDeadline, schedule: _Schedule, now: datetime
) -> int:
    coordinators = set(
        session.scalars(
            select(Coordinator.line_user_id).where(
                Coordinator.status == "active", Coordinator.line_user_id.is_not(None)
            )
        )
    )
    outbox, written = OutboxRepository(session), 0
    for language, users in followers(session, news_only=True).items():
        for user in users:
            due = schedule.due_for(user)
            if user in coordinators or due is None:
                continue
            message = subscriber_message(deadline, due, language)
            written += outbox.enqueue_push(
                to=user,
                messages=[message],
                dedupe_key=f"reminder:{deadline_key(deadline)}:-:{due.days_before}:{user}",
                now=now,
                urgent=False,
            )
    return written


def plan_reminders(session: Session, now: datetime) -> int:
    """Write the reminders due now into the outbox; returns how many new pushes were written."""
    campaign = active_campaign(session, now)
    if campaign is None:
        return 0
    written, own = 0, _own_lead_times(session)
    for deadline in campaign.deadlines:
        schedule = _Schedule(deadline, now, own)
        if now < schedule.earliest() or now >= deadline.due_at:
            continue  # nobody's reminder of it has come yet, or it has passed
        if deadline.applies_to == "approved_agencies":
            written += _remind_agencies(session, campaign, deadline, schedule, now)
        elif deadline.applies_to == "subscribers":
            written += _remind_subscribers(session, deadline, schedule, now)
    return written

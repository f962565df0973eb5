"""The staff web's overview, in figures: agencies against the campaign's target, reports by status,
verified results by activity type, deadlines ahead with what agencies still owe, posts scheduled
and messages that failed for good."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.services.agency_results import CampaignResults, campaign_results
from handlers.services.deadlines import missing_by_agency
from storage.models import OutboxMessage, ScheduledPost
from storage.models.program import Agency, CampaignDeadline
from storage.models.reports import REPORT_STATUSES, Report


@dataclass(frozen=True)
class DeadlineAhead:
    deadline: CampaignDeadline
    no_report: int = 0  # agencies without a report
    needs_fix: int = 0  # agencies with a report sent back for a fix
    no_photos: int = 0  # agencies with a report without photos


@dataclass
class Dashboard:
    results: CampaignResults | None  # None: no active campaign
    pending_agencies: int = 0
    reports_by_status: dict[str, int] = field(default_factory=dict)  # every status, in order
    deadlines: list[DeadlineAhead] = field(default_factory=list)
    posts_scheduled: int = 0
    next_post_at: datetime | None = None
    dead_messages: int = 0


def _deadlines_ahead(session: Session, results: CampaignResults, now: datetime) -> list[DeadlineAhead]:
    campaign = results.campaign
    ahead = []
    deadlines = session.scalars(
        select(CampaignDeadline)
        .where(CampaignDeadline.campaign_id == campaign.id, CampaignDeadline.due_at > now)
        .order_by(CampaignDeadline.due_at)
    )
    for deadline in deadlines:
        missing = missing_by_agency(session, campaign, deadline).values()
        ahead.append(
            DeadlineAhead(
                deadline,
                no_report=sum(1 for m in missing if m.no_report),
                needs_fix=sum(1 for m in missing if m.needs_fix),
                no_photos=sum(1 for m in missing if m.without_photos),
            )
        )
    return ahead


def dashboard(session: Session, now: datetime) -> Dashboard:
    """The overview as of `now`; the campaign's parts are empty when no campaign is active."""
    results = campaign_results(session, now)
    board = Dashboard(results)
    counts = dict(session.execute(select(Report.status, func.count(Report.id)).group_by(Report.status)).all())
    board.reports_by_status = {status: counts.get(status, 0) for status in REPORT_STATUSES}
    if results is not None:
        board.pending_agencies = (
            session.scalar(
                select(func.count(Agency.id)).where(
                    Agency.campaign_id == results.campaign.id, Agency.status == "pending"
                )
            )
            or 0
        )
        board.deadlines = _deadlines_ahead(session, results, now)
    board.posts_scheduled, board.next_post_at = session.execute(
        select(func.count(ScheduledPost.id), func.min(ScheduledPost.scheduled_at)).where(
            ScheduledPost.status == "scheduled"
        )
    ).one()
    board.dead_messages = (
        session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "dead")) or 0
    )
    return board

"""Campaign deadlines and agencies: which approved agencies have not met a deadline, and exactly
what is missing. Read-only; the reminder planner (handlers/services/reminders.py) and the
outreach segment "missing:<kind>" (handlers/services/outreach.py) use it.

What "met" means, by the deadline's kind:
- "report": the agency has at least one report, submitted or approved, whose period lies (at
  least partly) in the campaign, and no report sent back for fixing (those are named by their
  reference numbers). Reporting only some activity types is fine: the program asks for no type.
- "evidence": every report that counts (submitted, approved, or sent back for fixing) has at
  least one photo; with no report at all, the report itself is what is missing.
Other kinds are not about an agency's work, so no agency is ever "missing" them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.services.report_reference import reference
from handlers.services.reports import campaign_window
from storage.models import Photo
from storage.models.program import Agency, Campaign, CampaignDeadline, Coordinator
from storage.models.reports import Report

DEFAULT_REMIND_DAYS = (7, 3, 1)
AGENCY_KINDS = ("report", "evidence")
# The statuses of reports that show the agency's work and count in its results (not rejected or withdrawn).
COUNTED = ("submitted", "approved", "needs_fix")


@dataclass
class Missing:
    """What one agency still owes for one deadline; empty means done."""

    no_report: bool = False
    needs_fix: list[str] = field(default_factory=list)  # reference numbers, oldest first
    without_photos: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.no_report or bool(self.needs_fix) or bool(self.without_photos)


def remind_days(deadline: CampaignDeadline) -> tuple[int, ...]:
    """The days before the deadline when reminders go out, largest first."""
    if deadline.remind_days:
        return tuple(sorted(json.loads(deadline.remind_days), reverse=True))
    return DEFAULT_REMIND_DAYS


def approved_agency_ids(session: Session, campaign: Campaign) -> list[int]:
    return list(
        session.scalars(
            select(Agency.id)
            .where(Agency.campaign_id == campaign.id, Agency.status == "approved")
            .order_by(Agency.id)
        )
    )


def coordinator_users(session: Session, agency_ids: Sequence[int]) -> dict[int, list[str]]:
    """Active coordinators' LINE user ids by agency (erased or departed people are left out)."""
    found: dict[int, list[str]] = {}
    if not agency_ids:
        return found
    rows = session.execute(
        select(Coordinator.agency_id, Coordinator.line_user_id)
        .where(
            Coordinator.agency_id.in_(agency_ids),
            Coordinator.status == "active",
            Coordinator.line_user_id.is_not(None),
        )
        .order_by(Coordinator.id)
    )
    for agency_id, user in rows:
        found.setdefault(agency_id, []).append(user)
    return found


def missing_by_agency(session: Session, campaign: Campaign, deadline: CampaignDeadline) -> dict[int, Missing]:
    """Approved agencies of the campaign that have not met `deadline`, with what each lacks."""
    if deadline.kind not in AGENCY_KINDS:
        return {}
    agency_ids = approved_agency_ids(session, campaign)
    if not agency_ids:
        return {}
    # Only the columns it reads (whole reports carry their inputs and calc results, kilobytes each),
    # and each report's photos counted in the same query.
    photos = (
        select(func.count(Photo.id))
        .where(Photo.report_id == Report.id, Photo.status == "attached")
        .correlate(Report)
        .scalar_subquery()
    )
    query = select(
        Report.id, Report.agency_id, Report.status, Report.year_be, Report.sequence, photos.label("photos")
    ).where(Report.agency_id.in_(agency_ids), Report.status.in_(COUNTED))
    window = campaign_window(campaign)
    if window is not None:
        query = query.where(Report.period_end >= window[0], Report.period_start <= window[1])
    reports = session.execute(query.order_by(Report.year_be, Report.sequence)).all()
    by_agency: dict[int, list] = {agency_id: [] for agency_id in agency_ids}
    for report in reports:
        by_agency[report.agency_id].append(report)
    missing: dict[int, Missing] = {}
    for agency_id, own in by_agency.items():
        lacking = Missing()
        if deadline.kind == "report":
            lacking.no_report = not any(r.status in ("submitted", "approved") for r in own)
            lacking.needs_fix = [reference(r) for r in own if r.status == "needs_fix"]
        else:
            lacking.no_report = not own
            lacking.without_photos = [reference(r) for r in own if not r.photos]
        if lacking:
            missing[agency_id] = lacking
    return missing

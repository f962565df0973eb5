"""What an agency has achieved (ผลของหน่วยงาน): tCO2e by activity type and by report status, its
latest reports, and what is still missing before the campaign's next report/evidence deadline; and
the whole campaign's verified results (ผลการดำเนินงาน).

Sums are exact decimals (kgCO2e as stored); rounding is for display only. A report whose result
"needs a factor" has no number: it is counted apart and never added in as zero.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from handlers.services.campaigns import active_campaign
from handlers.services.deadlines import AGENCY_KINDS, COUNTED
from handlers.services.lor import case_of
from handlers.services.report_reference import reference
from handlers.services.reports import agency_reports
from storage.models import Photo
from storage.models.program import Agency, Campaign, CampaignDeadline
from storage.models.reports import Report

LATEST = 5
# How long a shared results image's URL works: LINE fetches an image message's URLs when a
# recipient opens it, possibly days later.
SHARE_URL_SECONDS = 7 * 24 * 3600


@dataclass
class Total:
    kg: Decimal = Decimal(0)
    reports: int = 0
    needs_factor: int = 0  # reports counted here whose result waits for an emission factor

    def add(self, report: Report | Row) -> None:
        self.reports += 1
        if report.kg_co2e is None:
            self.needs_factor += 1
        else:
            self.kg += Decimal(report.kg_co2e)


@dataclass(frozen=True)
class Missing:
    code: str  # no_report | needs_fix | no_photos
    references: tuple[str, ...] = ()


@dataclass
class AgencyResults:
    agency: Agency
    by_type: dict[str, Total] = field(default_factory=dict)  # activity key -> total, first seen first
    by_status: dict[str, Total] = field(default_factory=dict)  # every status in COUNTED (deadlines.py)
    latest: list[Report] = field(default_factory=list)
    deadline: CampaignDeadline | None = None
    missing: list[Missing] = field(default_factory=list)
    lor_status: str = "preparing"  # the agency's Letter of Recognition in the active campaign


def _counted_reports(session: Session, agency_id: int) -> list[Report]:
    return list(
        session.scalars(
            select(Report)
            .where(Report.agency_id == agency_id, Report.status.in_(COUNTED))
            .order_by(Report.created_at, Report.id)
        )
    )


def verified_kg(session: Session, agency_id: int) -> Total:
    """The agency's approved (verified) total."""
    total = Total()
    for report in _counted_reports(session, agency_id):
        if report.status == "approved":
            total.add(report)
    return total


def next_deadline(session: Session, agency: Agency, now: datetime) -> CampaignDeadline | None:
    """The agency's campaign's next report or evidence deadline that has not passed."""
    campaign_id = agency.campaign_id
    if campaign_id is None:
        campaign = active_campaign(session, now)
        campaign_id = campaign.id if campaign else None
    if campaign_id is None:
        return None
    return session.scalars(
        select(CampaignDeadline)
        .where(
            CampaignDeadline.campaign_id == campaign_id,
            CampaignDeadline.kind.in_(AGENCY_KINDS),
            CampaignDeadline.due_at >= now,
        )
        .order_by(CampaignDeadline.due_at, CampaignDeadline.id)
    ).first()


def _photo_counts(session: Session, report_ids: list[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    rows = session.execute(
        select(Photo.report_id, func.count(Photo.id))
        .where(Photo.report_id.in_(report_ids), Photo.status == "attached")
        .group_by(Photo.report_id)
    )
    return {report_id: count for report_id, count in rows}


def missing_items(
    session: Session, reports: list[Report], deadline: CampaignDeadline | None
) -> list[Missing]:
    """What stands between the agency and `deadline`; empty when it is on track."""
    missing: list[Missing] = []
    if not any(r.status in ("submitted", "approved") for r in reports):
        missing.append(Missing("no_report"))
    to_fix = tuple(reference(r) for r in reports if r.status == "needs_fix")
    if to_fix:
        missing.append(Missing("needs_fix", to_fix))
    if deadline is not None and deadline.kind == "evidence":
        sent = [r for r in reports if r.status in ("submitted", "approved")]
        photos = _photo_counts(session, [r.id for r in sent])
        bare = tuple(reference(r) for r in sent if not photos.get(r.id))
        if bare:
            missing.append(Missing("no_photos", bare))
    return missing


def agency_results(session: Session, agency: Agency, now: datetime) -> AgencyResults:
    reports = _counted_reports(session, agency.id)
    results = AgencyResults(agency, by_status={status: Total() for status in COUNTED})
    for report in reports:
        results.by_type.setdefault(report.activity_key, Total()).add(report)
        results.by_status[report.status].add(report)
    results.latest = agency_reports(session, agency.id, limit=LATEST)
    results.deadline = next_deadline(session, agency, now)
    results.missing = missing_items(session, reports, results.deadline)
    case = case_of(session, agency.id, now)
    results.lor_status = case.status if case else "preparing"
    return results


@dataclass
class CampaignResults:
    """The active campaign's verified results: approved reports only, summed by activity type
    (in the campaign's order), and the agencies taking part against the campaign's target."""

    campaign: Campaign
    total: Total = field(default_factory=Total)
    by_type: dict[str, Total] = field(default_factory=dict)
    agencies: int = 0  # approved agencies in the campaign
    reporting_agencies: int = 0  # of those, agencies with at least one verified report


def campaign_results(session: Session, now: datetime) -> CampaignResults | None:
    """The active campaign's verified totals, or None when no campaign is active."""
    campaign = active_campaign(session, now)
    if campaign is None:
        return None
    results = CampaignResults(campaign)
    results.by_type = {key: Total() for key in json.loads(campaign.activity_types)}
    approved = select(Agency.id).where(Agency.campaign_id == campaign.id, Agency.status == "approved")
    results.agencies = session.scalar(select(func.count()).select_from(approved.subquery())) or 0
    # Only the columns it sums: whole reports carry their inputs and calc results (kilobytes each).
    reports = session.execute(
        select(Report.agency_id, Report.activity_key, Report.kg_co2e)
        .where(Report.agency_id.in_(approved), Report.status == "approved")
        .order_by(Report.id)
    )
    reporting: set[int] = set()
    for report in reports:
        results.total.add(report)
        results.by_type.setdefault(report.activity_key, Total()).add(report)
        reporting.add(report.agency_id)
    results.reporting_agencies = len(reporting)
    return results

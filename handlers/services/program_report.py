"""The program report to DCCE (รายงานผลการดำเนินงานโครงการ): agencies taking part against the
campaign's target, verified (approved) reports and tCO2e by activity type and by province, the
Letters of Recognition (LOR) issued, and the event's own footprint.

Figures come from approved reports of approved agencies only, as the campaign's results do
(handlers/services/agency_results.py campaign_results, reused here). Sums are exact decimals of the
stored kgCO2e; a report still waiting for an emission factor is counted apart, never as zero.

The LOR count and the event footprint come from hooks passed in by the caller (`lors=`, `event=`):
when a caller has nothing to pass, the report says the figure is not tracked / not computed yet
instead of showing a zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.services.agency_results import Total, campaign_results
from handlers.services.lor import issued_count
from storage.models.program import Agency, Campaign
from storage.models.reports import Report


@dataclass(frozen=True)
class EventFigures:
    """The Carbon Neutral Event footprint as computed (calc.compute_event_footprint), in kgCO2e."""

    emissions_kg: Decimal
    offsets_kg: Decimal

    @property
    def net_kg(self) -> Decimal:
        return self.emissions_kg - self.offsets_kg

    @property
    def carbon_neutral(self) -> bool:
        return self.net_kg <= 0


# How many LORs the campaign's agencies have been issued.
LorCount = Callable[[Session, Campaign], int]
# The campaign's event footprint, or None while none has been computed.
EventSource = Callable[[Session, Campaign], EventFigures | None]


@dataclass
class ProvinceLine:
    province_code: str
    agencies: int = 0  # approved agencies in the province
    total: Total = field(default_factory=Total)  # their approved reports


@dataclass
class ProgramReport:
    campaign: Campaign
    as_of: datetime
    agencies: int  # approved agencies in the campaign
    reporting_agencies: int  # of those, agencies with at least one approved report
    total: Total
    by_type: dict[str, Total]  # activity key -> approved reports, in the campaign's order
    by_province: list[ProvinceLine]  # most tCO2e first, then by province code
    lors_issued: int | None  # None: LORs are not tracked yet
    event: EventFigures | None  # None: the event footprint is not computed yet
    event_tracked: bool  # False: nothing computes the event footprint yet

    @property
    def target(self) -> int:
        return self.campaign.target_agencies


def _by_province(session: Session, campaign: Campaign) -> list[ProvinceLine]:
    approved = (Agency.campaign_id == campaign.id, Agency.status == "approved")
    lines: dict[str, ProvinceLine] = {}
    counts = session.execute(
        select(Agency.province_code, func.count(Agency.id)).where(*approved).group_by(Agency.province_code)
    )
    for code, count in counts:
        lines[code] = ProvinceLine(code, agencies=count)
    # Two narrow columns per approved report: kgCO2e is stored as an exact decimal string, summed
    # here as Decimal (an SQL SUM over the text would go through floating point).
    reports = session.execute(
        select(Agency.province_code, Report.kg_co2e)
        .join(Agency, Agency.id == Report.agency_id)
        .where(*approved, Report.status == "approved")
        .order_by(Report.id)
    )
    for row in reports:
        lines.setdefault(row.province_code, ProvinceLine(row.province_code)).total.add(row)
    return sorted(lines.values(), key=lambda line: (-line.total.kg, line.province_code))


def program_report(
    session: Session,
    now: datetime,
    *,
    lors: LorCount | None = None,
    event: EventSource | None = None,
) -> ProgramReport | None:
    """The active campaign's report as of `now`, or None when no campaign is active."""
    results = campaign_results(session, now)
    if results is None:
        return None
    campaign = results.campaign
    return ProgramReport(
        campaign=campaign,
        as_of=now,
        agencies=results.agencies,
        reporting_agencies=results.reporting_agencies,
        total=results.total,
        by_type=results.by_type,
        by_province=_by_province(session, campaign),
        lors_issued=lors(session, campaign) if lors else None,
        event=event(session, campaign) if event else None,
        event_tracked=event is not None,
    )


def current_program_report(session: Session, now: datetime) -> ProgramReport | None:
    """The report as the staff web and the CLI give it: LORs counted from LOR tracking; nothing
    stores the event's footprint yet, so the report says it is not computed."""
    return program_report(session, now, lors=issued_count, event=None)

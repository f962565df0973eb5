"""What the staff web's registrations pages show and do: agencies waiting for approval with the
agencies they may duplicate, join requests waiting for a decision, one agency in full.

The decisions themselves are the same functions the CLI calls (handlers/services/agencies.py);
deciding a join request is audited here, since that function leaves the audit to its caller.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.services.agencies import decide_join_request, get_agency, pending_join_requests, similar_among
from handlers.services.audit import audit
from storage.models.program import Agency, Coordinator, JoinRequest


@dataclass(frozen=True)
class Waiting:
    """An agency waiting for approval, and the other agencies its name is close to."""

    agency: Agency
    similar: tuple[Agency, ...]


@dataclass(frozen=True)
class AgencyFile:
    """One agency as staff decide on it: its active coordinators (with their phones: staff call
    them), its waiting join requests and the agencies it may duplicate."""

    agency: Agency
    coordinators: tuple[Coordinator, ...]
    join_requests: tuple[JoinRequest, ...]
    similar: tuple[Agency, ...]


def _similar(agency: Agency, in_province: list[Agency]) -> tuple[Agency, ...]:
    return tuple(other for other in similar_among(agency.name, in_province) if other.id != agency.id)


def waiting_agencies(session: Session) -> list[Waiting]:
    """Pending agencies, oldest first, each with its similar agencies (two queries in all)."""
    pending = list(session.scalars(select(Agency).where(Agency.status == "pending").order_by(Agency.id)))
    if not pending:
        return []
    provinces = {agency.province_code for agency in pending}
    by_province: dict[str, list[Agency]] = defaultdict(list)
    for agency in session.scalars(
        select(Agency).where(Agency.province_code.in_(provinces), Agency.status != "rejected")
    ):
        by_province[agency.province_code].append(agency)
    return [Waiting(agency, _similar(agency, by_province[agency.province_code])) for agency in pending]


def waiting_join_requests(session: Session) -> list[tuple[JoinRequest, Agency]]:
    """Join requests waiting for a decision, oldest first, with their agency."""
    return pending_join_requests(session)


def agency_file(session: Session, agency_id: int) -> AgencyFile:
    """One agency in full; AgencyRefused("unknown_agency") when there is none."""
    agency = get_agency(session, agency_id)
    coordinators = session.scalars(
        select(Coordinator)
        .where(Coordinator.agency_id == agency.id, Coordinator.status == "active")
        .order_by(Coordinator.id)
    )
    requests = session.scalars(
        select(JoinRequest)
        .where(JoinRequest.agency_id == agency.id, JoinRequest.status == "pending")
        .order_by(JoinRequest.id)
    )
    in_province = list(
        session.scalars(
            select(Agency).where(Agency.province_code == agency.province_code, Agency.status != "rejected")
        )
    )
    return AgencyFile(agency, tuple(coordinators), tuple(requests), _similar(agency, in_province))


def decide_join(session: Session, request_id: int, approve: bool, actor: str, now: datetime) -> JoinRequest:
    """Accept or decline a join request as `actor` ("staff:<id>"), audited when it changed."""
    before = session.get(JoinRequest, request_id)
    was_pending = before is not None and before.status == "pending"
    request = decide_join_request(session, request_id, approve, actor, now)
    if was_pending and request.status != "pending":
        audit(
            session,
            actor,
            "decide_join_request",
            f"join_request:{request.id}",
            now,
            {"status": request.status},
        )
    return request

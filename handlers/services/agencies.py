"""Agencies and their coordinators: register, resubmit, join, approve, reject, leave.

Each operation is one plain function `(session, …, now)` that the chat, the CLI and the staff web
call alike; refusals are `Refused` subclasses with stable codes; anything people are told outside a
reply goes through the outbox (handlers.services.notices).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

import geothai
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.catalog import label
from handlers.services import notices
from handlers.services.audit import audit
from handlers.services.authz import acting_as, current_membership, relink_menu
from handlers.services.campaigns import active_campaign
from handlers.services.contact import contact_sentence
from handlers.services.coordinators import Person, add_coordinator, check_free, check_person, person_fields
from handlers.services.public_snapshot import mark_stale
from handlers.services.refusals import AgencyRefused, NotAllowed, staff_reason
from storage.models.program import Agency, Campaign, Coordinator, JoinRequest
from storage.repositories import UserRepository

AGENCY_TYPES = ("government", "local_admin", "state_enterprise", "company", "education", "community", "other")


@dataclass(frozen=True)
class Registration:
    agency_name: str
    agency_type: str
    province_code: str
    district_code: str | None
    person: Person
    show_name_publicly: bool
    news_opt_in: bool


# Long forms and abbreviations of the same kind of organisation, mapped to one token. The kind stays
# in the normalised name: อบต.บางพลี and เทศบาลตำบลบางพลี are two different local governments.
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("อบต", ("องค์การบริหารส่วนตำบล", "อบต.", "อบต")),
    ("อบจ", ("องค์การบริหารส่วนจังหวัด", "อบจ.", "อบจ")),
    ("ทน", ("เทศบาลนคร", "ทน.")),
    ("ทม", ("เทศบาลเมือง", "ทม.")),
    ("ทต", ("เทศบาลตำบล", "ทต.")),
    ("รร", ("โรงเรียน", "รร.", "รร")),
    ("มหาวิทยาลัย", ("มหาวิทยาลัย", "ม.")),
    # Companies: limited or public limited, written as a prefix or as "บริษัท … จำกัด (มหาชน)".
    ("บริษัท", ("บริษัทมหาชนจำกัด", "บมจ.", "บมจ", "บริษัท", "บจก.", "บจก", "หจก.", "ห้างหุ้นส่วนจำกัด")),
)
_SUFFIXES = ("จำกัด(มหาชน)", "จำกัด", "co.,ltd.", "co.,ltd", "co.ltd.", "ltd.", "ltd", "plc.", "plc")
_DROP = re.compile(r"[\s.\-–—_,'\"()]+")
# See similar_agencies for why this value.
SIMILARITY_THRESHOLD = 0.8


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u0e4d\u0e32", "\u0e33")
    return " ".join(text.split())


def normalise_agency_name(name: str) -> str:
    """The comparable form of an agency's name: "<kind> <core>" or just "<core>".

    Spaces, dots, dashes and brackets go; case folds; a leading kind of organisation in any of its
    spellings (องค์การบริหารส่วนตำบล / อบต., เทศบาลตำบล / ทต., เทศบาลเมือง / ทม., เทศบาลนคร / ทน.,
    โรงเรียน / รร., บริษัท … จำกัด / บจก.) becomes one token.
    """
    folded = _fold(name)
    compact = folded.replace(" ", "")
    kind = ""
    for token, spellings in _KINDS:
        for spelling in sorted(spellings, key=len, reverse=True):
            if compact.startswith(spelling.replace(" ", "")):
                kind, compact = token, compact[len(spelling.replace(" ", "")) :]
                break
        if kind:
            break
    for suffix in _SUFFIXES:
        if compact.endswith(suffix) and len(compact) > len(suffix):
            compact = compact[: -len(suffix)]
            break
    core = _DROP.sub("", compact)
    return f"{kind} {core}" if kind else core


def _split(normalised: str) -> tuple[str, str]:
    kind, _, core = normalised.partition(" ")
    return (kind, core) if core else ("", kind)


def similar_agencies(session: Session, agency_name: str, province_code: str) -> list[Agency]:
    """Agencies in the same province whose name is close to `agency_name`, closest first
    (rejected ones excluded: they are corrected and resubmitted, not joined).

    Close = the same kind of organisation (or no kind on one side) and a difflib ratio of the cores
    of at least 0.8. Why 0.8: a Thai name of an agency is mostly 5-15 characters once the kind is
    taken off; one slip (a missing tone mark, ะ/า, a doubled letter) in a 6-character core gives
    ≈0.83, so 0.85 would miss it, while a different place that merely shares a stem
    (บางพลี / บางพลีใหญ่) gives 0.75. A false match costs one question ("is it this one?"); a
    missed one costs a duplicate agency, so the threshold leans towards asking.
    """
    candidates = session.scalars(
        select(Agency).where(Agency.province_code == province_code, Agency.status != "rejected")
    )
    return similar_among(agency_name, candidates)


def similar_among(agency_name: str, candidates: Iterable[Agency]) -> list[Agency]:
    """Of `candidates` (already narrowed to one province), those close to `agency_name`, closest
    first (see similar_agencies)."""
    kind, core = _split(normalise_agency_name(agency_name))
    if not core:
        return []
    scored: list[tuple[float, int, Agency]] = []
    for agency in candidates:
        other_kind, other_core = _split(agency.normalised_name)
        if kind and other_kind and kind != other_kind:
            continue
        ratio = SequenceMatcher(None, core, other_core, autojunk=False).ratio()
        if ratio >= SIMILARITY_THRESHOLD:
            scored.append((-ratio, agency.id, agency))
    return [agency for _, _, agency in sorted(scored)]


def _check_registration(registration: Registration) -> None:
    """Programming errors, not user errors: the flow has already validated each answer."""
    if registration.agency_type not in AGENCY_TYPES:
        raise ValueError(f"unknown agency type {registration.agency_type!r}")
    if not registration.agency_name.strip() or len(registration.agency_name) > 300:
        raise ValueError("agency name empty or longer than 300 characters")
    if geothai.province(registration.province_code) is None:
        raise ValueError("unknown province code")
    if registration.district_code is not None:
        district = geothai.district(registration.district_code)
        if district is None or district.province_code != registration.province_code:
            raise ValueError("district not in the province")
    check_person(registration.person)


def province_name(code: str, language: str = "th") -> str:
    """The province's name in `language` (its code when no province has it)."""
    province = geothai.province(code)
    if province is None:
        return code
    return label(province, language, field="name")


def register_agency(session: Session, line_user_id: str, registration: Registration, now: datetime) -> Agency:
    """Register a new agency (pending) with this person as its coordinator; staff are told.

    Idempotent: the same person sending the same registration again gets the same agency. Refused
    with "already_member" when the person coordinates a pending or approved agency, and "duplicate"
    (params: agency_id) when the same normalised name already exists in the province. A person whose
    agency was rejected may register a different one (their old membership ends).
    """
    _check_registration(registration)
    normalised = normalise_agency_name(registration.agency_name)
    membership = current_membership(session, line_user_id)
    if membership is not None:
        coordinator, agency = membership
        same = agency.normalised_name == normalised and agency.province_code == registration.province_code
        if agency.status == "pending" and same:
            return agency
        if agency.status != "rejected":
            raise AgencyRefused("already_member", agency_id=agency.id)
        coordinator.status, coordinator.left_at = "left", now
    existing = session.scalars(
        select(Agency).where(
            Agency.province_code == registration.province_code,
            Agency.normalised_name == normalised,
            Agency.status != "rejected",
        )
    ).first()
    if existing is not None:
        raise AgencyRefused("duplicate", agency_id=existing.id)
    campaign = active_campaign(session, now)
    agency = Agency(status="pending", campaign_id=campaign.id if campaign else None, created_at=now)
    _take_registration(agency, registration, normalised)
    session.add(agency)
    session.flush()
    add_coordinator(session, agency, line_user_id, registration.person, now)
    _sent(session, line_user_id, agency, registration, "registered", f"agency:{agency.id}:registered", now)
    return agency


def _take_registration(agency: Agency, registration: Registration, normalised: str) -> None:
    """The registration's answers onto the agency: a new one, or a rejected one corrected."""
    agency.name = " ".join(registration.agency_name.split())
    agency.normalised_name = normalised
    agency.agency_type = registration.agency_type
    agency.province_code = registration.province_code
    agency.district_code = registration.district_code
    agency.show_name_publicly = registration.show_name_publicly


def _sent(
    session: Session,
    line_user_id: str,
    agency: Agency,
    registration: Registration,
    notice: str,
    event: str,
    now: datetime,
    **params,
) -> None:
    """After a registration is sent or sent again: the person's news choice kept, staff told
    (`agency.staff.<notice>`)."""
    UserRepository(session).get_or_create(line_user_id, now).news_opt_in = registration.news_opt_in
    notices.tell_staff(
        session,
        f"agency.staff.{notice}",
        event,
        now,
        agency=agency.name,
        province=province_name(agency.province_code),
        agency_id=agency.id,
        **params,
    )


def resubmit_agency(
    session: Session, line_user_id: str, agency_id: int, registration: Registration, now: datetime
) -> Agency:
    """A rejected agency, corrected by its coordinator, goes back to pending; staff are told.

    NotAllowed (not_registered / not_member) unless the person coordinates `agency_id`;
    AgencyRefused("not_rejected") unless it is rejected — except that re-sending the same
    resubmission returns the pending agency unchanged.
    """
    _check_registration(registration)
    membership = current_membership(session, line_user_id)
    if membership is None:
        raise NotAllowed("not_registered")
    coordinator, agency = membership
    if agency.id != agency_id:
        raise NotAllowed("not_member")
    normalised = normalise_agency_name(registration.agency_name)
    if agency.status == "pending" and agency.normalised_name == normalised:
        return agency
    if agency.status != "rejected":
        raise AgencyRefused("not_rejected")
    _take_registration(agency, registration, normalised)
    agency.status = "pending"
    agency.decided_at = agency.decided_by = None
    for name, value in person_fields(registration.person).items():
        setattr(coordinator, name, value)
    event = f"agency:{agency.id}:resubmitted:{now.isoformat()}"
    _sent(
        session,
        line_user_id,
        agency,
        registration,
        "resubmitted",
        event,
        now,
        reason=agency.reject_reason or "-",
    )
    return agency


def get_agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise AgencyRefused("unknown_agency", agency_id=agency_id)
    return agency


def approve_agency(session: Session, agency_id: int, actor: str, now: datetime) -> Agency:
    """Approve; its coordinators are told (with what to do next) and get the coordinator menu.
    Approving an approved agency changes nothing."""
    agency = get_agency(session, agency_id)
    if agency.status == "approved":
        return agency
    agency.status, agency.reject_reason = "approved", None
    agency.decided_at, agency.decided_by = now, actor
    mark_stale(session)  # the public figures count approved agencies
    if agency.campaign_id is None:
        campaign = active_campaign(session, now)
        agency.campaign_id = campaign.id if campaign else None
    notices.tell_coordinators(
        session, agency, "agency.outcome.approved", f"approved:{now.isoformat()}", now, agency=agency.name
    )
    relink_menu(session, notices.coordinators_of(session, agency.id), now)
    audit(session, actor, "approve_agency", f"agency:{agency.id}", now)
    return agency


def reject_agency(session: Session, agency_id: int, reason: str, actor: str, now: datetime) -> Agency:
    """Reject with a reason the coordinators read in LINE, with how to correct and resubmit.
    Rejecting again with the same reason changes nothing; "reason_required" without one,
    "reason_too_long" past REASON_MAX_CHARS."""
    reason = staff_reason(reason, AgencyRefused)
    agency = get_agency(session, agency_id)
    if agency.status == "rejected" and agency.reject_reason == reason:
        return agency
    was_approved = agency.status == "approved"
    agency.status, agency.reject_reason = "rejected", reason
    agency.decided_at, agency.decided_by = now, actor
    notices.tell_coordinators(
        session,
        agency,
        "agency.outcome.rejected",
        f"rejected:{now.isoformat()}",
        now,
        agency=agency.name,
        reason=agency.reject_reason,
        contact=lambda language: contact_sentence(session, language, now),
    )
    if was_approved:
        relink_menu(session, notices.coordinators_of(session, agency.id), now)
    audit(session, actor, "reject_agency", f"agency:{agency.id}", now)
    return agency


def request_to_join(
    session: Session, line_user_id: str, agency_id: int, person: Person, now: datetime
) -> JoinRequest:
    """Ask to become a coordinator of an existing agency (found as a duplicate of one's own
    registration). Goes to that agency's coordinators when it is approved and has some, else to
    staff. A pending request for the same agency is returned as is."""
    check_person(person)
    agency = get_agency(session, agency_id)
    if agency.status == "rejected":
        raise AgencyRefused("agency_rejected")
    check_free(current_membership(session, line_user_id))
    pending = session.scalars(
        select(JoinRequest).where(
            JoinRequest.line_user_id == line_user_id,
            JoinRequest.agency_id == agency.id,
            JoinRequest.status == "pending",
        )
    ).first()
    if pending is not None:
        return pending
    request = JoinRequest(
        agency_id=agency.id,
        line_user_id=line_user_id,
        **person_fields(person),
        status="pending",
        created_at=now,
    )
    session.add(request)
    session.flush()
    params = dict(agency=agency.name, name=request.name, position=request.position, request_id=request.id)
    event = f"join:{request.id}"
    if agency.status == "approved" and notices.coordinators_of(session, agency.id):
        notices.tell_coordinators(session, agency, "agency.join.to_coordinators", event, now, **params)
    else:
        notices.tell_staff(session, "agency.join.to_staff", event, now, agency_id=agency.id, **params)
    return request


def decide_join_request(
    session: Session, request_id: int, approve: bool, actor: str, now: datetime
) -> JoinRequest:
    """Approve or decline a join request. `actor` is "line:<LINE user id>" when a person decides in
    the chat (must be staff or an approved coordinator of that agency), else "cli" / "staff:<id>".
    Deciding a request already decided changes nothing."""
    request = session.get(JoinRequest, request_id)
    if request is None:
        raise AgencyRefused("unknown_request")
    actor = acting_as(session, actor, request.agency_id)
    if request.status != "pending" or request.line_user_id is None:
        return request
    agency = get_agency(session, request.agency_id)
    request.decided_at, request.decided_by = now, actor
    if not approve:
        request.status = "declined"
        notices.push(
            session,
            request.line_user_id,
            "agency.join.declined",
            f"join:{request.id}:declined",
            now,
            agency=agency.name,
        )
        return request
    membership = current_membership(session, request.line_user_id)
    check_free(membership)
    if membership is not None:
        membership[0].status, membership[0].left_at = "left", now
    request.status = "approved"
    person = Person(request.name or "", request.position or "", request.phone_e164 or "")
    add_coordinator(session, agency, request.line_user_id, person, now)
    notices.push(
        session,
        request.line_user_id,
        "agency.join.approved",
        f"join:{request.id}:approved",
        now,
        agency=agency.name,
    )
    relink_menu(session, [request.line_user_id], now)
    return request


def leave_agency(session: Session, line_user_id: str, now: datetime) -> Agency:
    """Stop coordinating one's agency. Refused with "last_coordinator" for the last coordinator of
    an approved agency (staff must hand it over first); NotAllowed("not_registered") with none."""
    membership = current_membership(session, line_user_id)
    if membership is None:
        raise NotAllowed("not_registered")
    coordinator, agency = membership
    if agency.status == "approved":
        others = session.scalar(
            select(func.count(Coordinator.id)).where(
                Coordinator.agency_id == agency.id,
                Coordinator.status == "active",
                Coordinator.id != coordinator.id,
            )
        )
        if not others:
            raise AgencyRefused("last_coordinator")
    coordinator.status, coordinator.left_at = "left", now
    relink_menu(session, [line_user_id], now)
    return agency


def agency_summary(session: Session, agency_id: int, language: str = "th") -> dict:
    """What "my agency" shows: the agency, its standing, its coordinators, its campaign."""
    agency = get_agency(session, agency_id)
    campaign = session.get(Campaign, agency.campaign_id) if agency.campaign_id else None
    coordinators = session.scalars(
        select(Coordinator)
        .where(Coordinator.agency_id == agency.id, Coordinator.status == "active")
        .order_by(Coordinator.id)
    )
    district = geothai.district(agency.district_code) if agency.district_code else None
    return {
        "id": agency.id,
        "name": agency.name,
        "type": agency.agency_type,
        "province_code": agency.province_code,
        "province": province_name(agency.province_code, language),
        "district_code": agency.district_code,
        "district": label(district, language, field="name") if district else None,
        "status": agency.status,
        "reject_reason": agency.reject_reason,
        "show_name_publicly": agency.show_name_publicly,
        "coordinators": [{"name": c.name, "position": c.position} for c in coordinators],
        "campaign": label(campaign, language, field="name") if campaign else None,
    }


def list_agencies(session: Session, status: str | None = None) -> list[Agency]:
    """All agencies (optionally of one status), oldest first: the CLI's and staff web's list."""
    query = select(Agency).order_by(Agency.id)
    if status:
        query = query.where(Agency.status == status)
    return list(session.scalars(query))


def pending_join_requests(session: Session) -> list[tuple[JoinRequest, Agency]]:
    """Join requests waiting for a decision, oldest first, with their agency (the CLI's list)."""
    return [
        (request, agency)
        for request, agency in session.execute(
            select(JoinRequest, Agency)
            .join(Agency, Agency.id == JoinRequest.agency_id)
            .where(JoinRequest.status == "pending")
            .order_by(JoinRequest.id)
        )
    ]

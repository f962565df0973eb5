"""Authorisation in one place: who may act for which agency.

Nothing here trusts an id sent by a client (a postback's agency id, a CLI argument): every answer is
read from the database for the LINE user who is talking. Flows and the staff web call these.
"""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handlers.services.audit import audit
from handlers.services.people import LINE_USER_ID
from handlers.services.refusals import NotAllowed
from storage.models.program import Agency, Coordinator, JoinRequest, StaffMember
from storage.repositories import OutboxRepository

ROLES = ("subscriber", "coordinator", "staff")


def is_staff(session: Session, line_user_id: str) -> bool:
    return (
        session.scalars(select(StaffMember.id).where(StaffMember.line_user_id == line_user_id)).first()
        is not None
    )


def current_membership(session: Session, line_user_id: str) -> tuple[Coordinator, Agency] | None:
    """The person's active coordinator row and its agency (pending, approved or rejected), if any.

    A person acts for one agency at a time: registering or joining another ends nothing silently,
    it is refused (`already_member`) until they leave.
    """
    row = session.execute(
        select(Coordinator, Agency)
        .join(Agency, Agency.id == Coordinator.agency_id)
        .where(Coordinator.line_user_id == line_user_id, Coordinator.status == "active")
        .order_by(Coordinator.joined_at.desc(), Coordinator.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def approved_agency_of(session: Session, line_user_id: str) -> Agency | None:
    membership = current_membership(session, line_user_id)
    if membership and membership[1].status == "approved":
        return membership[1]
    return None


def role_of(session: Session, line_user_id: str) -> str:
    """ "staff", "coordinator" (of an approved agency) or "subscriber" (everyone else, including
    coordinators of agencies still pending or rejected): the rich menu a person sees."""
    if is_staff(session, line_user_id):
        return "staff"
    if approved_agency_of(session, line_user_id) is not None:
        return "coordinator"
    return "subscriber"


def require_coordinator(session: Session, line_user_id: str, agency_id: int | None = None) -> Agency:
    """The approved agency this person coordinates, checked against `agency_id` when one is given
    (e.g. from a postback). Raises NotAllowed with code:

    - "not_registered": no agency and no pending join request (tell them how to register or join);
    - "join_pending": no agency yet, a join request waits for a decision;
    - "pending" / "rejected": their agency is not approved (yet);
    - "not_member": `agency_id` names an agency they do not coordinate (a forged or stale postback).
    """
    membership = current_membership(session, line_user_id)
    if membership is None:
        waiting = session.scalars(
            select(JoinRequest.id).where(
                JoinRequest.line_user_id == line_user_id, JoinRequest.status == "pending"
            )
        ).first()
        raise NotAllowed("join_pending" if waiting else "not_registered")
    _, agency = membership
    if agency_id is not None and agency.id != agency_id:
        raise NotAllowed("not_member")
    if agency.status != "approved":
        raise NotAllowed(agency.status)  # "pending" | "rejected"
    return agency


def relink_menu(session: Session, line_user_ids: list[str], now: datetime) -> None:
    """After a role change: ask the outbox to link each person to their role's rich menu."""
    outbox = OutboxRepository(session)
    for line_user_id in dict.fromkeys(line_user_ids):
        outbox.enqueue_richmenu_link(
            line_user_ids=[line_user_id],
            menu=role_of(session, line_user_id),
            dedupe_key=f"richmenu:{line_user_id}:{uuid4()}",
            now=now,
        )


def add_staff(
    session: Session, line_user_id: str, name: str | None, now: datetime, actor: str = "cli"
) -> StaffMember:
    """Register a staff member's LINE account (told about registrations; staff menu). Adding the
    same account again updates the name only."""
    if not LINE_USER_ID.fullmatch(line_user_id):
        raise ValueError("a LINE user id is U followed by 32 hexadecimal digits")
    member = session.scalars(select(StaffMember).where(StaffMember.line_user_id == line_user_id)).first()
    if member is None:
        member = StaffMember(line_user_id=line_user_id, name=name, created_at=now)
        session.add(member)
        session.flush()
        relink_menu(session, [line_user_id], now)
        audit(session, actor, "add_staff", f"staff:{member.id}", now)
    elif name:
        member.name = name
    return member


def remove_staff(session: Session, line_user_id: str, now: datetime, actor: str = "cli") -> bool:
    """Take a LINE account off the staff: its staff-web sessions, sign-in codes and review claims go
    with it (the database cascades) and it gets the menu of whatever it is besides. False when the
    account is not staff (nothing is written then)."""
    if not LINE_USER_ID.fullmatch(line_user_id):
        raise ValueError("a LINE user id is U followed by 32 hexadecimal digits")
    member = session.scalars(select(StaffMember).where(StaffMember.line_user_id == line_user_id)).first()
    if member is None:
        return False
    session.execute(delete(StaffMember).where(StaffMember.id == member.id))
    relink_menu(session, [line_user_id], now)
    audit(session, actor, "remove_staff", f"staff:{member.id}", now)
    return True


def list_staff(session: Session) -> list[StaffMember]:
    return list(session.scalars(select(StaffMember).order_by(StaffMember.id)))


def acting_as(session: Session, actor: str, agency_id: int) -> str:
    """Who `actor` acts as on an agency's behalf: "line:<LINE user id>" must be staff ("staff") or
    an approved coordinator of the agency ("coordinator"; NotAllowed otherwise); "cli" and
    "staff:<id>" stand as they are."""
    if not actor.startswith("line:"):
        return actor
    person = actor.removeprefix("line:")
    if is_staff(session, person):
        return "staff"
    require_coordinator(session, person, agency_id)
    return "coordinator"

"""The people who coordinate an agency: their details checked, a membership added, and the rule
that a person coordinates one agency at a time (shared by registration, join requests and
invitations)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.services.refusals import AgencyRefused
from storage.models.program import Agency, Coordinator

_E164_TH = re.compile(r"^\+66[0-9]{8,9}$")


@dataclass(frozen=True)
class Person:
    name: str
    position: str
    phone_e164: str


def check_person(person: Person) -> None:
    """Programming errors, not user errors: the flow has already validated each answer."""
    if not person.name.strip() or len(person.name) > 200 or len(person.position) > 200:
        raise ValueError("name empty or too long")
    if not _E164_TH.match(person.phone_e164):
        raise ValueError("phone is not a Thai E.164 number (use handlers.parsing.phone)")


def person_fields(person: Person) -> dict[str, str]:
    """A person's details as a coordinator or join request stores them."""
    return {"name": person.name.strip(), "position": person.position.strip(), "phone_e164": person.phone_e164}


def add_coordinator(
    session: Session, agency: Agency, line_user_id: str, person: Person, now: datetime
) -> None:
    session.add(
        Coordinator(
            agency_id=agency.id,
            line_user_id=line_user_id,
            **person_fields(person),
            status="active",
            joined_at=now,
        )
    )
    session.flush()


def check_free(membership: tuple[Coordinator, Agency] | None) -> None:
    """AgencyRefused("already_member") for a person coordinating an agency that is not rejected
    (whose membership a new one may replace)."""
    if membership is not None and membership[1].status != "rejected":
        raise AgencyRefused("already_member", agency_id=membership[1].id)

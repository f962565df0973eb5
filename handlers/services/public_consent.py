"""Whether an agency may be named publicly and its photos shown (the results page, the exhibition
board, open data): chosen in the chat by a coordinator of the approved agency. Both default to no.

Each change is audited (which agency, which coordinator row, what it became; never a name) and
marks the public figures stale, so a withdrawal disappears at the clock's next look (seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.services import public_results
from handlers.services.audit import audit
from handlers.services.authz import current_membership, require_coordinator

CHOICES = ("name", "photos")


@dataclass(frozen=True)
class PublicConsent:
    agency_id: int
    agency_name: str
    name: bool  # the agency may be named publicly
    photos: bool  # its activity photos may be shown publicly


def _consent(agency) -> PublicConsent:
    return PublicConsent(
        agency.id, agency.name, bool(agency.show_name_publicly), bool(agency.show_photos_publicly)
    )


def public_consent(session: Session, line_user_id: str) -> PublicConsent:
    """The choices of the approved agency this person coordinates (NotAllowed otherwise)."""
    return _consent(require_coordinator(session, line_user_id))


def set_public_consent(
    session: Session, line_user_id: str, choice: str, allowed: bool, now: datetime
) -> PublicConsent:
    """Set one choice ("name" or "photos") for the person's approved agency. Setting what is already
    saved writes nothing (a retried answer is harmless)."""
    if choice not in CHOICES:
        raise ValueError(f"unknown public consent choice {choice!r}")
    agency = require_coordinator(session, line_user_id)
    column = "show_name_publicly" if choice == "name" else "show_photos_publicly"
    if bool(getattr(agency, column)) != allowed:
        setattr(agency, column, allowed)
        coordinator = current_membership(session, line_user_id)[0]
        detail = {"choice": choice, "allowed": allowed}
        audit(session, f"coordinator:{coordinator.id}", "public_consent", f"agency:{agency.id}", now, detail)
        public_results.mark_stale(session)
    return _consent(agency)

"""Invitation codes: an approved coordinator invites a colleague to coordinate the same agency."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.services.agencies import get_agency
from handlers.services.audit import audit
from handlers.services.authz import acting_as, current_membership, relink_menu, require_coordinator
from handlers.services.coordinators import Person, add_coordinator, check_free, check_person
from handlers.services.refusals import InvitationRefused
from storage.models.program import Agency, Invitation

# No 0/O, 1/I/L: a code read aloud or copied from a screenshot cannot be mistyped into another.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
VALID_FOR = timedelta(days=7)
MAX_USES_LIMIT = 20


def fold_code(text: str) -> str:
    """How a typed code is read: Thai and full-width digits, case, spaces and dashes do not matter."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate({0x0E50 + i: str(i) for i in range(10)})
    return "".join(ch for ch in text.upper() if ch not in " -_.\u200b")


def create_invitation(session: Session, line_user_id: str, now: datetime, max_uses: int = 5) -> Invitation:
    """A new code for the person's approved agency (NotAllowed otherwise), valid 7 days,
    usable `max_uses` times (1–20)."""
    agency = require_coordinator(session, line_user_id)
    if not 1 <= max_uses <= MAX_USES_LIMIT:
        raise ValueError("max_uses out of range")
    membership = current_membership(session, line_user_id)
    assert membership is not None
    while True:  # 31⁸ ≈ 8.5·10¹¹ codes: a collision is rare, but the unique index would turn it into an error
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalars(select(Invitation.id).where(Invitation.code == code)).first() is None:
            break
    invitation = Invitation(
        code=code,
        agency_id=agency.id,
        created_by=membership[0].id,
        created_at=now,
        expires_at=now + VALID_FOR,
        max_uses=max_uses,
        uses=0,
    )
    session.add(invitation)
    session.flush()
    return invitation


def check_invitation(session: Session, code: str, now: datetime) -> Invitation:
    """The usable invitation for a typed code, or InvitationRefused with code "unknown",
    "expired", "revoked" (also when its agency is no longer approved) or "used_up"."""
    invitation = session.scalars(select(Invitation).where(Invitation.code == fold_code(code))).first()
    if invitation is None:
        raise InvitationRefused("unknown")
    if invitation.revoked_at is not None or get_agency(session, invitation.agency_id).status != "approved":
        raise InvitationRefused("revoked")
    if invitation.expires_at <= now:
        raise InvitationRefused("expired")
    if invitation.uses >= invitation.max_uses:
        raise InvitationRefused("used_up")
    return invitation


def invitation_agency_name(session: Session, invitation: Invitation) -> str:
    """The agency's name, shown to the invited person before they confirm."""
    return get_agency(session, invitation.agency_id).name


def accept_invitation(
    session: Session, line_user_id: str, code: str, person: Person, now: datetime
) -> Agency:
    """Become a coordinator of the invitation's agency. Accepting again (a retry) changes
    nothing; AgencyRefused("already_member") for a person coordinating another agency."""
    check_person(person)
    membership = current_membership(session, line_user_id)
    existing = session.scalars(select(Invitation).where(Invitation.code == fold_code(code))).first()
    if membership is not None and existing is not None and membership[1].id == existing.agency_id:
        return membership[1]
    invitation = check_invitation(session, code, now)
    check_free(membership)
    # One conditional UPDATE: two colleagues typing the last use at the same moment cannot both win.
    taken = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.uses < Invitation.max_uses)
        .values(uses=Invitation.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise InvitationRefused("used_up")
    session.refresh(invitation)
    if membership is not None:
        membership[0].status, membership[0].left_at = "left", now
    agency = get_agency(session, invitation.agency_id)
    add_coordinator(session, agency, line_user_id, person, now)
    relink_menu(session, [line_user_id], now)
    return agency


def revoke_invitation(session: Session, code: str, actor: str, now: datetime) -> Invitation:
    """Stop a code working. `actor` "line:<LINE user id>" must coordinate its agency (or be staff);
    "cli"/"staff:<id>" may revoke any. Revoking twice changes nothing."""
    invitation = session.scalars(select(Invitation).where(Invitation.code == fold_code(code))).first()
    if invitation is None:
        raise InvitationRefused("unknown")
    actor = acting_as(session, actor, invitation.agency_id)
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        audit(session, actor, "revoke_invitation", f"invitation:{invitation.id}", now)
    return invitation

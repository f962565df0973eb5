"""Invitation codes: a colleague joins with one; expired, revoked, used-up and unknown codes are
refused clearly; only an approved coordinator can invite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.fakeline.events import new_user_id
from handlers.services.authz import require_coordinator, role_of
from handlers.services.invitations import (
    ALPHABET,
    accept_invitation,
    check_invitation,
    create_invitation,
    invitation_agency_name,
    revoke_invitation,
)
from handlers.services.refusals import InvitationRefused, NotAllowed
from storage.models.program import Invitation
from tests.handlers.domain_helpers import NOW, approved, db_fixture, person, registered  # noqa: F401


def invite(db, user: str, max_uses: int = 5) -> str:
    with db.begin() as session:
        return create_invitation(session, user, NOW, max_uses=max_uses).code


def refusal(db, code: str, when=NOW) -> str:
    with db.begin() as session, pytest.raises(InvitationRefused) as refused:
        accept_invitation(session, new_user_id(), code, person(name="มานี มีนา"), when)
    return refused.value.code


def test_a_colleague_joins_with_a_code_typed_loosely(db):
    first, agency_id = approved(db)
    code = invite(db, first)
    assert len(code) == 8 and set(code) <= set(ALPHABET)
    assert not set(code) & set("01ILO")
    colleague = new_user_id()
    typed = f" {code[:4].lower()}-{code[4:]} "
    with db.begin() as session:
        invitation = check_invitation(session, typed, NOW)
        assert invitation_agency_name(session, invitation) == "องค์การบริหารส่วนตำบลบางพลี"
        assert invitation.expires_at == NOW + timedelta(days=7)
        agency = accept_invitation(session, colleague, typed, person(name="มานี มีนา"), NOW)
        assert agency.id == agency_id
        accept_invitation(session, colleague, code, person(name="มานี มีนา"), NOW)  # a retry
    with db.begin() as session:
        assert require_coordinator(session, colleague).id == agency_id
        assert role_of(session, colleague) == "coordinator"
        assert session.get(Invitation, invitation.id).uses == 1


def test_expired_revoked_used_up_and_unknown_codes_are_refused(db):
    first, _ = approved(db)
    expired = invite(db, first)
    assert refusal(db, expired, NOW + timedelta(days=7, seconds=1)) == "expired"
    revoked = invite(db, first)
    with db.begin() as session:
        revoke_invitation(session, revoked, f"line:{first}", NOW)
    assert refusal(db, revoked) == "revoked"
    single = invite(db, first, max_uses=1)
    with db.begin() as session:
        accept_invitation(session, new_user_id(), single, person(), NOW)
    assert refusal(db, single) == "used_up"
    assert refusal(db, "ABCD2345") == "unknown"


def test_only_an_approved_coordinator_can_invite_or_revoke(db):
    pending_user, _ = registered(db)
    with db.begin() as session, pytest.raises(NotAllowed) as refused:
        create_invitation(session, pending_user, NOW)
    assert refused.value.code == "pending"
    with db.begin() as session, pytest.raises(NotAllowed) as refused:
        create_invitation(session, new_user_id(), NOW)
    assert refused.value.code == "not_registered"
    first, _ = approved(db, name="เทศบาลเมืองสมุทรปราการ")
    code = invite(db, first)
    other, _ = approved(db, name="โรงเรียนบ้านหนองบัว")
    with db.begin() as session, pytest.raises(NotAllowed):
        revoke_invitation(session, code, f"line:{other}", NOW)  # another agency's coordinator
    with db.begin() as session:
        check_invitation(session, code, NOW)  # still works

"""Agencies: registration, duplicates, approval and rejection reaching the coordinator in LINE,
resubmission, join requests, leaving, authorisation."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.fakeline.events import new_user_id
from handlers.catalog import t
from handlers.services.agencies import (
    agency_summary,
    decide_join_request,
    leave_agency,
    normalise_agency_name,
    reject_agency,
    request_to_join,
    resubmit_agency,
    similar_agencies,
)
from handlers.services.authz import require_coordinator, role_of
from handlers.services.refusals import AgencyRefused, NotAllowed
from storage.models import OutboxMessage
from storage.models.program import Agency, AuditEntry, Coordinator
from tests.handlers.domain_helpers import (  # noqa: F401
    NOW,
    approved,
    db_fixture,
    person,
    pushed_texts,
    registered,
    registration,
    staff,
)


@pytest.mark.parametrize(
    "a, b",
    [
        ("องค์การบริหารส่วนตำบลบางพลี", "อบต.บางพลี"),
        ("อบต. บางพลี", "องค์การบริหารส่วนตำบล  บาง พลี"),
        ("เทศบาลตำบลบางพลี", "ทต.บางพลี"),
        ("เทศบาลเมืองสมุทรปราการ", "ทม. สมุทรปราการ"),
        ("เทศบาลนครนนทบุรี", "ทน.นนทบุรี"),
        ("โรงเรียนบ้านหนองบัว", "รร.บ้านหนองบัว"),
        ("บริษัท กรีนเทค จำกัด", "บจก.กรีนเทค"),
        ("บริษัท ปตท. จำกัด (มหาชน)", "บมจ. ปตท"),
        ("Green Tech Co., Ltd.", "green tech"),
    ],
)
def test_names_written_differently_normalise_alike(a, b):
    assert normalise_agency_name(a) == normalise_agency_name(b)


def test_the_kind_of_organisation_stays_part_of_the_name():
    assert normalise_agency_name("อบต.บางพลี") != normalise_agency_name("เทศบาลตำบลบางพลี")


def test_a_close_name_in_the_same_province_is_found_and_others_are_not(db):
    _, agency_id = registered(db, name="องค์การบริหารส่วนตำบลบางพลี", province="11")
    registered(db, name="เทศบาลตำบลบางพลี", province="11")
    registered(db, name="อบต.บางพลีใหญ่", province="11")
    with db.begin() as session:
        assert [a.id for a in similar_agencies(session, "อบต. บางพลึ", "11")] == [agency_id]  # a typo
        assert similar_agencies(session, "อบต บางพลี", "11")[0].id == agency_id
        assert similar_agencies(session, "อบต.บางพลี", "50") == []  # another province


def test_registration_is_pending_idempotent_and_reaches_staff(app, db, fake_line):
    officer = staff(db)
    user, agency_id = registered(db)
    _, again_id = registered(db, user)  # the same registration sent twice
    assert again_id == agency_id
    with db.begin() as session:
        agency = session.get(Agency, agency_id)
        assert agency.status == "pending" and agency.campaign_id is None
        assert role_of(session, user) == "subscriber"
        with pytest.raises(NotAllowed) as refused:
            require_coordinator(session, user)
        assert refused.value.code == "pending"
    texts = pushed_texts(app, fake_line, officer)
    assert len(texts) == 1 and "บางพลี" in texts[0] and str(agency_id) in texts[0]


def test_with_no_staff_a_log_line_without_personal_data(db, caplog):
    caplog.set_level(logging.INFO, logger="ruamjai")
    registered(db, who=person(name="มานี มีนา", phone="+66898765432"))
    [record] = [r for r in caplog.records if "staff notice" in r.getMessage()]
    assert "มานี" not in str(record.__dict__) and "898765432" not in str(record.__dict__)


def test_a_duplicate_or_a_second_agency_is_refused(db):
    user, agency_id = registered(db)
    with db.begin() as session, pytest.raises(AgencyRefused) as refused:
        from handlers.services.agencies import register_agency

        register_agency(session, new_user_id(), registration(name="อบต. บางพลี"), NOW)
    assert refused.value.code == "duplicate" and refused.value.params["agency_id"] == agency_id
    with db.begin() as session, pytest.raises(AgencyRefused) as refused:
        from handlers.services.agencies import register_agency

        register_agency(session, user, registration(name="เทศบาลเมืองสมุทรปราการ"), NOW)
    assert refused.value.code == "already_member"


def test_approval_reaches_the_coordinator_with_what_to_do_next(app, db, fake_line):
    user, agency_id = approved(db)
    texts = pushed_texts(app, fake_line, user)
    assert texts == [t("agency.outcome.approved", "th", agency="องค์การบริหารส่วนตำบลบางพลี")]
    with db.begin() as session:
        from handlers.services.agencies import approve_agency

        approve_agency(session, agency_id, "cli", NOW)  # twice: nothing more is sent
        assert role_of(session, user) == "coordinator"
        assert require_coordinator(session, user).id == agency_id
        links = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "richmenu")).all()
        assert [row.payload for row in links] == ['{"menu":"coordinator"}']
        assert session.scalars(select(AuditEntry.action)).all() == ["approve_agency"]
    assert pushed_texts(app, fake_line, user) == texts


def test_rejection_with_a_reason_then_a_corrected_resubmission(app, db, fake_line):
    officer = staff(db)
    user, agency_id = registered(db)
    with db.begin() as session, pytest.raises(AgencyRefused) as refused:
        reject_agency(session, agency_id, "   ", "cli", NOW)
    assert refused.value.code == "reason_required"
    with db.begin() as session:
        reject_agency(session, agency_id, "ชื่อหน่วยงานไม่ครบ", "cli", NOW)
    [text] = pushed_texts(app, fake_line, user)
    assert "ชื่อหน่วยงานไม่ครบ" in text and "ลงทะเบียนหน่วยงาน" in text
    with db.begin() as session:
        with pytest.raises(NotAllowed) as refused:
            require_coordinator(session, user)
        assert refused.value.code == "rejected"
        corrected = registration(name="องค์การบริหารส่วนตำบลบางพลีใหญ่")
        agency = resubmit_agency(session, user, agency_id, corrected, NOW)
        assert agency.status == "pending" and agency.name.endswith("บางพลีใหญ่")
    with db.begin() as session, pytest.raises(NotAllowed):
        resubmit_agency(session, new_user_id(), agency_id, registration(), NOW)  # someone else's agency
    assert any("ส่งกลับมาให้พิจารณาอีกครั้ง" in text for text in pushed_texts(app, fake_line, officer))


def test_a_join_request_goes_to_the_coordinators_and_their_yes_makes_a_coordinator(app, db, fake_line):
    first, agency_id = approved(db)
    colleague = new_user_id()
    with db.begin() as session:
        request = request_to_join(session, colleague, agency_id, person(name="มานี มีนา"), NOW)
        assert request_to_join(session, colleague, agency_id, person(name="มานี มีนา"), NOW).id == request.id
        request_id = request.id
    assert any("มานี มีนา" in text for text in pushed_texts(app, fake_line, first))
    stranger = new_user_id()
    with db.begin() as session, pytest.raises(NotAllowed):
        decide_join_request(session, request_id, True, f"line:{stranger}", NOW)  # forged: not a member
    with db.begin() as session:
        with pytest.raises(NotAllowed) as refused:
            require_coordinator(session, colleague)
        assert refused.value.code == "join_pending"
        decide_join_request(session, request_id, True, f"line:{first}", NOW)
        assert require_coordinator(session, colleague).id == agency_id
    assert pushed_texts(app, fake_line, colleague) == [
        t("agency.join.approved", "th", agency="องค์การบริหารส่วนตำบลบางพลี")
    ]


def test_a_join_request_for_an_agency_without_approved_coordinators_goes_to_staff(app, db, fake_line):
    officer = staff(db)
    _, agency_id = registered(db)
    with db.begin() as session:
        request_to_join(session, new_user_id(), agency_id, person(name="มานี มีนา"), NOW)
    assert any("มานี มีนา" in text for text in pushed_texts(app, fake_line, officer))


def test_the_last_coordinator_cannot_leave_an_approved_agency(db):
    first, agency_id = approved(db)
    with db.begin() as session, pytest.raises(AgencyRefused) as refused:
        leave_agency(session, first, NOW)
    assert refused.value.code == "last_coordinator"
    colleague = new_user_id()
    with db.begin() as session:
        request = request_to_join(session, colleague, agency_id, person(name="มานี มีนา"), NOW)
        decide_join_request(session, request.id, True, "cli", NOW)
    with db.begin() as session:
        leave_agency(session, first, NOW)
        assert role_of(session, first) == "subscriber"
        summary = agency_summary(session, agency_id)
        assert [c["name"] for c in summary["coordinators"]] == ["มานี มีนา"]
        assert summary["province"] == "สมุทรปราการ" and summary["status"] == "approved"


def test_a_forged_agency_id_is_refused(db):
    user, _ = approved(db)
    _, other = approved(db, name="เทศบาลเมืองสมุทรปราการ")
    with db.begin() as session:
        with pytest.raises(NotAllowed) as refused:
            require_coordinator(session, user, agency_id=other)
        assert refused.value.code == "not_member"
        with pytest.raises(NotAllowed) as refused:
            require_coordinator(session, new_user_id())
        assert refused.value.code == "not_registered"
        assert (
            session.scalars(select(Coordinator).where(Coordinator.agency_id == other)).one().line_user_id
            != user
        )

"""LOR tracking (handlers.services.lor): each change reaches the agency's coordinators in LINE
exactly once (also when a send is cut off mid-way and resumed), illegal changes are refused and
change nothing, the certificate's link works while signed and not after, a returned package sends
the chosen reports back to be fixed, and the my-agency card shows the LOR status."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services import lor
from handlers.services.reports import approve_report
from storage.models import AuditEntry, LorCase, LorChange, OutboxMessage, Report
from tests.handlers.domain_helpers import NOW, approved, db_fixture, pushed_texts  # noqa: F401
from tests.handlers.report_chat import ReportChat
from tests.scenarios.test_report_fix_photos import composting_report

BANG_PHLI = "องค์การบริหารส่วนตำบลบางพลี"
PDF = b"%PDF-1.4\n% a certificate\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def delivered(app, fake_line, user: str) -> list[list[dict]]:
    """What `user` received after the approval of their agency (the first push)."""
    runtime(app).outbox.send_due()
    return [d.messages for d in fake_line.delivered_to(user)][1:]


def issue(db, media, agency_id: int, data: bytes = PDF, when=NOW):
    with db.begin() as session:
        lor.mark_ready(session, agency_id, "staff:1", when, media)
    with db.begin() as session:
        lor.mark_submitted(session, agency_id, date(2024, 9, 30), "staff:1", when, media)
    with db.begin() as session:
        return lor.mark_issued(
            session, media, agency_id, "LOR-2567-042", date(2024, 11, 1), data, "staff:1", when
        ).id


def test_each_change_reaches_every_coordinator_once_in_their_language(app, db, fake_line):
    user, agency_id = approved(db)
    media = runtime(app).media
    issue(db, media, agency_id)
    got = delivered(app, fake_line, user)
    assert [m[0].get("text") for m in got[:2]] == [
        t("lor.notice.package_ready", "th", agency=BANG_PHLI),
        t("lor.notice.submitted", "th", agency=BANG_PHLI, date="30 ก.ย. 2567"),
    ]
    card, text = got[2]
    assert card["type"] == "flex" and card["altText"] == t("lor.card.alt", "th", agency=BANG_PHLI)
    assert "LOR-2567-042" in json.dumps(card, ensure_ascii=False)
    assert text["text"] == t(
        "lor.notice.issued_no_link", "th", agency=BANG_PHLI, number="LOR-2567-042", date="1 พ.ย. 2567"
    )  # no PUBLIC_BASE_URL in this test: no link LINE could open
    assert len(got) == 3  # one message set per change
    with db() as session:
        history = [c.status for c in session.scalars(select(LorChange).order_by(LorChange.id))]
        actions = [a.action for a in session.scalars(select(AuditEntry).where(AuditEntry.actor == "staff:1"))]
    assert history == ["package_ready", "submitted", "issued"]
    assert actions == ["lor_package_ready", "lor_submitted", "lor_issued"]


def test_a_send_cut_off_mid_way_and_resumed_delivers_exactly_once(app, db, fake_line):
    """The process died after LINE accepted the push but before the outbox wrote "sent"; when the
    clock process starts again the lease has run out and the row is retried with the same retry
    key: LINE answers 409 and the coordinator got it once. A retried change adds nothing."""
    user, agency_id = approved(db)
    rt = runtime(app)
    with db.begin() as session:
        lor.mark_ready(session, agency_id, "staff:1", NOW)
    with db.begin() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("lor:%"))).one()
        rt.gateway.push(user, json.loads(row.payload)["messages"], retry_key=row.retry_key)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(status="sending", lease_until=rt.clock.now() - timedelta(seconds=1))
        )
    with pytest.raises(lor.LorRefused):  # the same change again (a retried request): refused
        with db.begin() as session:
            lor.mark_ready(session, agency_id, "staff:1", NOW)
    texts = [text for text in pushed_texts(app, fake_line, user) if "LOR" in text]  # not the approval
    assert texts == [t("lor.notice.package_ready", "th", agency=BANG_PHLI)]
    with db() as session:
        lor_rows = select(func.count()).where(OutboxMessage.dedupe_key.like("lor:%"))
        assert session.scalar(lor_rows) == 1


@pytest.mark.parametrize(
    ("steps", "change"),
    [
        ((), "issued"),  # issuing before it was submitted
        ((), "submitted"),
        (("ready",), "returned"),
        (("ready", "submitted"), "ready"),
    ],
)
def test_illegal_changes_are_refused_and_change_nothing(app, db, fake_line, steps, change):
    user, agency_id = approved(db)
    media = runtime(app).media
    moves = {
        "ready": lambda s: lor.mark_ready(s, agency_id, "staff:1", NOW),
        "submitted": lambda s: lor.mark_submitted(s, agency_id, date(2024, 9, 30), "staff:1", NOW),
        "issued": lambda s: lor.mark_issued(
            s, media, agency_id, "X-1", date(2024, 10, 1), PDF, "staff:1", NOW
        ),
        "returned": lambda s: lor.mark_returned(s, agency_id, "ข้อมูลไม่ครบ", ["R-2567-00001"], "staff:1", NOW),
    }
    for step in steps:
        with db.begin() as session:
            moves[step](session)
    before = pushed_texts(app, fake_line, user)
    with db() as session:
        status_before = lor.case_of(session, agency_id, NOW)
        status_before = status_before.status if status_before else "preparing"
    with pytest.raises(lor.LorRefused) as refused:
        with db.begin() as session:
            moves[change](session)
    assert refused.value.code == "not_now"
    with db() as session:
        case = lor.case_of(session, agency_id, NOW)
        assert (case.status if case else "preparing") == status_before
        assert session.scalar(select(func.count()).select_from(LorChange)) == len(steps)
    assert pushed_texts(app, fake_line, user) == before
    assert (
        not list(runtime(app).media.directory.glob("lor/*"))
        if hasattr(runtime(app).media, "directory")
        else True
    )


def test_a_certificate_is_checked_by_content_and_size(app, db):
    _, agency_id = approved(db)
    media = runtime(app).media
    with db.begin() as session:
        lor.mark_ready(session, agency_id, "staff:1", NOW)
        lor.mark_submitted(session, agency_id, date(2024, 9, 30), "staff:1", NOW)
    for data, code in [
        (b"<html>not a pdf</html>", "certificate_type"),
        (b"", "certificate_missing"),
        (b"%PDF-" + b"0" * lor.CERTIFICATE_MAX_BYTES, "certificate_too_big"),
    ]:
        with pytest.raises(lor.LorRefused) as refused, db.begin() as session:
            lor.mark_issued(session, media, agency_id, "X-1", date(2024, 10, 1), data, "staff:1", NOW)
        assert refused.value.code == code
    with pytest.raises(lor.LorRefused) as refused, db.begin() as session:
        lor.mark_issued(session, media, agency_id, "X-1", date(2024, 9, 1), PDF, "staff:1", NOW)
    assert refused.value.code == "issued_before_submitted"
    with db.begin() as session:
        case = lor.mark_issued(session, media, agency_id, "X-1", date(2024, 10, 1), PNG, "staff:1", NOW)
        assert case.certificate_key.endswith(".png") and case.status == "issued"


def test_the_certificate_link_works_while_signed_and_not_after(make_app, settings, fake_line):
    app = make_app(settings.with_(public_base_url="https://ruamjai.example.org"))
    db = runtime(app).session_factory
    user, agency_id = approved(db)
    media = runtime(app).media
    moment = [1_900_000_000.0]
    media.clock = lambda: moment[0]  # the store's clock, under the test's control
    issue(db, media, agency_id)
    text = delivered(app, fake_line, user)[-1][-1]["text"]
    link = text[text.index("/media/") :]
    assert text.startswith("ยินดีด้วย!") and "https://ruamjai.example.org/media/lor/" in text
    card = delivered(app, fake_line, user)[-1][0]
    assert card["contents"]["footer"]["contents"][0]["action"]["uri"].endswith(link)  # the button
    client = app.test_client()
    response = client.get(link)
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    moment[0] += lor.CERTIFICATE_URL_SECONDS - 60
    assert client.get(link).status_code == 200
    moment[0] += 120  # past the week it was signed for
    assert client.get(link).status_code == 403
    assert client.get(link.replace("sig=", "sig=x")).status_code == 403


def test_a_returned_package_sends_the_chosen_reports_back_to_be_fixed(app, db, fake_line):
    chat = ReportChat(app, fake_line)
    refs = [composting_report(chat, [90 + i]) for i in range(2)]
    with db.begin() as session:
        for ref in refs:
            approve_report(session, ref, "staff:1", NOW)
    with db.begin() as session:
        lor.mark_ready(session, chat.agency_id, "staff:1", NOW)
        lor.mark_submitted(session, chat.agency_id, date(2024, 9, 30), "staff:1", NOW)
    with pytest.raises(lor.LorRefused) as refused, db.begin() as session:
        lor.mark_returned(session, chat.agency_id, "ข้อมูลไม่ครบ", [], "staff:1", NOW)
    assert refused.value.code == "no_reports"
    with db.begin() as session:
        lor.mark_returned(session, chat.agency_id, "ปริมาณขยะไม่ตรงกับหลักฐาน", [refs[0]], "staff:1", NOW)
    with db() as session:
        statuses = [
            session.scalars(select(Report.status).where(Report.sequence == int(r[-5:]))).one() for r in refs
        ]
        case = lor.case_of(session, chat.agency_id, NOW)
    assert statuses == ["needs_fix", "approved"]
    assert case.status == "returned" and json.loads(case.returned_reports) == [refs[0]]
    texts = pushed_texts(app, fake_line, chat.user)
    assert any("ปริมาณขยะไม่ตรงกับหลักฐาน" in text and refs[0] in text and "อบก." in text for text in texts)
    assert any(
        text.startswith(t("reporting.decision.needs_fix", "th", ref=refs[0], fields="", reason="")[:20])
        for text in texts
    )
    # Fixed and approved again, the package goes back: ready, then submitted.
    with db.begin() as session:
        lor.mark_ready(session, chat.agency_id, "staff:1", NOW)
        assert lor.case_of(session, chat.agency_id, NOW).status == "package_ready"


def test_the_my_agency_card_shows_the_lor_status(app, db, fake_line):
    chat = ReportChat(app, fake_line)
    line = t("lor.card.status_line", "th", status=t("lor.status.preparing", "th"))
    assert line in json.dumps(my_agency_card(chat), ensure_ascii=False)
    issue(db, runtime(app).media, chat.agency_id)
    line = t("lor.card.status_line", "th", status=t("lor.status.issued", "th"))
    assert line in json.dumps(my_agency_card(chat), ensure_ascii=False)


def my_agency_card(chat: ReportChat) -> dict:
    chat.tap_data("a=start&f=myagency")  # the rich menu's "my agency"
    return chat.flex


def test_cases_are_kept_per_agency(app, db):
    _, first = approved(db)
    _, second = approved(db, name="โรงเรียนบ้านหนองบัว", province="40", agency_type="education", district=None)
    with db.begin() as session:
        lor.mark_ready(session, first, "staff:1", NOW)
    with db() as session:
        rows = {item.agency.id: item.status for item in lor.agencies_with_lor(session, NOW)}
        assert session.scalar(select(func.count()).select_from(LorCase)) == 1
    assert rows == {first: "package_ready", second: "preparing"}


def test_the_program_report_counts_the_lors_issued(app, db, fake_line):
    from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
    from handlers.services.program_report import current_program_report as build

    with db.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
    chat = ReportChat(app, fake_line)
    with db.begin() as session:
        assert build(session, NOW).lors_issued == 0
    issue(db, runtime(app).media, chat.agency_id)
    with db.begin() as session:
        assert build(session, NOW).lors_issued == 1


def test_who_made_a_change_is_named_in_words_the_command_line_too(app, db):
    from handlers.services.authz import add_staff

    with db.begin() as session:
        member = add_staff(session, "U" + "7" * 32, "สมศรี ทดสอบ", NOW)
        labels = (f"staff:{member.id}", "cli", "staff:999")
        changes = [LorChange(actor=label) for label in labels]
        thai = lor.actor_names(session, changes, "th")
        english = lor.actor_names(session, changes, "en")
    assert thai[f"staff:{member.id}"] == "สมศรี ทดสอบ"
    assert thai["cli"] == t("staffweb.page.actor_cli", "th") and "cli" not in thai["cli"]
    assert english["cli"] == "the command line (CLI)"
    assert "staff:999" not in thai  # a removed member keeps the label

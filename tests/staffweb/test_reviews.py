"""The review queue on the staff web, through real HTTP on the test client: the queue with its
counts and filters, a report's page (answers, photos through signed URLs, the calculation), the
decisions (the coordinator hears each in LINE), claims between two staff, bulk approval, CSRF,
and a needs-fix that goes to the coordinator in LINE and comes back corrected."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

import calc
from bot.runtime import runtime
from handlers.catalog import label, t
from storage.models import Agency, AuditEntry, Photo
from storage.models.reports import Report, ReportReviewClaim
from tests.handlers.domain_helpers import pushed_texts
from tests.handlers.report_chat import ReportChat
from tests.helpers import Chat
from tests.scenarios.test_report_fix_photos import composting_report, open_fix
from tests.staffweb.helpers import CSRF, STAFF_USER, Browser, add_staff_member, signed_in

OTHER_STAFF = "U" + "6" * 32


def th(key: str, **params) -> str:
    return t(key, "th", **params)


def signed_in_browser(app, fake_line, user: str, name: str) -> Browser:
    add_staff_member(app, user, name)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, user))
    return browser


@pytest.fixture
def browser(app, fake_line):
    return signed_in_browser(app, fake_line, STAFF_USER, "สมศรี ทดสอบ")


def page_of(response) -> str:
    return response.get_data(as_text=True)


def token(page: str) -> str:
    return CSRF.search(page).group(1)


def report_row(app, ref: str) -> Report:
    year, sequence = ref.removeprefix("R-").split("-")
    with runtime(app).session_factory() as session:
        return session.scalars(
            select(Report).where(Report.year_be == int(year), Report.sequence == int(sequence))
        ).one()


def set_flags(app, ref: str, flags: list[str], warnings: list | None = None) -> None:
    """The report's flags, and its calculation warnings (composting always carries a proxy-factor
    warning; none when `warnings` is None, for a report staff may approve in bulk)."""
    values = {"flags": json.dumps(flags), "warnings": json.dumps(warnings or [])}
    with runtime(app).session_factory.begin() as session:
        session.execute(update(Report).where(Report.id == report_row(app, ref).id).values(**values))


def decide(browser: Browser, ref: str, action: str, data: dict | None = None):
    page = page_of(browser.get(f"/staff/reviews/{ref}"))
    return browser.post(f"/staff/reviews/{ref}/{action}", {"csrf_token": token(page), **(data or {})})


def test_the_queue_lists_reports_oldest_first_with_counts_filters_and_warnings(app, fake_line, browser):
    first, second = ReportChat(app, fake_line), ReportChat(app, fake_line)
    older = composting_report(first, [51])
    newer = composting_report(second, [52])
    set_flags(app, older, [])
    set_flags(app, newer, ["outside_campaign_period"])
    page = page_of(browser.get("/staff/reviews"))
    assert page.index(older) < page.index(newer)
    assert th("staffweb_review.concern.outside_campaign_period") in page
    counts = re.search(r'<dl class="counts" id="counts">(.*?)</dl>', page, re.S).group(1)
    assert re.findall(r"<dd>(\d+)</dd>", counts) == ["2", "1", "1", "0", "2"]
    # Only the report without warnings can be ticked for bulk approval.
    assert (
        f'name="report" value="{report_row(app, older).id}"' in page
        and f'name="report" value="{report_row(app, newer).id}"' not in page
    )

    without = page_of(browser.get("/staff/reviews?warning=without"))
    assert older in without and newer not in without
    flagged = page_of(browser.get("/staff/reviews?warning=with"))
    assert newer in flagged and older not in flagged
    by_agency = page_of(browser.get(f"/staff/reviews?agency={second.agency_id}"))
    assert newer in by_agency and older not in by_agency
    assert older not in page_of(browser.get("/staff/reviews?activity=tree_planting"))
    assert older in page_of(browser.get("/staff/reviews?activity=composting"))
    with runtime(app).session_factory() as session:
        province = session.get(Agency, first.agency_id).province_code
    assert older in page_of(browser.get(f"/staff/reviews?province={province}"))
    assert older not in page_of(browser.get("/staff/reviews?province=XX"))
    english = page_of(browser.get("/staff/reviews?lang=en"))
    assert (
        t("staffweb_review.title", "en") in english
        and label(calc.activity_type("composting"), "en") in english
    )


def test_a_reports_page_shows_answers_photos_and_the_calculation(app, fake_line, browser):
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [61, 62])
    page = page_of(browser.get(f"/staff/reviews/{ref}"))
    kind = calc.activity_type("composting")
    assert label(kind, "th") in page and label(kind.fields[0], "th") in page and "500 kg" in page
    assert th("staffweb_review.report.photo", number=2) in page
    result = json.loads(report_row(app, ref).result)
    factor = result["steps"][0]["factor"]
    assert f"{factor['dataset']}@{factor['version']}" in page and factor["source"]["title"] in page
    urls = re.findall(r'(?:src|href)="(/media/[^"]+)"', page)
    assert len(urls) == 4  # two photos: each its display copy and its thumbnail
    image = browser.client.get(urls[0].replace("&amp;", "&"))
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert 'src="/staff/static/reviews.js"' in page and th("staffweb_review.keys.approve") in page
    assert "<script>" not in page and "style=" not in page
    assert ref in page_of(browser.get(f"/staff/reviews/{report_row(app, ref).id}"))  # by id too
    forged = page_of(browser.get(f"/staff/reviews/{ref}?done=approved&ref=<b>call+0812345678</b>"))
    assert "0812345678" not in forged
    # A reference that is no report: 404.
    assert browser.get("/staff/reviews/R-2500-99999").status_code == 404


def test_approve_reject_and_needs_fix_reach_the_coordinator_and_go_to_the_next(app, fake_line, browser):
    chat = ReportChat(app, fake_line)
    refs = [composting_report(chat, [70 + i]) for i in range(3)]
    response = decide(browser, refs[0], "approve", {"despite": "yes"})  # composting: a proxy factor
    assert response.status_code == 302 and "/staff/reviews/next" in response.headers["Location"]
    landed = browser.get(response.headers["Location"])
    assert landed.status_code == 302 and landed.headers["Location"].split("?")[0].endswith(
        f"/staff/reviews/{refs[1]}"
    )
    assert th("staffweb_review.done.approved", ref=refs[0]) in page_of(
        browser.get(landed.headers["Location"])
    )
    assert pushed_texts(app, fake_line, chat.user)[-1] == th(
        "reporting.decision.approved", ref=refs[0], reason=""
    )

    response = decide(browser, refs[1], "reject", {"reason": "ไม่ใช่กิจกรรมของโครงการ"})
    assert response.status_code == 302
    told = pushed_texts(app, fake_line, chat.user)[-1]
    assert told == th("reporting.decision.rejected", ref=refs[1], reason="ไม่ใช่กิจกรรมของโครงการ")

    empty = decide(browser, refs[2], "reject", {"reason": "  "})
    assert empty.status_code == 409 and th("reporting.refused.reason_required") in page_of(empty)
    unknown = decide(browser, refs[2], "needs-fix", {"field": "nonsense", "photo": "1", "reason": "ขอรูปใหม่"})
    assert unknown.status_code == 409 and "ขอรูปใหม่</textarea>" in page_of(unknown)  # kept to try again
    assert re.search(r'name="photo" value="1" checked', page_of(unknown))
    response = decide(
        browser, refs[2], "needs-fix", {"field": "organic_waste", "photo": "1", "reason": "ขอรูปชัดกว่านี้"}
    )
    assert response.status_code == 302
    assert "ขอรูปชัดกว่านี้" in pushed_texts(app, fake_line, chat.user)[-1]
    assert [report_row(app, ref).status for ref in refs] == ["approved", "rejected", "needs_fix"]
    assert json.loads(report_row(app, refs[2]).fix_fields) == ["organic_waste", "photos"]
    # The queue is empty now: "next" goes back to the queue.
    assert (
        browser.get(f"/staff/reviews/next?after={report_row(app, refs[2]).id}")
        .headers["Location"]
        .endswith("/staff/reviews")
    )
    with runtime(app).session_factory() as session:
        actions = [
            e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.actor.like("staff:%")))
        ]
    assert actions.count("report_approved") == 1 and actions.count("report_rejected") == 1
    assert actions.count("report_needs_fix") == 1  # audited once, by the service


def test_approving_a_report_with_warnings_needs_the_tick(app, fake_line, browser):
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [81])
    set_flags(app, ref, ["duplicate_photo"])
    refused = decide(browser, ref, "approve")
    assert refused.status_code == 409 and th("staffweb_review.refused.concerns") in page_of(refused)
    assert report_row(app, ref).status == "submitted"
    assert decide(browser, ref, "approve", {"despite": "yes"}).status_code == 302
    assert report_row(app, ref).status == "approved"


def test_forms_without_their_csrf_token_change_nothing(app, fake_line, browser):
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [91])
    browser.get(f"/staff/reviews/{ref}")
    for action, data in (
        ("approve", {}),
        ("reject", {"reason": "x"}),
        ("needs-fix", {"field": "period", "reason": "x"}),
    ):
        for forged in ({}, {"csrf_token": "forged"}):
            response = browser.post(f"/staff/reviews/{ref}/{action}", {**data, **forged})
            assert response.status_code == 403, (action, forged)
    bulk = browser.post("/staff/reviews/approve-many", {"report": str(report_row(app, ref).id)})
    assert bulk.status_code == 403
    assert report_row(app, ref).status == "submitted"


def test_two_staff_never_decide_on_the_same_report_at_once(app, fake_line, browser):
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [95])
    browser.get(f"/staff/reviews/{ref}")  # สมศรี opens it first
    other = signed_in_browser(app, fake_line, OTHER_STAFF, "วิชัย ตรวจดี")
    page = page_of(other.get(f"/staff/reviews/{ref}"))
    assert th("staffweb_review.has_open", name="สมศรี ทดสอบ") in page
    assert re.search(r'id="approve" disabled', page) and re.search(r'id="reject" disabled', page)
    assert th("staffweb_review.has_open", name="สมศรี ทดสอบ") in page_of(other.get("/staff/reviews"))
    refused = other.post(f"/staff/reviews/{ref}/approve", {"csrf_token": token(page)})
    assert refused.status_code == 409 and report_row(app, ref).status == "submitted"
    early = other.post(f"/staff/reviews/{ref}/take-over", {"csrf_token": token(page)})
    assert early.status_code == 409
    assert th("staffweb_review.refused.still_held", name="สมศรี ทดสอบ", until="")[:20] in page_of(early)

    with runtime(app).session_factory.begin() as session:  # สมศรี leaves it for longer than the claim
        session.execute(update(ReportReviewClaim).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    taken = other.post(f"/staff/reviews/{ref}/take-over", {"csrf_token": token(page)})
    assert taken.status_code == 302
    mine = page_of(other.get(taken.headers["Location"]))
    assert th("staffweb_review.done.taken") in mine and 'id="approve" disabled' not in mine
    assert th("staffweb_review.has_open", name="วิชัย ตรวจดี") in page_of(browser.get(f"/staff/reviews/{ref}"))
    with runtime(app).session_factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report_review_take_over")
        ).one()
    assert json.loads(entry.detail)["from"].startswith("staff:")
    approved = other.post(f"/staff/reviews/{ref}/approve", {"csrf_token": token(page), "despite": "yes"})
    assert approved.status_code == 302
    assert report_row(app, ref).status == "approved"


def test_bulk_approval_approves_only_reports_without_warnings(app, fake_line, browser):
    chat = ReportChat(app, fake_line)
    plain = [composting_report(chat, [101]), composting_report(chat, [102])]
    flagged = composting_report(chat, [103])
    for ref in plain:
        set_flags(app, ref, [])
    set_flags(app, flagged, ["outside_campaign_period"])
    page = page_of(browser.get("/staff/reviews"))
    ids = [str(report_row(app, ref).id) for ref in (*plain, flagged)]
    response = browser.post("/staff/reviews/approve-many", {"csrf_token": token(page), "report": ids})
    assert response.status_code == 302
    assert th("staffweb_review.done_many", count=2, skipped=1) in page_of(
        browser.get(response.headers["Location"])
    )
    assert [report_row(app, ref).status for ref in (*plain, flagged)] == ["approved", "approved", "submitted"]
    texts = pushed_texts(app, fake_line, chat.user)
    assert all(th("reporting.decision.approved", ref=ref, reason="") in texts for ref in plain)


def test_a_needs_fix_from_the_web_comes_back_corrected_from_line(app, fake_line, browser):
    """Acceptance: staff ask on the web for photo 2 and the amount again; the coordinator hears it in
    LINE, answers in the chat, and the report is back in the queue marked corrected, saying what
    changed."""
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [111, 112])
    response = decide(
        browser, ref, "needs-fix", {"field": "organic_waste", "photo": "2", "reason": "รูปที่ 2 ไม่ชัด"}
    )
    assert response.status_code == 302
    told = pushed_texts(app, fake_line, chat.user)[-1]
    fields = f"{label(calc.activity_type('composting').field('organic_waste'), 'th')}, รูปหลักฐาน (รูปที่ 2)"
    assert told == th("reporting.decision.needs_fix", ref=ref, fields=fields, reason="รูปที่ 2 ไม่ชัด")
    assert ref not in page_of(browser.get("/staff/reviews"))

    open_fix(chat, ref)
    chat.say("650 กก.")
    chat.send_photo()
    chat.tap(th("reporting.done"))
    chat.tap(th("reporting.confirm"))
    assert report_row(app, ref).status == "submitted"

    queue = page_of(browser.get("/staff/reviews?warning=corrected"))
    assert ref in queue and th("staffweb_review.corrected") in queue
    waste = label(calc.activity_type("composting").field("organic_waste"), "th")
    amount = th("staffweb_review.changed", field=waste, before="500 kg", after="650 kg")
    assert amount in queue
    assert th("staffweb_review.changed_photos", replaced="2", added=1, count=2) in queue
    page = page_of(browser.get(f"/staff/reviews/{ref}"))
    assert amount in page and th("staffweb_review.step.resubmit") in page and "650 kg" in page


def test_photo_checks_and_a_reused_photo_link_to_the_other_report(app, fake_line, browser):
    chat = ReportChat(app, fake_line)
    earlier = composting_report(chat, [121])
    later = composting_report(chat, [122, 123])
    earlier_id, later_id = report_row(app, earlier).id, report_row(app, later).id
    with runtime(app).session_factory.begin() as session:
        first = session.scalars(select(Photo).where(Photo.report_id == earlier_id)).one()
        one, two = session.scalars(select(Photo).where(Photo.report_id == later_id).order_by(Photo.id)).all()
        # Photo 1: taken a year before the period, in Chiang Mai (the agency is elsewhere).
        one.captured_at, one.gps_lat, one.gps_lon = datetime(2023, 6, 1, 3, 0, tzinfo=UTC), 18.7883, 98.9853
        two.flagged_duplicate_of = first.id
    page = page_of(browser.get(f"/staff/reviews/{later}"))
    assert th("staffweb_review.photo_flag.photo_taken_outside_period") in page
    assert th("staffweb_review.photo_flag.photo_far_from_province") in page
    assert th("staffweb_review.concern.photo_far_from_province", photo=1) in page
    assert "18.78830, 98.98530" in page and "2566" in page  # GPS, and the capture date in Buddhist era
    assert f'href="/staff/reviews/{earlier}">{earlier}</a>' in page
    assert th("staffweb_review.report.no_gps") in page and th("staffweb_review.report.no_time") not in page


def test_a_long_queue_is_shown_a_hundred_oldest_first_per_page(app, fake_line, browser):
    from datetime import timedelta

    from sqlalchemy import insert

    from bot.web.staff.reviews import PAGE_ROWS

    original = report_row(app, composting_report(ReportChat(app, fake_line), [61]))
    columns = [
        c.key for c in Report.__table__.columns if c.key not in ("id", "submit_key", "sequence", "created_at")
    ]
    copies = [
        {
            **{name: getattr(original, name) for name in columns},
            "submit_key": f"copy:{n}",
            "sequence": 50_000 + n,
            "created_at": original.created_at + timedelta(minutes=n + 1),
        }
        for n in range(PAGE_ROWS + 5)
    ]
    with runtime(app).session_factory.begin() as session:
        session.execute(insert(Report), copies)
    year = original.year_be
    first = page_of(browser.get("/staff/reviews"))
    assert first.count('class="ref"') == PAGE_ROWS
    assert f"R-{year}-{original.sequence:05d}" in first and f"R-{year}-{50_000 + PAGE_ROWS - 2:05d}" in first
    assert th("staffweb_review.pages", page=1, pages=2) in first and 'id="next-page"' in first
    counts = re.search(r'<dl class="counts" id="counts">(.*?)</dl>', first, re.S).group(1)
    assert re.findall(r"<dd>(\d+)</dd>", counts)[0] == str(PAGE_ROWS + 6)  # counts are of the whole queue
    second = page_of(browser.get("/staff/reviews?page=2&activity=composting"))
    assert second.count('class="ref"') == 6 and f"R-{year}-{50_000 + PAGE_ROWS + 4:05d}" in second
    assert "activity=composting" in re.search(r'<a href="([^"]+)" rel="prev"', second).group(1)
    assert page_of(browser.get("/staff/reviews?page=99")).count('class="ref"') == 6  # the last page

"""LOR tracking: each approved agency's Letter of Recognition (ใบประกาศเกียรติคุณ, TGO under LESS)
in the active campaign, moved along by staff and told to the agency's coordinators in LINE.

preparing → package_ready → submitted (date) → issued (number, date, certificate), or → returned
(reason; the reports TGO questioned go back to their reporters with the needs-fix service), after
which the package is made ready and submitted again. Every change is kept (`lor_changes`), audited,
and pushed through the outbox with dedupe keys, so a retried change never notifies twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import calc
from handlers.catalog import t
from handlers.services import notices
from handlers.services.audit import audit
from handlers.services.campaigns import active_campaign
from handlers.services.public_snapshot import mark_stale
from handlers.services.refusals import Refused, staff_reason
from handlers.services.report_reference import reference
from handlers.services.reports import find_by_reference, needs_fix
from handlers.services.thaitime import BANGKOK, thai_date
from storage.media import MediaStore
from storage.models import Agency, Campaign, LorCase, LorChange, Report, StaffMember
from storage.repositories import OutboxRepository

# Which statuses each change may start from.
ALLOWED_FROM = {
    "package_ready": ("preparing", "returned"),
    "submitted": ("package_ready",),
    "issued": ("submitted",),
    "returned": ("submitted",),
}
CERTIFICATE_MAX_BYTES = 10 * 1024 * 1024
CERTIFICATE_URL_SECONDS = 7 * 24 * 3600  # the link in LINE: a week, like share images
CERTIFICATE_PREFIX = "lor/"
# What a certificate may be, told by its first bytes (never by its name): suffix, content type.
SIGNATURES = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
)
LOR_NUMBER_MAX = 64
ACCENT = "#1B7F3B"


class LorRefused(Refused):
    """A change the case's status does not allow, or a value that cannot be kept."""

    @property
    def catalog_key(self) -> str:
        return f"lor.refused.{self.code}"


@dataclass(frozen=True)
class AgencyLor:
    agency: Agency
    case: LorCase | None  # None: nothing done yet (it reads as "preparing")

    @property
    def status(self) -> str:
        return self.case.status if self.case else "preparing"


def day_text(day: date, language: str) -> str:
    return thai_date(datetime.combine(day, time(12), BANGKOK), language)


def certificate_type(data: bytes) -> tuple[str, str]:
    """(suffix, content type) of an uploaded certificate, from its content; refused otherwise."""
    if not data:
        raise LorRefused("certificate_missing")
    if len(data) > CERTIFICATE_MAX_BYTES:
        raise LorRefused("certificate_too_big", megabytes=CERTIFICATE_MAX_BYTES // (1024 * 1024))
    for magic, suffix, content_type in SIGNATURES:
        if data.startswith(magic):
            return suffix, content_type
    raise LorRefused("certificate_type")


def _cases(session: Session, now: datetime, agency_ids: Sequence[int] | None = None) -> dict[int, LorCase]:
    """Each agency's case in the active campaign (the campaign-less one when none is active), in
    one query: the first case per agency."""
    campaign = active_campaign(session, now)
    query = select(LorCase).where(
        LorCase.campaign_id == campaign.id if campaign is not None else LorCase.campaign_id.is_(None)
    )
    if agency_ids is not None:
        query = query.where(LorCase.agency_id.in_(agency_ids))
    cases: dict[int, LorCase] = {}
    for case in session.scalars(query.order_by(LorCase.id)):
        cases.setdefault(case.agency_id, case)
    return cases


def case_of(session: Session, agency_id: int, now: datetime) -> LorCase | None:
    """The agency's case in the active campaign (the campaign-less one when none is active)."""
    return _cases(session, now, [agency_id]).get(agency_id)


def agencies_with_lor(session: Session, now: datetime) -> list[AgencyLor]:
    """Every approved agency with its case, by name."""
    agencies = session.scalars(select(Agency).where(Agency.status == "approved").order_by(Agency.name))
    cases = _cases(session, now)
    return [AgencyLor(agency, cases.get(agency.id)) for agency in agencies]


def issued_count(session: Session, campaign: Campaign) -> int:
    """How many of the campaign's agencies hold an issued LOR (the program report's figure)."""
    found = select(func.count()).select_from(LorCase)
    return session.scalar(found.where(LorCase.campaign_id == campaign.id, LorCase.status == "issued")) or 0


def history(session: Session, case: LorCase | None) -> list[LorChange]:
    if case is None:
        return []
    return list(session.scalars(select(LorChange).where(LorChange.case_id == case.id).order_by(LorChange.id)))


def actor_names(session: Session, changes: Sequence[LorChange], language: str = "th") -> dict[str, str]:
    """Words for the changes' actor labels: a staff member's name ("staff:3" → the name), and the
    command line ("cli") in the reader's language; others (a removed member) keep their label."""
    names = {"cli": t("staffweb.page.actor_cli", language)}
    ids = {
        int(c.actor.split(":")[1]) for c in changes if c.actor.startswith("staff:") and c.actor[6:].isdigit()
    }
    if ids:
        members = session.scalars(select(StaffMember).where(StaffMember.id.in_(ids)))
        names.update({f"staff:{member.id}": member.name for member in members if member.name})
    return names


def approved_agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None or agency.status != "approved":
        raise LorRefused("not_approved")
    return agency


def _open(session: Session, agency: Agency, actor: str, now: datetime) -> LorCase:
    case = case_of(session, agency.id, now)
    if case is None:
        campaign = active_campaign(session, now)
        case = LorCase(
            agency_id=agency.id,
            campaign_id=campaign.id if campaign else None,
            status="preparing",
            changes=0,
            updated_at=now,
            updated_by=actor[:64],
        )
        session.add(case)
        session.flush()
    return case


def _move(session: Session, agency_id: int, status: str, actor: str, now: datetime) -> tuple[Agency, LorCase]:
    agency = approved_agency(session, agency_id)
    case = _open(session, agency, actor, now)
    if case.status not in ALLOWED_FROM[status]:
        raise LorRefused("not_now", status=case.status)
    return agency, case


def _record(
    session: Session, agency: Agency, case: LorCase, status: str, actor: str, now: datetime, detail: dict
) -> None:
    case.status, case.updated_at, case.updated_by = status, now, actor[:64]
    case.changes += 1
    text = json.dumps(detail, ensure_ascii=False) if detail else None
    session.add(LorChange(case_id=case.id, status=status, at=now, actor=actor[:64], detail=text))
    audit(session, actor, f"lor_{status}", f"agency:{agency.id}", now, detail={"case": case.id, **detail})
    mark_stale(session)  # the public page shows named agencies' LOR status


def _tell(session: Session, agency: Agency, case: LorCase, now: datetime, media: MediaStore | None) -> int:
    """Push the case's new status to each coordinator in their language; the dedupe key names the
    case and its change number, so the same change is never sent twice."""
    sent = 0
    for uid in notices.coordinators_of(session, agency.id):
        language = notices.language_of(session, uid)
        messages = notice_messages(agency, case, language, media)
        sent += OutboxRepository(session).enqueue_push(
            to=uid, messages=messages, dedupe_key=f"lor:{case.id}:{case.changes}:{uid}", now=now
        )
    return sent


def notice_messages(agency: Agency, case: LorCase, language: str, media: MediaStore | None) -> list[dict]:
    """What a coordinator receives for the case's current status: a sentence, and for an issued
    LOR a congratulation card and the certificate's signed link."""
    if case.status == "issued":
        link = certificate_link(media, case)
        return [
            congratulation_card(agency, case, language, link),
            {"type": "text", "text": _sentence(agency, case, language, link)},
        ]
    return [{"type": "text", "text": _sentence(agency, case, language, None)}]


def _sentence(agency: Agency, case: LorCase, language: str, link: str | None) -> str:
    params: dict[str, object] = {"agency": agency.name}
    if case.submitted_on:
        params["date"] = day_text(case.submitted_on, language)
    if case.status == "issued":
        params.update(number=case.lor_number, date=day_text(case.issued_on, language), link=link or "")
        if not (link or "").startswith(("https://", "http://")):  # no PUBLIC_BASE_URL: no link to give
            return t("lor.notice.issued_no_link", language, **params)
    if case.status == "returned":
        refs = json.loads(case.returned_reports or "[]")
        params.update(reason=case.returned_reason or "", reports=", ".join(refs) or "-")
    return t(f"lor.notice.{case.status}", language, **params)


def congratulation_card(agency: Agency, case: LorCase, language: str, link: str | None) -> dict:
    """A Flex message congratulating the agency, with a button to the certificate when the link
    is one LINE can open (https)."""
    body = {
        "type": "box",
        "layout": "vertical",
        "spacing": "sm",
        "contents": [
            {"type": "text", "text": t("lor.card.kicker", language), "size": "xs", "color": ACCENT},
            {
                "type": "text",
                "text": t("lor.card.title", language),
                "weight": "bold",
                "size": "lg",
                "wrap": True,
            },
            {"type": "text", "text": agency.name, "size": "sm", "wrap": True},
            {
                "type": "text",
                "text": t(
                    "lor.card.number",
                    language,
                    number=case.lor_number,
                    date=day_text(case.issued_on, language),
                ),
                "size": "sm",
                "wrap": True,
                "margin": "md",
            },
        ],
    }
    bubble: dict = {"type": "bubble", "size": "mega", "body": body}
    if link and link.startswith("https://"):
        action = {"type": "uri", "label": t("lor.card.open", language)[:40], "uri": link}
        bubble["footer"] = {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "button", "style": "primary", "color": ACCENT, "action": action}],
        }
    alt = t("lor.card.alt", language, agency=agency.name)[:400]
    return {"type": "flex", "altText": alt, "contents": bubble}


def certificate_link(
    media: MediaStore | None, case: LorCase, seconds: int = CERTIFICATE_URL_SECONDS
) -> str | None:
    if media is None or not case.certificate_key:
        return None
    return media.signed_url(case.certificate_key, seconds)


# --- the changes --------------------------------------------------------------------------------
def mark_ready(
    session: Session, agency_id: int, actor: str, now: datetime, media: MediaStore | None = None
) -> LorCase:
    agency, case = _move(session, agency_id, "package_ready", actor, now)
    _record(session, agency, case, "package_ready", actor, now, {})
    _tell(session, agency, case, now, media)
    return case


def mark_submitted(
    session: Session,
    agency_id: int,
    submitted_on: date,
    actor: str,
    now: datetime,
    media: MediaStore | None = None,
) -> LorCase:
    agency, case = _move(session, agency_id, "submitted", actor, now)
    case.submitted_on = submitted_on
    _record(session, agency, case, "submitted", actor, now, {"submitted_on": submitted_on.isoformat()})
    _tell(session, agency, case, now, media)
    return case


def mark_issued(
    session: Session, media: MediaStore, agency_id: int, lor_number: str, issued_on: date,
    certificate: bytes, actor: str, now: datetime,
) -> LorCase:  # fmt: skip
    """Keep the LOR's number, date and certificate (stored before the row names it)."""
    agency, case = _move(session, agency_id, "issued", actor, now)
    number = " ".join(lor_number.split())
    if not number or len(number) > LOR_NUMBER_MAX:
        raise LorRefused("bad_number", most=LOR_NUMBER_MAX)
    if case.submitted_on and issued_on < case.submitted_on:
        raise LorRefused("issued_before_submitted")
    suffix, content_type = certificate_type(certificate)
    key = f"{CERTIFICATE_PREFIX}case-{case.id}-{case.changes + 1}.{suffix}"
    media.put(key, certificate, content_type)
    case.lor_number, case.issued_on, case.certificate_key = number, issued_on, key
    _record(
        session,
        agency,
        case,
        "issued",
        actor,
        now,
        {"lor_number": number, "issued_on": issued_on.isoformat()},
    )
    _tell(session, agency, case, now, media)
    return case


def returnable_reports(session: Session, agency_id: int) -> list[Report]:
    """The agency's approved reports: those TGO may question."""
    return list(
        session.scalars(
            select(Report)
            .where(Report.agency_id == agency_id, Report.status == "approved")
            .order_by(Report.year_be, Report.sequence)
        )
    )


def mark_returned(
    session: Session, agency_id: int, reason: str, refs: Sequence[str], actor: str, now: datetime,
    media: MediaStore | None = None,
) -> LorCase:  # fmt: skip
    """TGO sent the package back: keep why, and send each questioned report back to its reporter
    (reopened, then needs-fix on its amounts, so the chat asks for them as for any fix)."""
    agency, case = _move(session, agency_id, "returned", actor, now)
    reason = staff_reason(reason, LorRefused)
    if not refs:
        raise LorRefused("no_reports")
    reports = [find_by_reference(session, ref) for ref in refs]
    if any(report.agency_id != agency.id or report.status != "approved" for report in reports):
        raise LorRefused("bad_report")
    names = [reference(report) for report in reports]
    for report in reports:
        report.status = "submitted"  # reopened: needs-fix decides on submitted reports only
        fields = [field.name for field in calc.activity_type(report.activity_key).fields]
        needs_fix(session, reference(report), fields, reason, actor, now)
    case.returned_reason, case.returned_reports = reason, json.dumps(names)
    _record(session, agency, case, "returned", actor, now, {"reports": names})
    _tell(session, agency, case, now, media)
    return case

"""Personal-data rights (PDPA): see what is held, download it, withdraw a consent, erase it all.

A person's personal data is their LINE user id, the name, position and phone they gave as a
coordinator (or in a join request, or as staff), their preferences, their conversation state and
drafts, the photos they sent, and the events and messages that carry any of those. Agencies and
their figures (reports included) are the agency's, not the person's: erasing a person leaves them
intact, without the person (docs/operating-a-round.md, personal data).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.orm import Session

from handlers.services import personal_records as records
from handlers.services.audit import audit
from handlers.services.notices import tell_staff
from handlers.services.public_snapshot import mark_stale
from handlers.services.scrub import Identity, identity_of, scrub_json, scrub_text
from storage.db import checkpoint_after_commit
from storage.media import MediaStore
from storage.models import (
    Conversation,
    ConversationDraft,
    InboxEvent,
    LineUser,
    OutboxMessage,
    Photo,
    RichMenuAssignment,
    SourceLease,
)
from storage.models.program import Agency, Coordinator, DataExport, JoinRequest, StaffMember
from storage.models.reports import Report
from storage.photo_repository import PhotoRepository
from storage.repositories import OutboxRepository
from storage.richmenu_assignments import DEFAULT_MENU

EXPORT_VALID_FOR = timedelta(hours=24)
_EXPORT_LINK = re.compile(r"(/my-data/)[A-Za-z0-9_-]{32,100}(\.(?:json|csv))")
# `session.info` key: this transaction made a download link, so the reply carrying it is stored
# to be blanked once sent (bot/line/outbox.py).
LINKS_TO_FORGET = "ruamjai_reply_has_download_links"
CONSENTS = ("public_name", "news")
ERASED = "erased"
LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")  # as LINE writes them
# `session.info` key: LINE user ids erased in this transaction, so the executor records its reply
# to them without their id (the reply row is written after the handler has run).
ERASED_IN_SESSION = "ruamjai_erased_line_user_ids"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _agency_name(agencies: dict[int, Agency], agency_id: int) -> str | None:
    agency = agencies.get(agency_id)
    return agency.name if agency else None


def _agency_status(agencies: dict[int, Agency], agency_id: int) -> str | None:
    agency = agencies.get(agency_id)
    return agency.status if agency else None


def personal_data(
    session: Session, line_user_id: str, media: MediaStore | None = None, link_seconds: int = 900
) -> dict[str, Any]:
    """Everything held about the person, as plain JSON-able values (what "my data" lists and the
    download contains): profile, memberships and join requests with their agencies, staff role,
    answers in progress, reports they sent, their photos (signed links valid `link_seconds`
    when `media` is given), the places they gave and the messages stored from and for them."""
    user = session.scalars(select(LineUser).where(LineUser.line_user_id == line_user_id)).first()
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    coordinators = session.scalars(
        select(Coordinator).where(Coordinator.line_user_id == line_user_id).order_by(Coordinator.id)
    )
    requests = session.scalars(
        select(JoinRequest).where(JoinRequest.line_user_id == line_user_id).order_by(JoinRequest.id)
    )
    staff = session.scalars(select(StaffMember).where(StaffMember.line_user_id == line_user_id)).first()
    conversation = session.scalars(
        select(Conversation).where(Conversation.line_user_id == line_user_id)
    ).first()
    drafts = session.scalars(select(ConversationDraft).where(ConversationDraft.line_user_id == line_user_id))
    conversation_answers = None
    if conversation is not None and conversation.flow is not None:
        conversation_answers = json.loads(conversation.answers or "{}")
    draft_answers = [(d.flow, json.loads(d.answers or "{}")) for d in drafts]
    reports = records.reports_of(session, line_user_id)
    messages_from = records.messages_from(session, line_user_id)
    in_progress = [(f"draft:{flow}", answers) for flow, answers in draft_answers]
    if conversation_answers is not None:
        in_progress.insert(0, (f"conversation:{conversation.flow}", conversation_answers))
    return {
        "line_user_id": line_user_id,
        "profile": None
        if user is None
        else {
            "language": user.language,
            "news_opt_in": user.news_opt_in,
            "province_code": user.province_code,
            "reminder_days": user.reminder_days,
            "followed_at": _iso(user.followed_at),
            "privacy_notice_version": user.privacy_notice_version,
            "privacy_notice_at": _iso(user.privacy_notice_at),
            "first_contact_at": _iso(user.created_at),
            "blocked": user.blocked,
            "blocked_at": _iso(user.blocked_at),
        },
        "coordinator_of": [
            {
                "agency_id": c.agency_id,
                "agency": _agency_name(agencies, c.agency_id),
                "agency_status": _agency_status(agencies, c.agency_id),
                "name": c.name,
                "position": c.position,
                "phone": c.phone_e164,
                "status": c.status,
                "joined_at": _iso(c.joined_at),
                "left_at": _iso(c.left_at),
            }
            for c in coordinators
        ],
        "join_requests": [
            {
                "agency_id": r.agency_id,
                "agency": _agency_name(agencies, r.agency_id),
                "name": r.name,
                "position": r.position,
                "phone": r.phone_e164,
                "status": r.status,
                "created_at": _iso(r.created_at),
            }
            for r in requests
        ],
        "staff": None if staff is None else {"name": staff.name, "since": _iso(staff.created_at)},
        "conversation": None
        if conversation_answers is None
        else {"flow": conversation.flow, "answers": conversation_answers},
        "drafts": [{"flow": flow, "answers": answers} for flow, answers in draft_answers],
        "reports": reports,
        "photos": records.photos_of(session, line_user_id, media, link_seconds),
        "places": records.places_of(reports, in_progress),
        "messages_from_you": messages_from,
        "messages_to_you": records.messages_to(session, line_user_id),
        "menu": session.scalar(
            select(RichMenuAssignment.menu).where(RichMenuAssignment.line_user_id == line_user_id)
        ),
        "download_links": [
            {"created_at": _iso(created), "expires_at": _iso(expires)}
            for created, expires in session.execute(
                select(DataExport.created_at, DataExport.expires_at)
                .where(DataExport.line_user_id == line_user_id)
                .order_by(DataExport.id)
            )
        ],
    }


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_data_export(session: Session, line_user_id: str, now: datetime) -> str:
    """A fresh download token (256 random bits, URL-safe) valid for 24 hours. Only its SHA-256 is
    stored, so a database leak gives no working links; the reply that carries the link is marked
    (LINKS_TO_FORGET) so the outbox blanks it once sent. Returns the token (shown once, in the link)."""
    token = secrets.token_urlsafe(32)
    session.info[LINKS_TO_FORGET] = True
    session.add(
        DataExport(
            token_hash=_token_hash(token),
            line_user_id=line_user_id,
            created_at=now,
            expires_at=now + EXPORT_VALID_FOR,
        )
    )
    session.flush()
    return token


def export_url(public_base_url: str, token: str, fmt: str = "json") -> str:
    """The link to put in the chat: `<base>/my-data/<token>.json` (or `.csv`)."""
    return f"{public_base_url.rstrip('/')}/my-data/{token}.{fmt}"


def forget_export_links(text: str) -> str:
    """`text` with the token of every download link replaced by "…" (what an outbox row keeps of
    the link once it has gone out: the link no longer works from the database)."""
    return _EXPORT_LINK.sub(r"\1…\2", text)


def data_for_token(
    session: Session, token: str, now: datetime, media: MediaStore | None = None, link_seconds: int = 900
) -> dict[str, Any] | None:
    """The personal data a download token gives (photos linked through `media`), or None when the
    token is unknown or expired."""
    export = session.scalars(select(DataExport).where(DataExport.token_hash == _token_hash(token))).first()
    if export is None or export.expires_at <= now:
        return None
    return personal_data(session, export.line_user_id, media, link_seconds)


def as_csv(data: dict[str, Any]) -> str:
    """The same data as one CSV table: section, item number, field, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    for section, value in data.items():
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items, start=1):
            if isinstance(item, dict):
                for field, field_value in item.items():
                    if isinstance(field_value, dict | list):
                        field_value = json.dumps(field_value, ensure_ascii=False)
                    writer.writerow([section, index, field, "" if field_value is None else field_value])
            else:
                writer.writerow([section, index, "", "" if item is None else item])
    return out.getvalue()


def withdraw_consent(session: Session, line_user_id: str, consent: str, now: datetime) -> None:
    """Withdraw one consent: "news" (no more news pushes) or "public_name" (the agencies the
    person coordinates are no longer named publicly). Withdrawing twice changes nothing."""
    if consent not in CONSENTS:
        raise ValueError(f"unknown consent {consent!r}")
    if consent == "news":
        session.execute(
            update(LineUser).where(LineUser.line_user_id == line_user_id).values(news_opt_in=False)
        )
        return
    agency_ids = select(Coordinator.agency_id).where(
        Coordinator.line_user_id == line_user_id, Coordinator.status == "active"
    )
    session.execute(
        update(Agency)
        .where(Agency.id.in_(agency_ids))
        .values(show_name_publicly=False)
        .execution_options(synchronize_session=False)
    )
    mark_stale(session)


def _identity(session: Session, line_user_id: str) -> Identity:
    """The person's identifiers: LINE user id, and the names, positions and phones they gave."""
    rows: list[tuple[str | None, str | None, str | None]] = []
    for model in (Coordinator, JoinRequest):
        query = select(model.name, model.position, model.phone_e164).where(model.line_user_id == line_user_id)
        rows.extend((name, position, phone) for name, position, phone in session.execute(query))
    staff_name = session.scalars(
        select(StaffMember.name).where(StaffMember.line_user_id == line_user_id)
    ).first()
    rows.append((staff_name, None, None))
    return identity_of(line_user_id, rows)


def _carrying(column, identifiers: set[str]):
    """SQL: the text column contains one of the identifiers, as typed or JSON-escaped."""
    patterns = set()
    for value in identifiers:
        patterns.add(value)
        patterns.add(json.dumps(value)[1:-1])  # "\u0e2a…" in JSON written with ensure_ascii
    return or_(*(column.contains(p, autoescape=True) for p in patterns))


class NoSuchPerson(LookupError):
    """Nobody on record has this LINE user id: nothing to erase."""


def check_line_user_id(line_user_id: str) -> str:
    """The id itself if it is a well-formed LINE user id ("U" and 32 lowercase hex digits); else
    ValueError, whose message never repeats what was given."""
    if not isinstance(line_user_id, str) or not LINE_USER_ID.fullmatch(line_user_id):
        raise ValueError("a LINE user id is U followed by 32 lowercase hexadecimal digits (0-9, a-f)")
    return line_user_id


def is_known(session: Session, line_user_id: str) -> bool:
    """Whether anything on record belongs to this LINE user id."""
    holders = (
        LineUser.line_user_id,
        Coordinator.line_user_id,
        JoinRequest.line_user_id,
        StaffMember.line_user_id,
        Conversation.line_user_id,
        ConversationDraft.line_user_id,
        DataExport.line_user_id,
        Photo.line_user_id,
        Report.reporter_line_user_id,
        InboxEvent.source_key,
    )
    return any(session.scalar(select(column).where(column == line_user_id).limit(1)) for column in holders)


def erase_person(
    session: Session, line_user_id: str, now: datetime, actor: str = "self", media: MediaStore | None = None
) -> str:
    """Erase the person's personal data everywhere; returns the erasure's reference (for the audit
    log and the person, it names nobody). ValueError for a malformed id, NoSuchPerson when nobody
    has it (nothing is written then, not even an audit entry).

    Blanks name, position, phone and LINE user id on their coordinator and join-request rows
    (the agency keeps its coordinator count history and all its figures), deletes their LINE user
    row, staff row, conversation state, drafts, download tokens and lease, empties the stored
    webhook events they sent and any other stored event that carries their id, name or phone,
    takes them off every outbox row's recipients (other recipients keep their messages) and
    scrubs them from messages to others still waiting (finished ones that quote them go). Photos
    no report holds are deleted, files from `media` first (without `media` they are left removed
    and stripped of capture time and GPS, for the clock's photo purge).
    Their reports stay with their agency, unsigned, with their identifiers scrubbed from the free
    text (docs/operating-a-round.md lists what a report keeps). A person with a menu of their own
    (coordinator, staff) gets LINE's default menu back. On SQLite the write-ahead log is emptied
    once the erasure is committed.
    """
    check_line_user_id(line_user_id)
    if not is_known(session, line_user_id):
        raise NoSuchPerson()
    identity = _identity(session, line_user_id)
    identifiers = identity.stored_forms()
    reference = f"erasure:{uuid.uuid4()}"
    own_menu = _may_have_own_menu(session, line_user_id)
    session.info.setdefault(ERASED_IN_SESSION, set()).add(line_user_id)
    orphaned = _agencies_left_without_coordinators(session, line_user_id)
    _scrub_reports(session, line_user_id, identity, now)
    blank = {"line_user_id": None, "name": None, "position": None, "phone_e164": None}
    session.execute(
        update(Coordinator)
        .where(Coordinator.line_user_id == line_user_id, Coordinator.status == "active")
        .values(left_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Coordinator)
        .where(Coordinator.line_user_id == line_user_id)
        .values(status=ERASED, **blank)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(JoinRequest)
        .where(JoinRequest.line_user_id == line_user_id)
        .values(status=ERASED, **blank)
        .execution_options(synchronize_session=False)
    )
    _erase_photos(session, line_user_id, now, media)
    for model in (StaffMember, DataExport, Conversation, ConversationDraft, RichMenuAssignment, LineUser):
        session.execute(
            delete(model)
            .where(model.line_user_id == line_user_id)
            .execution_options(synchronize_session=False)
        )
    session.execute(delete(SourceLease).where(SourceLease.source_key == line_user_id))
    session.execute(
        update(InboxEvent)
        .where(or_(InboxEvent.source_key == line_user_id, _carrying(InboxEvent.payload, identifiers)))
        # Events not yet processed are dropped too: their text is the person's, and it is gone.
        .values(
            source_key=ERASED,
            payload="{}",
            reply_token=None,
            status=case(
                (and_(InboxEvent.status == "pending", InboxEvent.source_key == line_user_id), "ignored"),
                else_=InboxEvent.status,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    outbox = OutboxRepository(session)
    outbox.drop_recipient(line_user_id)
    # A message to someone else that quotes the person (a staff notice of their registration)
    # still goes if it is waiting, without their identifiers; one already finished goes.
    for row in session.scalars(select(OutboxMessage).where(_carrying(OutboxMessage.payload, identifiers))):
        if row.status in ("pending", "sending"):
            row.payload = scrub_json(row.payload, identity)
        else:
            session.delete(row)
    session.flush()
    if own_menu:
        # Their LINE app goes back to the default (subscriber) menu: an unlink queued in this
        # transaction, after the recipients were dropped above (which drops any link still queued
        # for them). The row needs their LINE id until LINE has it; the sender then empties its
        # recipients (`forget_recipients`, bot/line/outbox.py). A row that dies keeps it for a staff
        # replay until the clock's retention purge deletes it (bot/cli/clock.py purge_old_rows).
        outbox.enqueue_richmenu_link(
            line_user_ids=[line_user_id],
            menu=DEFAULT_MENU,
            dedupe_key=f"richmenu:{reference}",
            now=now,
            forget_recipients=True,
        )
    session.expire_all()
    audit(session, actor, "erase_person", reference, now)
    for agency in orphaned:
        # Staff must find the agency a new coordinator; the notice names the agency, not the person.
        tell_staff(
            session,
            "agency.staff.orphaned",
            f"agency:{agency.id}:{reference}",
            now,
            agency=agency.name,
            agency_id=agency.id,
        )
    checkpoint_after_commit(session)
    return reference


def _scrub_reports(session: Session, line_user_id: str, identity: Identity, now: datetime) -> None:
    """The person's reports, and those of the agencies they coordinated, lose the person: the
    reporter's LINE id is blanked and their identifiers are scrubbed from the free text."""
    agencies = select(Coordinator.agency_id).where(Coordinator.line_user_id == line_user_id)
    reports = session.scalars(
        select(Report).where(
            or_(Report.reporter_line_user_id == line_user_id, Report.agency_id.in_(agencies))
        )
    )
    for report in reports:
        if report.reporter_line_user_id == line_user_id:
            report.reporter_line_user_id = None
        report.place_address = scrub_text(report.place_address, identity)
        report.review_reason = scrub_text(report.review_reason, identity)
        report.inputs = scrub_json(report.inputs, identity) or report.inputs
    session.flush()


def _erase_photos(session: Session, line_user_id: str, now: datetime, media: MediaStore | None) -> None:
    """Photos no report holds go (files first, then rows); a report's evidence photos stay with
    the report, no longer marked as the person's."""
    photos = PhotoRepository(session)
    retired = photos.retire_unattached(line_user_id, now, owner=ERASED)
    if media is not None:
        for stored in retired:
            for key in stored.keys:
                media.delete(key)
        photos.delete_rows([stored.photo_id for stored in retired])
    session.execute(
        update(Photo)
        .where(Photo.line_user_id == line_user_id)
        .values(line_user_id=ERASED)
        .execution_options(synchronize_session=False)
    )


def _may_have_own_menu(session: Session, line_user_id: str) -> bool:
    """Whether LINE may show the person a menu of their own: one is recorded for them, or a
    rich-menu change for them is not done yet (a queued unlink the erasure is about to drop)."""
    if session.scalar(select(RichMenuAssignment.id).where(RichMenuAssignment.line_user_id == line_user_id)):
        return True
    return any(
        row.kind == "richmenu" and row.status not in ("sent", "skipped")
        for row in OutboxRepository(session).rows_for_recipient(line_user_id)
    )


def _agencies_left_without_coordinators(session: Session, line_user_id: str) -> list[Agency]:
    """Approved agencies whose only active coordinator is this person."""
    mine = select(Coordinator.agency_id).where(
        Coordinator.line_user_id == line_user_id, Coordinator.status == "active"
    )
    others = select(Coordinator.agency_id).where(
        Coordinator.status == "active",
        Coordinator.line_user_id.is_not(None),
        Coordinator.line_user_id != line_user_id,
    )
    return list(
        session.scalars(
            select(Agency).where(Agency.id.in_(mine), Agency.id.not_in(others), Agency.status == "approved")
        )
    )

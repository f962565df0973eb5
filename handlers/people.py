"""Personal-data rights (PDPA): see what is held, download it, withdraw a consent, erase it all.

A person's personal data is their LINE user id, the name, position and phone they gave as a
coordinator (or in a join request, or as staff), their preferences, their conversation state and
drafts, and the events and messages that carry any of those. Agencies and their figures are the
agency's, not the person's: erasing a person leaves them intact.
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

from handlers.notices import tell_staff
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
from storage.program_models import Agency, AuditEntry, Coordinator, DataExport, JoinRequest, StaffMember
from storage.report_models import Report
from storage.repositories import OutboxRepository
from storage.richmenu_assignments import DEFAULT_MENU

EXPORT_VALID_FOR = timedelta(hours=24)
_EXPORT_LINK = re.compile(r"(/my-data/)[A-Za-z0-9_-]{32,100}(\.(?:json|csv))")
# `session.info` key: this transaction made a download link, so the reply carrying it is stored
# to be blanked once sent (bot/outbox.py).
LINKS_TO_FORGET = "ruamjai_reply_has_download_links"
CONSENTS = ("public_name", "news")
ERASED = "erased"
# `session.info` key: LINE user ids erased in this transaction, so the executor records its reply
# to them without their id (the reply row is written after the handler has run).
ERASED_IN_SESSION = "ruamjai_erased_line_user_ids"


def audit(
    session: Session, actor: str, action: str, subject: str, now: datetime, detail: dict | None = None
) -> None:
    """Append to the audit log. `actor` and `subject` are labels with ids ("cli", "staff:3",
    "agency:12"); never a name, phone or LINE user id — the log outlives erasures."""
    session.add(
        AuditEntry(
            at=now,
            actor=actor[:64],
            action=action[:64],
            subject=subject[:128],
            detail=json.dumps(detail, ensure_ascii=False) if detail else None,
        )
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def personal_data(session: Session, line_user_id: str) -> dict[str, Any]:
    """Everything held about the person, as plain JSON-able values (what "my data" lists and the
    download contains)."""
    user = session.scalars(select(LineUser).where(LineUser.line_user_id == line_user_id)).first()
    agencies = {a.id: a.name for a in session.scalars(select(Agency))}
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
    stored_messages = len(
        list(session.scalars(select(InboxEvent.id).where(InboxEvent.source_key == line_user_id)))
    )
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
        },
        "coordinator_of": [
            {
                "agency_id": c.agency_id,
                "agency": agencies.get(c.agency_id),
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
                "agency": agencies.get(r.agency_id),
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
        if conversation is None or conversation.flow is None
        else {"flow": conversation.flow, "answers": json.loads(conversation.answers or "{}")},
        "drafts": [{"flow": d.flow, "answers": json.loads(d.answers or "{}")} for d in drafts],
        "stored_messages": stored_messages,
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


def data_for_token(session: Session, token: str, now: datetime) -> dict[str, Any] | None:
    """The personal data a download token gives, or None when it is unknown or expired."""
    export = session.scalars(select(DataExport).where(DataExport.token_hash == _token_hash(token))).first()
    if export is None or export.expires_at <= now:
        return None
    return personal_data(session, export.line_user_id)


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


def _identifiers(session: Session, line_user_id: str) -> set[str]:
    """The strings that identify the person: LINE user id, names and phones they gave."""
    found = {line_user_id}
    for model in (Coordinator, JoinRequest):
        for name, phone in session.execute(
            select(model.name, model.phone_e164).where(model.line_user_id == line_user_id)
        ):
            found.update(v for v in (name, phone) if v)
            if phone and phone.startswith("+66"):
                found.add("0" + phone[3:])  # the national form people type
    staff_name = session.scalars(
        select(StaffMember.name).where(StaffMember.line_user_id == line_user_id)
    ).first()
    if staff_name:
        found.add(staff_name)
    return {value for value in found if len(value) >= 3}  # a 1-2 letter "name" would match anything


def _carrying(column, identifiers: set[str]):
    """SQL: the text column contains one of the identifiers, as typed or JSON-escaped."""
    patterns = set()
    for value in identifiers:
        patterns.add(value)
        patterns.add(json.dumps(value)[1:-1])  # "\u0e2a…" in JSON written with ensure_ascii
    return or_(*(column.contains(p, autoescape=True) for p in patterns))


def erase_person(session: Session, line_user_id: str, now: datetime, actor: str = "self") -> str:
    """Erase the person's personal data everywhere; returns the erasure's reference (for the audit
    log and the person, it names nobody).

    Blanks name, position, phone and LINE user id on their coordinator and join-request rows
    (the agency keeps its coordinator count history and all its figures), deletes their LINE user
    row, staff row, conversation state, drafts, download tokens and lease, empties the stored
    webhook events they sent and any other stored event or outbox message that carries their id,
    name or phone; their agency's reports and photos lose who sent them. A person with a menu of
    their own (coordinator, staff) gets LINE's default menu back. Safe to run twice.
    """
    identifiers = _identifiers(session, line_user_id)
    reference = f"erasure:{uuid.uuid4()}"
    own_menu = _may_have_own_menu(session, line_user_id)
    session.info.setdefault(ERASED_IN_SESSION, set()).add(line_user_id)
    orphaned = _agencies_left_without_coordinators(session, line_user_id)
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
    # The agency's reports and their evidence photos stay (they are the agency's figures); who
    # sent them does not.
    session.execute(
        update(Report)
        .where(Report.reporter_line_user_id == line_user_id)
        .values(reporter_line_user_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Photo)
        .where(Photo.line_user_id == line_user_id)
        .values(line_user_id=ERASED)
        .execution_options(synchronize_session=False)
    )
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
    session.execute(
        delete(OutboxMessage)
        .where(
            or_(
                _carrying(OutboxMessage.recipients, {line_user_id}),
                _carrying(OutboxMessage.payload, identifiers),
            )
        )
        .execution_options(synchronize_session=False)
    )
    if own_menu:
        # Their LINE app goes back to the default (subscriber) menu: an unlink queued in this
        # transaction, after the delete above (which drops any link still queued for them). The
        # row needs their LINE id until LINE has it; the sender then empties its recipients
        # (`forget_recipients`, bot/outbox.py). A row that dies keeps it for a staff replay until
        # the clock's retention purge deletes it (bot/clock.py purge_old_rows).
        OutboxRepository(session).enqueue_richmenu_link(
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
    return reference


def _may_have_own_menu(session: Session, line_user_id: str) -> bool:
    """Whether LINE may show the person a menu of their own: one is recorded for them, or a
    rich-menu change for them is not done yet (a queued unlink the erasure is about to drop)."""
    if session.scalar(select(RichMenuAssignment.id).where(RichMenuAssignment.line_user_id == line_user_id)):
        return True
    unfinished = select(OutboxMessage.id).where(
        OutboxMessage.kind == "richmenu",
        OutboxMessage.status.not_in(("sent", "skipped")),
        _carrying(OutboxMessage.recipients, {line_user_id}),
    )
    return session.scalar(unfinished.limit(1)) is not None


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

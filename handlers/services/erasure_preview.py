"""What erasing a person would touch, counted, for staff to confirm before they erase
(handlers/services/people.py erase_person does the erasure)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.services.people import NoSuchPerson, check_line_user_id, is_known
from storage.models import Conversation, ConversationDraft, InboxEvent, LineUser, Photo
from storage.models.program import Coordinator, DataExport, JoinRequest, StaffMember
from storage.models.reports import Report


@dataclass(frozen=True)
class ErasurePreview:
    """Counts of the person's records by kind, in the order staff read them."""

    counts: dict[str, int]


def _count(session: Session, column, line_user_id: str) -> int:
    return session.scalar(select(func.count()).where(column == line_user_id)) or 0


def erasure_preview(session: Session, line_user_id: str) -> ErasurePreview:
    """What is on record for `line_user_id`. ValueError for a malformed id (check_line_user_id),
    NoSuchPerson when nobody has it — the same refusals as the erasure itself."""
    check_line_user_id(line_user_id)
    if not is_known(session, line_user_id):
        raise NoSuchPerson()
    return ErasurePreview(
        {
            "profile": _count(session, LineUser.line_user_id, line_user_id),
            "staff": _count(session, StaffMember.line_user_id, line_user_id),
            "memberships": _count(session, Coordinator.line_user_id, line_user_id),
            "join_requests": _count(session, JoinRequest.line_user_id, line_user_id),
            "answers": _count(session, Conversation.line_user_id, line_user_id)
            + _count(session, ConversationDraft.line_user_id, line_user_id),
            "photos": _count(session, Photo.line_user_id, line_user_id),
            "reports": _count(session, Report.reporter_line_user_id, line_user_id),
            "download_links": _count(session, DataExport.line_user_id, line_user_id),
            "messages": _count(session, InboxEvent.source_key, line_user_id),
        }
    )

"""SQLAlchemy 2 typed models, one module per kind of table; importing the package puts every
table in `Base.metadata`, which the migrations and tests compare against."""

from storage.models.base import Base
from storage.models.line import (
    Conversation,
    ConversationDraft,
    InboxEvent,
    LineUser,
    OutboxMessage,
    Photo,
    RichMenuAssignment,
    ScheduledPost,
    SourceLease,
    WrittenPost,
)
from storage.models.lor import LOR_STATUSES, LorCase, LorChange
from storage.models.program import (
    Agency,
    AuditEntry,
    Campaign,
    CampaignDeadline,
    CampaignPhase,
    Coordinator,
    DataExport,
    Invitation,
    JoinRequest,
    StaffMember,
)
from storage.models.public import PublicSnapshot
from storage.models.reports import REPORT_STATUSES, Report, ReportCounter, ReportReviewClaim
from storage.models.staff import StaffSignInAttempt, StaffSignInCode, StaffWebSession

__all__ = [
    "LOR_STATUSES",
    "REPORT_STATUSES",
    "Agency",
    "AuditEntry",
    "Base",
    "Campaign",
    "CampaignDeadline",
    "CampaignPhase",
    "Conversation",
    "ConversationDraft",
    "Coordinator",
    "DataExport",
    "InboxEvent",
    "Invitation",
    "JoinRequest",
    "LineUser",
    "LorCase",
    "LorChange",
    "OutboxMessage",
    "Photo",
    "PublicSnapshot",
    "Report",
    "ReportCounter",
    "ReportReviewClaim",
    "RichMenuAssignment",
    "ScheduledPost",
    "SourceLease",
    "StaffMember",
    "StaffSignInAttempt",
    "StaffSignInCode",
    "StaffWebSession",
    "WrittenPost",
]

"""What waits for staff review, counted live: the staff menu's "waiting for review" button.

Only staff see the counts; anyone else who taps the button (a menu left on their phone from when
they were staff) is told politely that it is for staff. The counts come from the same states the
CLI's lists show (`ruamjai agency list`, `ruamjai agency join-requests`, `ruamjai report list`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.services.authz import is_staff
from storage.models.program import Agency, JoinRequest
from storage.models.reports import Report


@dataclass(frozen=True)
class ReviewCounts:
    agencies: int  # registrations waiting for approval
    join_requests: int  # people asking to join an agency, not decided yet
    reports: int  # reports submitted and not yet reviewed (including resubmitted ones)
    resubmitted: int  # of those, reports sent back for a fix and submitted again


def _count(session: Session, model, *conditions) -> int:
    return session.scalar(select(func.count(model.id)).where(*conditions)) or 0


def review_counts(session: Session) -> ReviewCounts:
    return ReviewCounts(
        agencies=_count(session, Agency, Agency.status == "pending"),
        join_requests=_count(session, JoinRequest, JoinRequest.status == "pending"),
        reports=_count(session, Report, Report.status == "submitted"),
        # A fix request is a review: a submitted report with a review time came back corrected.
        resubmitted=_count(session, Report, Report.status == "submitted", Report.reviewed_at.is_not(None)),
    )


def review_answer(session: Session, line_user_id: str, language: str) -> str:
    """The answer to the "waiting for review" button for this person."""
    if not is_staff(session, line_user_id):
        return t("review.not_staff", language)
    counts = review_counts(session)
    return t(
        "review.counts",
        language,
        agencies=counts.agencies,
        join_requests=counts.join_requests,
        reports=counts.reports,
        resubmitted=counts.resubmitted,
    )

"""`/staff/`: the overview staff open first, every figure in the page's language (Thai digits
grouping, Buddhist-era dates in Thai)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import Response

import calc
from bot.web.staff.core import language, now, page, say, staff_blueprint, transaction
from handlers.catalog import label
from handlers.parsing.numbers import format_number
from handlers.services.deadlines import AGENCY_KINDS
from handlers.services.staff_dashboard import Dashboard, dashboard
from handlers.services.staff_sessions import moment_words
from handlers.services.thaitime import BANGKOK, thai_date


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""


def number(value: int | Decimal) -> str:
    return format_number(value, max_decimals=0) if isinstance(value, int) else format_number(value)


def _days_until(moment: datetime, today: datetime) -> int:
    """Whole days from today to the deadline's day, in Bangkok."""
    return max(0, (moment.astimezone(BANGKOK).date() - today.astimezone(BANGKOK).date()).days)


def figures(board: Dashboard, when: datetime) -> dict[str, object]:
    """The dashboard's words and numbers, ready for the template."""
    lang = language()
    context: dict[str, object] = {"as_of": say("staffweb.dashboard.as_of", when=moment_words(when, lang))}
    context["reports"] = [
        Figure(say(f"staffweb.status.{status}"), say("staffweb.dashboard.report_count", count=number(count)))
        for status, count in board.reports_by_status.items()
    ]
    context["posts"] = number(board.posts_scheduled)
    context["next_post"] = (
        say("staffweb.dashboard.next_post", when=moment_words(board.next_post_at, lang))
        if board.next_post_at
        else ""
    )
    context["dead"] = number(board.dead_messages)
    results = board.results
    if results is None:
        return context
    campaign = results.campaign
    context["campaign"] = label(campaign, lang, "name")
    context["agencies"] = say(
        "staffweb.dashboard.agencies_of_target",
        count=number(results.agencies),
        target=number(campaign.target_agencies),
    )
    context["agencies_share"] = (
        min(100, round(100 * results.agencies / campaign.target_agencies)) if campaign.target_agencies else 0
    )
    context["pending"] = say("staffweb.dashboard.agencies_pending", count=number(board.pending_agencies))
    context["verified"] = [
        Figure(
            label(calc.activity_type(key), lang),
            number(total.kg / 1000) if total.reports else "–",
            say("staffweb.dashboard.verified_reports", count=number(total.reports)),
        )
        for key, total in results.by_type.items()
    ]
    context["verified_total"] = Figure(
        say("staffweb.dashboard.verified_total"),
        number(results.total.kg / 1000),
        say("staffweb.dashboard.verified_reports", count=number(results.total.reports)),
    )
    deadlines = []
    for ahead in board.deadlines:
        owed = [
            say(f"staffweb.dashboard.owe_{kind}", count=number(count))
            for kind, count in (
                ("no_report", ahead.no_report),
                ("needs_fix", ahead.needs_fix),
                ("no_photos", ahead.no_photos),
            )
            if count
        ]
        deadlines.append(
            {
                "label": label(ahead.deadline, lang),
                "date": thai_date(ahead.deadline.due_at, lang),
                "in_days": say(
                    "staffweb.dashboard.in_days", days=number(_days_until(ahead.deadline.due_at, when))
                ),
                "owed": owed,
                "counted": ahead.deadline.kind in AGENCY_KINDS,
            }
        )
    context["deadlines"] = deadlines
    return context


@staff_blueprint.get("/", endpoint="dashboard")
def dashboard_page() -> Response:
    moment = now()
    with transaction() as session:
        board = dashboard(session, moment)
        context = figures(board, moment)
    return page("staff/dashboard.html", **context)

"""`/staff/outbox`: the outbox's rows with their state (kind, recipients, attempts, last error,
times), filtered by status, and a dead letter sent again as `ruamjai outbox replay` does. A reply's
words are never shown; a push, multicast or broadcast shows its first text line at most."""

from __future__ import annotations

from flask import Response, g, redirect, request, url_for

from bot.web.staff.core import language, now, page, say, staff_blueprint, transaction
from handlers.parsing.numbers import format_number
from handlers.services.staff_posts import OUTBOX_STATUSES, outbox_lines, staff_replay_dead
from handlers.services.staff_sessions import moment_words
from storage.repositories import OutboxRepository

NOTICES = ("replayed", "not_replayed")


def number(value: int) -> str:
    return format_number(value, max_decimals=0)


@staff_blueprint.get("/outbox", endpoint="outbox")
def outbox_page() -> Response:
    chosen = request.args.get("status", "")
    status = chosen if chosen in OUTBOX_STATUSES else None
    lang = language()
    with transaction() as session:
        counts = OutboxRepository(session).counts()
        lines = outbox_lines(session, status)
    rows = [
        {
            "id": line.id,
            "kind": say(f"staffweb_posts.outbox.kind.{line.kind}"),
            "recipients": say("staffweb_posts.outbox.everyone")
            if line.recipients is None
            else number(line.recipients),
            "status": line.status,
            "status_words": say(f"staffweb_posts.outbox.status.{line.status}"),
            "attempts": number(line.attempts),
            "last_error": line.last_error or "",
            "created": say("staffweb_posts.outbox.created", when=moment_words(line.created_at, lang)),
            "when": say("staffweb_posts.outbox.when_sent", when=moment_words(line.sent_at, lang))
            if line.sent_at
            else (
                say("staffweb_posts.outbox.when_next", when=moment_words(line.next_attempt_at, lang))
                if line.status == "pending"
                else ""
            ),
            "first_line": line.first_line,
        }
        for line in lines
    ]
    filters = [
        {
            "status": "",
            "words": say("staffweb_posts.outbox.all", count=number(sum(counts.values()))),
            "current": status is None,
        }
    ] + [
        {
            "status": key,
            "words": say(
                "staffweb_posts.outbox.filter",
                status=say(f"staffweb_posts.outbox.status.{key}"),
                count=number(counts.get(key, 0)),
            ),
            "current": key == status,
        }
        for key in OUTBOX_STATUSES
    ]
    notice = request.args.get("m", "")
    return page(
        "staff/outbox.html",
        rows=rows,
        filters=filters,
        chosen=status or "",
        notice=say(f"staffweb_posts.outbox.notice.{notice}") if notice in NOTICES else "",
    )


@staff_blueprint.post("/outbox/<int:row_id>/replay", endpoint="replay_dead")
def replay(row_id: int) -> Response:
    with transaction() as session:
        done = staff_replay_dead(session, staff_member_id=g.visit.staff_member_id, row_id=row_id, now=now())
    return redirect(url_for("staff.outbox", status="dead", m="replayed" if done else "not_replayed"), 303)

"""`ruamjai inbox rejected`: the webhook events the inbox could not keep as they were, for an operator."""

from __future__ import annotations

import argparse

from bot.cli.args import limit, shown
from bot.cli.bootstrap import database


def cmd_inbox_rejected(args: argparse.Namespace) -> int:
    from handlers.services.thaitime import BANGKOK
    from storage.repositories import InboxRepository

    with database() as factory, factory() as session:
        rows = InboxRepository(session).rejected(args.limit)
        for row in rows:
            received = row.received_at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M:%S")
            # The reason names the field; the payload (which may hold personal data) stays in
            # the database.
            print(
                f"{row.id}\t{received}\t{shown(row.event_type, 32)}\t{shown(row.webhook_event_id, 26)}\t"
                f"{row.reject_reason}"
            )
        print(f"{len(rows)} rejected event(s) shown (newest first)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    inbox = sub.add_parser("inbox", help="webhook events as received")
    inbox_sub = inbox.add_subparsers(dest="inbox_command", required=True)
    rejected = inbox_sub.add_parser("rejected", help="events stored as rejected, with their reason")
    rejected.add_argument("--limit", type=limit, default=50)
    rejected.set_defaults(func=cmd_inbox_rejected)

"""`ruamjai lor status|ready|submitted|issued|returned AGENCY_ID …`: an agency's Letter of
Recognition (LOR), through the same service as the staff web (handlers.services.lor): each change
is audited and its coordinators are told in LINE through the outbox."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from bot.cli.args import fail, free_text, row_id, shown
from bot.cli.bootstrap import in_transaction, media_store
from bot.cli.program import ACTOR
from handlers.services.refusals import REASON_MAX_CHARS


def day(text: str) -> date:
    """A date as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a date as YYYY-MM-DD") from None


def cmd_status(args: argparse.Namespace) -> int:
    from handlers.services import lor

    def work(session, now):
        lor.approved_agency(session, args.agency)
        case = lor.case_of(session, args.agency, now)
        print(f"agency {args.agency}: {case.status if case else 'preparing'}")
        if case and case.submitted_on:
            print(f"submitted to TGO: {case.submitted_on.isoformat()}")
        if case and case.lor_number:
            print(f"LOR {shown(case.lor_number)} issued {case.issued_on.isoformat()}")
        for change in lor.history(session, case):
            print(f"  {change.at:%Y-%m-%d %H:%M} UTC {change.status} by {change.actor}")
        return 0

    return in_transaction(work)


def _change(args: argparse.Namespace) -> int:
    from handlers.services import lor

    certificate = b""
    if args.lor_command == "issued":
        try:
            with Path(args.certificate).open("rb") as fh:
                certificate = fh.read(lor.CERTIFICATE_MAX_BYTES + 1)
        except OSError as error:
            return fail(f"cannot read the certificate: {error.strerror or 'unreadable'}")
    media = media_store()

    def work(session, now):
        if args.lor_command == "ready":
            case = lor.mark_ready(session, args.agency, ACTOR, now, media)
        elif args.lor_command == "submitted":
            case = lor.mark_submitted(session, args.agency, args.date, ACTOR, now, media)
        elif args.lor_command == "issued":
            case = lor.mark_issued(
                session, media, args.agency, args.number, args.date, certificate, ACTOR, now
            )
        else:
            case = lor.mark_returned(session, args.agency, args.reason, args.report, ACTOR, now, media)
        print(f"agency {args.agency}: LOR {case.status}; its coordinators are told in LINE")
        return 0

    return in_transaction(work)


def register(subparsers) -> None:
    """Add `ruamjai lor …` to the parser."""
    commands = subparsers.add_parser("lor", help="agencies' Letters of Recognition (LOR)").add_subparsers(
        dest="lor_command", required=True
    )
    status = commands.add_parser("status", help="an agency's LOR status and its history")
    status.add_argument("agency", type=row_id)
    status.set_defaults(func=cmd_status)
    ready = commands.add_parser("ready", help="the package is ready to send to TGO")
    ready.add_argument("agency", type=row_id)
    ready.set_defaults(func=_change)
    submitted = commands.add_parser("submitted", help="the package was submitted to TGO")
    submitted.add_argument("agency", type=row_id)
    submitted.add_argument("--date", type=day, required=True, help="YYYY-MM-DD")
    submitted.set_defaults(func=_change)
    issued = commands.add_parser("issued", help="TGO issued the LOR (number, date, certificate file)")
    issued.add_argument("agency", type=row_id)
    issued.add_argument("--number", type=free_text(64, "the LOR number"), required=True)
    issued.add_argument("--date", type=day, required=True, help="YYYY-MM-DD")
    issued.add_argument("--certificate", required=True, help="the certificate: a PDF, PNG or JPEG file")
    issued.set_defaults(func=_change)
    returned = commands.add_parser(
        "returned", help="TGO returned the package; the reports go back to be fixed"
    )
    returned.add_argument("agency", type=row_id)
    returned.add_argument("--reason", type=free_text(REASON_MAX_CHARS, "the reason"), required=True)
    returned.add_argument("--report", action="append", required=True, help="a report to fix (repeat)")
    returned.set_defaults(func=_change)

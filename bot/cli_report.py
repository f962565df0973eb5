"""`ruamjai report list|show|approve|needs-fix|reject`: staff review of activity reports without a
web page. Each command calls one function of handlers/reports.py (the staff web will call the same);
the reporter hears each decision in LINE through the outbox.
"""

from __future__ import annotations

import argparse
import json

from bot.cli_args import free_text, limit
from bot.cli_program import ACTOR, _run
from handlers.refusals import REASON_MAX_CHARS

REASON = free_text(REASON_MAX_CHARS, "the reason")


def cmd_list(args: argparse.Namespace) -> int:
    from handlers.reports import list_reports, reference

    def work(session, now):
        for report in list_reports(session, None if args.status == "all" else args.status, args.limit):
            kg = report.kg_co2e if report.kg_co2e is not None else "needs-factor"
            flags = ",".join(json.loads(report.flags)) or "-"
            print(
                f"{reference(report)}\t{report.status}\tagency {report.agency_id}\t{report.activity_key}\t"
                f"{report.period_start}..{report.period_end}\t{kg} kgCO2e\tflags {flags}"
            )

    return _run(work)


def cmd_show(args: argparse.Namespace) -> int:
    from handlers.reports import find_by_reference, report_details

    def work(session, now):
        print(
            json.dumps(
                report_details(session, find_by_reference(session, args.ref)), ensure_ascii=False, indent=2
            )
        )

    return _run(work)


def cmd_approve(args: argparse.Namespace) -> int:
    from handlers.reports import approve_report, reference

    return _run(
        lambda session, now: print(f"{reference(approve_report(session, args.ref, ACTOR, now))} approved")
    )


def cmd_reject(args: argparse.Namespace) -> int:
    from handlers.reports import reference, reject_report

    def work(session, now):
        print(f"{reference(reject_report(session, args.ref, args.reason, ACTOR, now))} rejected")

    return _run(work)


def cmd_needs_fix(args: argparse.Namespace) -> int:
    from handlers.reports import needs_fix, reference

    def work(session, now):
        fields = [name.strip() for name in args.fields.split(",") if name.strip()]
        print(
            f"{reference(needs_fix(session, args.ref, fields, args.reason, ACTOR, now))} sent back for a fix"
        )

    return _run(work)


def register(subparsers) -> None:
    """Add `ruamjai report …` to the parser."""
    report = subparsers.add_parser("report", help="activity reports (staff review)").add_subparsers(
        dest="report_command", required=True
    )
    listing = report.add_parser("list", help="reports in the queue (oldest first)")
    statuses = ["submitted", "needs_fix", "approved", "rejected", "withdrawn", "all"]
    listing.add_argument("--status", default="submitted", choices=statuses)
    listing.add_argument("--limit", type=limit, default=50)
    listing.set_defaults(func=cmd_list)
    show = report.add_parser("show", help="one report in full (answers, calculation, flags, photos)")
    show.add_argument("ref", help="e.g. R-2567-00042")
    show.set_defaults(func=cmd_show)
    approve = report.add_parser("approve", help="approve a submitted report (the reporter is told)")
    approve.add_argument("ref")
    approve.set_defaults(func=cmd_approve)
    reject = report.add_parser("reject", help="reject a submitted report with a reason")
    reject.add_argument("ref")
    reject.add_argument("--reason", required=True, type=REASON)
    reject.set_defaults(func=cmd_reject)
    fix = report.add_parser("needs-fix", help="send a report back: only --fields are asked again")
    fix.add_argument("ref")
    fix.add_argument(
        "--fields", required=True, help="field names, comma-separated (see `report show`), or period"
    )
    fix.add_argument("--reason", required=True, type=REASON)
    fix.set_defaults(func=cmd_needs_fix)

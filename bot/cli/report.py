"""`ruamjai report list|show|approve|needs-fix|reject`: staff review of activity reports without a
web page. Each command calls one function of handlers/services/reports.py (the staff web will call the same);
the reporter hears each decision in LINE through the outbox.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from decimal import Decimal

from bot.cli.args import fail, free_text, limit, shown
from bot.cli.bootstrap import in_transaction
from bot.cli.program import ACTOR
from handlers.services.refusals import REASON_MAX_CHARS

REASON = free_text(REASON_MAX_CHARS, "the reason")


def cmd_list(args: argparse.Namespace) -> int:
    from handlers.services.report_review import tonnes
    from handlers.services.reports import list_reports, reference
    from storage.models.program import Agency

    def work(session, now):
        reports = list_reports(session, None if args.status == "all" else args.status, args.limit)
        print("\t".join(("REFERENCE", "STATUS", "AGENCY", "ACTIVITY", "PERIOD", "tCO2e", "FLAGS")))
        for report in reports:
            agency = session.get(Agency, report.agency_id)
            name = shown(agency.name, 60) if agency else f"agency {report.agency_id}"
            t_co2e = tonnes(report.kg_co2e) or "needs a factor"
            flags = ",".join(json.loads(report.flags)) or "-"
            print(
                f"{reference(report)}\t{report.status}\t{name}\t{report.activity_key}\t"
                f"{report.period_start}..{report.period_end}\t{t_co2e}\t{flags}"
            )
        if not reports:
            print("no reports")

    return in_transaction(work)


def cmd_show(args: argparse.Namespace) -> int:
    from handlers.services.report_review import review_sheet
    from handlers.services.reports import find_by_reference

    def work(session, now):
        sheet = review_sheet(session, find_by_reference(session, args.ref))
        if args.json:
            print(json.dumps(sheet, ensure_ascii=False, indent=2))
        else:
            print("\n".join(readable(sheet)))

    return in_transaction(work)


def readable(sheet: dict) -> list[str]:
    """`report show` for people: a few dozen lines, typed text printed safely."""
    from handlers.parsing import format_number

    agency, place = sheet["agency"], sheet["place"]
    lines = [
        f"{sheet['reference']}  {sheet['status']}",
        f"Agency:    {shown(agency['name'] or '-', 80)} (agency {agency['id']}, {agency['province'] or '-'})",
        f"Activity:  {sheet['activity_name']['th']} / {sheet['activity_name']['en']} ({sheet['activity']})",
        f"Period:    {sheet['period']['start']} to {sheet['period']['end']}",
        "Inputs:",
    ]
    for name, value in sheet["inputs"].items():
        label = sheet["input_labels"].get(name, name)
        if isinstance(value, dict):
            shown_value = f"{format_number(Decimal(value['value']))} {value.get('unit') or ''}".strip()
        else:
            shown_value = shown(str(value), 80)
        lines.append(f"  {label}: {shown_value}")
    result = f"{sheet['t_co2e']} tCO2e" if sheet["t_co2e"] is not None else "needs an emission factor"
    lines.append(f"Result:    {result} (calculation {sheet['calc_status']})")
    for warning in sheet["warnings"]:
        lines.append(f"  warning {warning['code']}: {shown(warning['message'], 200)}")
    lines.append(f"Flags:     {', '.join(sheet['flags']) or '-'}")
    if place["lat"] is not None or place["address"]:
        where = f"{place['lat']:.5f}, {place['lon']:.5f}" if place["lat"] is not None else ""
        lines.append(f"Place:     {where} {shown(place['address'] or '', 120)}".rstrip())
    if sheet["review_reason"]:
        lines.append(f"Reason:    {shown(sheet['review_reason'], 500)}")
    lines.append("History:")
    for step in sheet["history"]:
        reason = f"  ({shown(step['reason'], 120)})" if step["reason"] else ""
        lines.append(f"  {bangkok(step['at'])}  {step['step']} by {step['by']}{reason}")
    lines.append(f"Photos ({len(sheet['photos'])}):")
    for photo in sheet["photos"]:
        taken = bangkok(photo["captured_at"]) if photo["captured_at"] else "time unknown"
        if photo["lat"] is not None:
            distance = photo["km_from_province"]
            gps = f"GPS {photo['lat']:.5f}, {photo['lon']:.5f}"
            if distance is not None:
                gps += f" ({distance:,.0f} km from the province's capital)"
        else:
            gps = "no GPS"
        lines.append(f"  photo {photo['id']} ({photo['status']}): taken {taken}, {gps}")
        lines += [f"    ! {PHOTO_FLAG_TEXT.get(flag, flag)}" for flag in photo["flags"]]
    if sheet["concerns"]:
        lines.append(f"Approving needs --despite-warnings: {'; '.join(sheet['concerns'])}")
    return lines


PHOTO_FLAG_TEXT = {
    "photo_taken_outside_period": "taken outside the reported period",
    "photo_far_from_province": "taken far from the agency's province",
}


def bangkok(iso: str) -> str:
    """An ISO time as Bangkok staff read it: "2026-12-07 09:30 Bangkok"."""
    from handlers.services.thaitime import BANGKOK

    return datetime.fromisoformat(iso).astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M Bangkok")


def cmd_approve(args: argparse.Namespace) -> int:
    """Approve a submitted report. One with concerns (flags, calculation warnings, photos taken
    outside the period or far away) is refused unless `--despite-warnings` says staff looked."""
    from handlers.services.report_review import find_concerns
    from handlers.services.reports import approve_report, find_by_reference, reference

    def work(session, now):
        report = find_by_reference(session, args.ref)
        found = find_concerns(session, report)
        ref = reference(report)
        if found and not args.despite_warnings:
            return fail(
                f"{ref} not approved: {'; '.join(found)}. Look at `ruamjai report show {ref}`; then approve "
                "with --despite-warnings, or use needs-fix or reject",
                1,
            )
        approve_report(session, args.ref, ACTOR, now)
        print(f"{ref} approved" + (f" despite: {'; '.join(found)}" if found else ""))

    return in_transaction(work)


def cmd_reject(args: argparse.Namespace) -> int:
    from handlers.services.reports import reference, reject_report

    def work(session, now):
        print(f"{reference(reject_report(session, args.ref, args.reason, ACTOR, now))} rejected")

    return in_transaction(work)


def cmd_needs_fix(args: argparse.Namespace) -> int:
    from handlers.services.reports import needs_fix, reference

    def work(session, now):
        fields = [name.strip() for name in args.fields.split(",") if name.strip()]
        report = needs_fix(session, args.ref, fields, args.reason, ACTOR, now, photos=args.photos)
        print(f"{reference(report)} sent back for a fix")

    return in_transaction(work)


def _photo_numbers(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("photo numbers are whole numbers, e.g. 2,3") from None


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
    show.add_argument("--json", action="store_true", help="everything, as JSON (for programs)")
    show.set_defaults(func=cmd_show)
    approve = report.add_parser("approve", help="approve a submitted report (the reporter is told)")
    approve.add_argument("ref")
    approve.add_argument(
        "--despite-warnings",
        action="store_true",
        help="approve although the report has flags, calculation warnings or odd photos (see show)",
    )
    approve.set_defaults(func=cmd_approve)
    reject = report.add_parser("reject", help="reject a submitted report with a reason")
    reject.add_argument("ref")
    reject.add_argument("--reason", required=True, type=REASON)
    reject.set_defaults(func=cmd_reject)
    fix = report.add_parser("needs-fix", help="send a report back: only --fields are asked again")
    fix.add_argument("ref")
    fix.add_argument(
        "--fields",
        required=True,
        help="field names, comma-separated (see `report show`), period, place or photos",
    )
    fix.add_argument(
        "--photos",
        type=_photo_numbers,
        default=(),
        help="numbers of photos to replace, comma-separated, as `report show` numbers them (implies photos)",
    )
    fix.add_argument("--reason", required=True, type=REASON)
    fix.set_defaults(func=cmd_needs_fix)

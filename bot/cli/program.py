"""`ruamjai campaign|agency|staff|invitation|person …`: the program's staff commands.

Each command is a thin shell around one domain function (handlers/), the same the chat and the
staff web call; messages to people go to the outbox, which the clock process sends.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.cli.args import fail, free_text, row_id, shown
from bot.cli.bootstrap import in_transaction, media_store
from handlers.services.refusals import REASON_MAX_CHARS

ACTOR = "cli"


def cmd_campaign_load(args: argparse.Namespace) -> int:
    from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign

    if args.example == bool(args.file):
        return fail("give a campaign FILE or --example")
    path = EXAMPLE_CAMPAIGN if args.example else Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:  # missing, a folder, unreadable, not UTF-8, a NUL
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
        return fail(f"cannot read campaign file {shown(str(path))!r}: {reason}")

    def work(session, now):
        report = load_campaign(session, text, now)
        if not report.ok:
            name = shown(path.name)
            print(f"{name}: {len(report.problems)} problem(s), nothing loaded:", file=sys.stderr)
            for problem in report.problems:
                print(f"  {name}: {problem}", file=sys.stderr)
            return 1
        state = "loaded" if report.changed else "unchanged (already loaded)"
        print(f"campaign {report.slug} {state}; it is the active campaign")
        if report.changed:
            waiting = report.posts_waiting
            print(f"{waiting} post(s) of its calendar still ahead are scheduled (ruamjai post list)")
        return 0

    return in_transaction(work)


def cmd_campaign_show(_args: argparse.Namespace) -> int:
    from handlers.services.campaigns import active_campaign, activity_types_of, photo_limits
    from handlers.services.deadlines import remind_days
    from handlers.services.thaitime import BANGKOK

    def work(session, now):
        campaign = active_campaign(session, now)
        if campaign is None:
            print("no active campaign (registrations wait for the next one)")
            return 0
        print(
            f"{campaign.slug}: {campaign.name_th} (year {campaign.year_be} BE),"
            f" target {campaign.target_agencies} agencies"
        )
        print(f"activity types: {', '.join(activity_types_of(campaign))}")
        fewest, most = photo_limits(campaign)
        print(f"evidence photos per report: {fewest} to {most}")
        for phase in campaign.phases:
            print(f"phase {phase.key}: {phase.starts_on} – {phase.ends_on}  {phase.name_th}")
        for deadline in campaign.deadlines:
            due = deadline.due_at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")
            days = ", ".join(map(str, remind_days(deadline)))
            print(
                f"deadline {deadline.kind}: {due} Bangkok, for {deadline.applies_to}  {deadline.label_th}"
                f"  (reminders {days} days before, 09:00)"
            )
        return 0

    return in_transaction(work)


def cmd_agency_list(args: argparse.Namespace) -> int:
    from handlers.services.agencies import list_agencies, province_name

    def work(session, _now):
        agencies = list_agencies(session, args.status)
        if agencies:
            print("ID\tSTATUS\tPROVINCE\tTYPE\tNAME")
        for agency in agencies:
            province = province_name(agency.province_code)
            print(
                f"{agency.id}\t{agency.status}\t{province}\t{agency.agency_type}\t{shown(agency.name, 200)}"
            )
        if not agencies:
            print("no agencies")
        return 0

    return in_transaction(work)


def cmd_agency_approve(args: argparse.Namespace) -> int:
    from handlers.services.agencies import approve_agency

    def work(session, now):
        agency = approve_agency(session, args.id, ACTOR, now)
        print(f"agency {agency.id} approved; its coordinators are told in LINE")
        return 0

    return in_transaction(work)


def cmd_agency_reject(args: argparse.Namespace) -> int:
    from handlers.services.agencies import reject_agency

    def work(session, now):
        agency = reject_agency(session, args.id, args.reason, ACTOR, now)
        print(f"agency {agency.id} rejected; its coordinators are told the reason in LINE")
        return 0

    return in_transaction(work)


def cmd_join_requests(_args: argparse.Namespace) -> int:
    from handlers.services.agencies import pending_join_requests

    def work(session, _now):
        rows = pending_join_requests(session)
        for request, agency in rows:
            # No requester names here: the agency's coordinators see those in LINE.
            when = f"{request.created_at:%Y-%m-%d}"
            print(f"{request.id}\t{when}\tagency {agency.id} ({agency.status})\t{agency.name}")
        if not rows:
            print("no join requests waiting")
        return 0

    return in_transaction(work)


def cmd_join_decide(args: argparse.Namespace) -> int:
    from handlers.services.agencies import decide_join_request

    def work(session, now):
        request = decide_join_request(session, args.id, args.decision == "approve", ACTOR, now)
        print(f"join request {request.id}: {request.status}; the person is told in LINE")
        return 0

    return in_transaction(work)


def cmd_staff_add(args: argparse.Namespace) -> int:
    from handlers.services.authz import add_staff

    def work(session, now):
        member = add_staff(session, args.line_user, args.name, now)
        print(f"staff member {member.id} added")
        return 0

    return in_transaction(work)


def cmd_staff_remove(args: argparse.Namespace) -> int:
    from handlers.services.authz import remove_staff

    def work(session, now):
        if not remove_staff(session, args.line_user, now):
            print("no staff member has that LINE account", file=sys.stderr)
            return 1
        print("staff member removed: their staff-web sessions have ended")
        return 0

    return in_transaction(work)


def cmd_staff_list(_args: argparse.Namespace) -> int:
    from handlers.services.authz import list_staff

    def work(session, _now):
        staff = list_staff(session)
        for member in staff:
            print(f"{member.id}\t{member.line_user_id}\t{member.name or ''}")
        if not staff:
            print("no staff members (new registrations are only logged)")
        return 0

    return in_transaction(work)


def cmd_invitation_revoke(args: argparse.Namespace) -> int:
    from handlers.services.invitations import revoke_invitation

    def work(session, now):
        revoke_invitation(session, args.code, ACTOR, now)
        print("invitation revoked")
        return 0

    return in_transaction(work)


def cmd_person_erase(args: argparse.Namespace) -> int:
    from handlers.services.people import NoSuchPerson, check_line_user_id, erase_person

    try:
        line_user_id = check_line_user_id(args.line_user)
    except ValueError as error:
        print(f"ruamjai: {error}", file=sys.stderr)
        return 2
    media = media_store()  # the erased person's photos are deleted from it

    def work(session, now):
        reference = erase_person(session, line_user_id, now, actor=ACTOR, media=media)
        print(json.dumps({"erased": True, "audit": reference}))
        return 0

    try:
        return in_transaction(work)
    except NoSuchPerson:
        print("ruamjai: no such person: nobody on record has that LINE user id", file=sys.stderr)
        return 1


def register(subparsers) -> None:
    """Add the program's commands to the `ruamjai` parser."""
    campaign = subparsers.add_parser("campaign", help="campaign data").add_subparsers(
        dest="campaign_command", required=True
    )
    load = campaign.add_parser("load", help="validate and load a campaign file (safe to re-run)")
    load.add_argument("file", nargs="?")
    load.add_argument("--example", action="store_true", help="the program document's round (2567)")
    load.set_defaults(func=cmd_campaign_load)
    campaign.add_parser("show", help="the active campaign").set_defaults(func=cmd_campaign_show)

    agency = subparsers.add_parser("agency", help="agencies").add_subparsers(
        dest="agency_command", required=True
    )
    listing = agency.add_parser("list", help="list agencies")
    listing.add_argument("--status", choices=["pending", "approved", "rejected"])
    listing.set_defaults(func=cmd_agency_list)
    approve = agency.add_parser("approve", help="approve an agency (its coordinators are told)")
    approve.add_argument("id", type=row_id)
    approve.set_defaults(func=cmd_agency_approve)
    reject = agency.add_parser("reject", help="reject an agency with a reason (its coordinators are told)")
    reject.add_argument("id", type=row_id)
    reject.add_argument("--reason", required=True, type=free_text(REASON_MAX_CHARS, "the reason"))
    reject.set_defaults(func=cmd_agency_reject)
    agency.add_parser("join-requests", help="join requests waiting for a decision").set_defaults(
        func=cmd_join_requests
    )
    decide = agency.add_parser("decide-join", help="approve or decline a join request")
    decide.add_argument("id", type=row_id)
    decide.add_argument("decision", choices=["approve", "decline"])
    decide.set_defaults(func=cmd_join_decide)

    staff = subparsers.add_parser("staff", help="program staff").add_subparsers(
        dest="staff_command", required=True
    )
    add = staff.add_parser("add", help="register a staff member's LINE account")
    add.add_argument("--line-user", required=True)
    add.add_argument("--name", type=free_text(200, "the name"))
    add.set_defaults(func=cmd_staff_add)
    remove = staff.add_parser(
        "remove", help="take a LINE account off the staff (ends its staff-web sessions)"
    )
    remove.add_argument("--line-user", required=True, help="the LINE user id (U + 32 hex)")
    remove.set_defaults(func=cmd_staff_remove)
    staff.add_parser("list", help="list staff members").set_defaults(func=cmd_staff_list)

    invitation = subparsers.add_parser("invitation", help="invitation codes").add_subparsers(
        dest="invitation_command", required=True
    )
    revoke = invitation.add_parser("revoke", help="stop an invitation code working")
    revoke.add_argument("code")
    revoke.set_defaults(func=cmd_invitation_revoke)

    person = subparsers.add_parser("person", help="personal data").add_subparsers(
        dest="person_command", required=True
    )
    erase = person.add_parser("erase", help="erase a person's personal data (audited)")
    erase.add_argument("--line-user", required=True)
    erase.set_defaults(func=cmd_person_erase)

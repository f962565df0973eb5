"""`ruamjai post …` and `ruamjai outbox …`: outreach by hand until the staff web exists."""

from __future__ import annotations

import argparse

from bot.cli.args import fail, free_text, limit, row_id, shown
from bot.cli.bootstrap import database, line_gateway, now, settings

# Each command asks only for the settings it uses: the database alone for the outbox's and the
# posts' rows, LINE's access token only where LINE is asked (quota).
LINE_ACCESS = ("LINE_CHANNEL_ACCESS_TOKEN",)


def _gateway():
    return line_gateway(settings(LINE_ACCESS))


def cmd_outbox_dead(args: argparse.Namespace) -> int:
    from bot.line.outreach_delivery import dead_letters

    with database() as factory:
        rows = dead_letters(factory, args.limit)
    if not rows:
        print("no dead-letter rows")
    for row in rows:
        print(
            f"{row.id}\t{row.kind}\trecipients={row.recipients}\tattempts={row.attempts}\t"
            f"created={row.created_at:%Y-%m-%d %H:%M}Z\t{row.last_error or ''}"
        )
    return 0


def cmd_outbox_replay(args: argparse.Namespace) -> int:
    from bot.line.outreach_delivery import replay_dead

    if not args.all and not args.ids:
        return fail("give dead-letter row ids, or --all")
    with database() as factory:
        count = replay_dead(factory, None if args.all else args.ids, now())
    print(f"{count} row(s) queued again; the clock sends them")
    return 0 if count or args.all else 1


def cmd_outbox_quota(_args: argparse.Namespace) -> int:
    from bot.line.gateway import LineApiError

    gateway = _gateway()
    try:
        quota = gateway.quota()
    except LineApiError as problem:
        return fail(f"cannot read the quota from LINE: {problem}", 1)
    finally:
        gateway.close()
    limit = "unlimited" if quota.limit is None else f"{quota.limit:,}"
    print(f"monthly quota: {limit}; used: {quota.used:,}")
    return 0


def cmd_post_schedule(args: argparse.Namespace) -> int:
    """Schedule a post; refused now if the segment or post is wrong, or if the month's quota
    already cannot hold it (the clock checks the quota again when the time comes)."""
    from bot.line.gateway import LineApiError
    from bot.line.outreach_delivery import QuotaExceeded, ensure_quota
    from handlers.services.outreach import (
        OutreachError,
        audience_for,
        format_bangkok,
        parse_bangkok_time,
        schedule_post,
    )

    with database() as factory:
        gateway = _gateway()
        try:
            at = parse_bangkok_time(args.at)
            with factory() as session:
                audience = audience_for(session, args.key, args.segment, now())
            ensure_quota(gateway, audience.size)
            with factory.begin() as session:
                post = schedule_post(
                    session,
                    post_key=args.key,
                    segment=args.segment,
                    at=at,
                    created_by=args.by,
                    now=now(),
                )
        except (OutreachError, QuotaExceeded) as problem:
            return fail(str(problem), 1)
        except LineApiError as problem:  # the quota could not be read: nothing is scheduled
            return fail(f"cannot check the quota with LINE, nothing scheduled: {problem}", 1)
        finally:
            gateway.close()
    print(
        f"post {post.id} scheduled: {args.key} to {args.segment} ({audience.size:,} recipients now) "
        f"at {format_bangkok(at)} Bangkok time"
    )
    return 0


def cmd_post_results(_args: argparse.Namespace) -> int:
    """Write the results post from the latest figures (as the staff web's button does); prints
    its key to schedule like any post. Refused without a public HTTPS address or a campaign."""
    from bot.cli.bootstrap import media_store
    from bot.web.public.share_card import card_words, draw_card, post_picture
    from handlers.catalog import t
    from handlers.services import public_results
    from handlers.services.results_post import write_results_post
    from handlers.services.written_posts import WrittenPostError

    config = settings(())  # PUBLIC_BASE_URL only, and only to refuse without it
    with database() as factory:
        try:
            with factory.begin() as session:
                figures = public_results.current(session, now())
                post = write_results_post(
                    session,
                    figures=figures,
                    card_png=post_picture(draw_card(card_words(figures, "th"))),
                    media=media_store(),
                    links_base_url=config.links_base_url,
                    staff_member_id=None,
                    now=now(),
                )
        except WrittenPostError as problem:
            return fail(t(str(problem), "en"), 1)
    print(f"results post {post.key} written: {post.title['en']}")
    print(f'schedule it with: ruamjai post schedule {post.key} --segment news --at "YYYY-MM-DD HH:MM"')
    return 0


def cmd_post_list(_args: argparse.Namespace) -> int:
    from handlers.services.outreach import format_bangkok
    from storage.outreach_repository import ScheduledPosts

    with database() as factory, factory() as session:
        repo = ScheduledPosts(session)
        rows = [(post, repo.delivery_counts(post.id)) for post in repo.all()]
    if not rows:
        print("no scheduled posts")
    for post, counts in rows:
        delivery = ", ".join(f"{status} {count}" for status, count in sorted(counts.items())) or "-"
        print(
            f"{post.id}\t{post.post_key}\t{post.segment}\t{format_bangkok(post.scheduled_at)}\t{post.status}\t"
            f"recipients={post.recipients}\tbatches={post.batches} ({delivery})\t"
            f"by={shown(post.created_by, 64)}" + (f"\t{shown(post.note, 500)}" if post.note else "")
        )
    return 0


def cmd_post_cancel(args: argparse.Namespace) -> int:
    from handlers.services.outreach import cancel_post

    with database() as factory, factory.begin() as session:
        cancelled = cancel_post(session, args.id, now())
    if not cancelled:
        print(
            f"ruamjai: post {args.id} is not waiting to be sent (unknown, sent, refused, missed or cancelled)"
        )
        return 1
    print(f"post {args.id} cancelled")
    return 0


def register(subparsers) -> None:
    """Add `outbox` and `post` to the `ruamjai` command."""
    outbox = subparsers.add_parser("outbox", help="the outbox: dead letters, quota")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    dead = outbox_sub.add_parser("dead", help="list rows LINE never took (dead letters)")
    dead.add_argument("--limit", type=limit, default=100)
    dead.set_defaults(func=cmd_outbox_dead)
    replay = outbox_sub.add_parser("replay", help="send dead-letter rows again")
    replay.add_argument("ids", nargs="*", type=row_id)
    replay.add_argument("--all", action="store_true")
    replay.set_defaults(func=cmd_outbox_replay)
    outbox_sub.add_parser("quota", help="this month's message quota and use").set_defaults(
        func=cmd_outbox_quota
    )
    post = subparsers.add_parser("post", help="scheduled knowledge and news posts")
    post_sub = post.add_subparsers(dest="post_command", required=True)
    schedule = post_sub.add_parser("schedule", help="send a post to a segment at a time")
    schedule.add_argument("key", help="a post in handlers/content/posts (the file name)")
    schedule.add_argument("--segment", required=True, help="everyone | news | province:<code>")
    schedule.add_argument("--at", required=True, help='Bangkok time, "2569-12-02 09:00" (BE or CE year)')
    schedule.add_argument(
        "--by", default="cli", type=free_text(64, "--by"), help="who scheduled it (shown in the list)"
    )
    schedule.set_defaults(func=cmd_post_schedule)
    post_sub.add_parser("results", help="write the results post from the latest figures").set_defaults(
        func=cmd_post_results
    )
    post_sub.add_parser("list", help="scheduled and sent posts with their counts").set_defaults(
        func=cmd_post_list
    )
    cancel = post_sub.add_parser("cancel", help="cancel a post not yet sent")
    cancel.add_argument("id", type=row_id)
    cancel.set_defaults(func=cmd_post_cancel)

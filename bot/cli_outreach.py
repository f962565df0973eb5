"""`ruamjai post …` and `ruamjai outbox …`: outreach by hand until the staff web exists."""

from __future__ import annotations

import argparse

from bot.settings import Settings


def _runtime():
    from bot import build_runtime

    return build_runtime(Settings.from_env())


def cmd_outbox_dead(args: argparse.Namespace) -> int:
    from bot.outreach import dead_letters

    rt = _runtime()
    try:
        rows = dead_letters(rt.session_factory, args.limit)
    finally:
        rt.close()
    if not rows:
        print("no dead-letter rows")
    for row in rows:
        print(
            f"{row.id}\t{row.kind}\trecipients={row.recipients}\tattempts={row.attempts}\t"
            f"created={row.created_at:%Y-%m-%d %H:%M}Z\t{row.last_error or ''}"
        )
    return 0


def cmd_outbox_replay(args: argparse.Namespace) -> int:
    from bot.outreach import replay_dead

    if not args.all and not args.ids:
        print("ruamjai: give dead-letter row ids, or --all")
        return 2
    rt = _runtime()
    try:
        count = replay_dead(rt.session_factory, None if args.all else args.ids, rt.clock.now())
    finally:
        rt.close()
    print(f"{count} row(s) queued again; the clock sends them")
    return 0 if count or args.all else 1


def cmd_outbox_quota(_args: argparse.Namespace) -> int:
    rt = _runtime()
    try:
        quota = rt.gateway.quota()
    finally:
        rt.close()
    limit = "unlimited" if quota.limit is None else f"{quota.limit:,}"
    print(f"monthly quota: {limit}; used: {quota.used:,}")
    return 0


def register(subparsers) -> None:
    """Add `outbox` and `post` to the `ruamjai` command."""
    outbox = subparsers.add_parser("outbox", help="the outbox: dead letters, quota")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    dead = outbox_sub.add_parser("dead", help="list rows LINE never took (dead letters)")
    dead.add_argument("--limit", type=int, default=100)
    dead.set_defaults(func=cmd_outbox_dead)
    replay = outbox_sub.add_parser("replay", help="send dead-letter rows again")
    replay.add_argument("ids", nargs="*", type=int)
    replay.add_argument("--all", action="store_true")
    replay.set_defaults(func=cmd_outbox_replay)
    outbox_sub.add_parser("quota", help="this month's message quota and use").set_defaults(
        func=cmd_outbox_quota
    )

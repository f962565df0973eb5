"""The `ruamjai` command: db upgrade, clock, demo, send-demo-event."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import urllib.request

from bot.cli import inbox, less, lor, outreach, program, program_report, report, richmenu
from bot.cli.args import Parser, fail, free_text, shown
from bot.cli.bootstrap import database_url, settings
from bot.settings import SettingsError, instance_dir_from_env

log = logging.getLogger("ruamjai")


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    from storage.migrate import current, upgrade

    url = database_url()
    upgrade(url)
    print(f"database at revision {current(url)}")
    return 0


def cmd_clock(args: argparse.Namespace) -> int:
    """The one clock process (bot/cli/clock.py), or one of its jobs run once by hand."""
    from bot import build_runtime
    from bot.cli.clock import JOBS, run_clock, run_once
    from bot.logs import configure_logging

    config = settings()
    configure_logging(config.log_format)
    # APScheduler logs every run at INFO: once a second is noise, not news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if args.clock_command == "run-once":
        rt = build_runtime(config)
        try:
            result = run_once(rt, args.job)
        finally:
            rt.close()
        print(f"{args.job}: {result}")
        return 0
    if args.clock_command == "jobs":
        for job in JOBS.values():
            print(f"{job.name}\t{job.trigger} {job.trigger_args}")
        return 0
    return run_clock(lambda: build_runtime(config), config.database_url, config.instance_dir)


def cmd_demo(args: argparse.Namespace) -> int:
    """Everything in one process on this machine (bot/demo.py): the fake LINE platform, the web
    app on SQLite with the LINE simulator, the clock jobs as threads. Needs no LINE credentials."""
    from bot.demo import run_demo

    return run_demo(args.host, args.port)


def cmd_send_demo_event(args: argparse.Namespace) -> int:
    """Send one signed webhook event to a running demo and print what the bot answered."""
    from bot.fakeline.events import new_user_id

    state_file = instance_dir_from_env(os.environ) / "demo.json"
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        print(
            f"ruamjai: no demo runs here ({state_file} not readable): start `ruamjai demo`", file=sys.stderr
        )
        return 1
    user_id = args.user or new_user_id()
    try:
        return _send_demo_event(args, state, user_id)
    except OSError as error:  # URLError and connection errors are OSErrors
        return fail(f"the demo at {state['url']} does not answer: {error}", 1)


def _send_demo_event(args: argparse.Namespace, state: dict, user_id: str) -> int:
    from bot.fakeline.events import follow_event, sign, text_event, webhook_body

    now_ms = int(time.time() * 1000)
    token_req = urllib.request.Request(
        f"{state['fake_line']}/__fake__/reply-token?user={user_id}", method="POST"
    )
    with urllib.request.urlopen(token_req, timeout=5) as response:
        reply_token = json.loads(response.read())["replyToken"]
    if args.kind == "follow":
        event = follow_event(user_id, timestamp_ms=now_ms, reply_token=reply_token)
    else:
        event = text_event(user_id, args.text, timestamp_ms=now_ms, reply_token=reply_token)
    body = webhook_body([event])
    request = urllib.request.Request(
        state["url"] + "/callback",
        data=body,
        headers={"Content-Type": "application/json", "X-Line-Signature": sign(state["channel_secret"], body)},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        print(f"webhook answered {response.status}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with urllib.request.urlopen(
            f"{state['fake_line']}/__fake__/deliveries?user={user_id}", timeout=5
        ) as response:
            deliveries = json.loads(response.read())
        if deliveries:
            for delivery in deliveries:
                for message in delivery["messages"]:
                    print(f"bot → {message.get('text', message.get('type'))}")
            return 0
        time.sleep(0.2)
    print("no answer within 10 s")
    return 1


def port(text: str) -> int:
    """A TCP port to listen on (1 to 65,535)."""
    if not (text.strip().isascii() and text.strip().isdigit() and 1 <= int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"a port is a number from 1 to 65535, got {shown(text)!r}")
    return int(text)


def line_user_id(text: str) -> str:
    """A LINE user id as LINE writes it: U and 32 lower-case hexadecimal digits."""
    from handlers.services.people import LINE_USER_ID

    if not LINE_USER_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(f"a LINE user id is U and 32 hex digits, got {shown(text)!r}")
    return text


def build_parser() -> Parser:
    """The `ruamjai` command's parser, every subcommand included."""
    parser = Parser(prog="ruamjai", description="Ruamjai LINE bot")
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations (safe to re-run)").set_defaults(func=cmd_db_upgrade)
    from bot.cli.clock import JOBS

    clock = sub.add_parser("clock", help="run the clock process (exactly one per deployment)")
    clock.set_defaults(func=cmd_clock, clock_command=None)
    clock_sub = clock.add_subparsers(dest="clock_command")
    once = clock_sub.add_parser("run-once", help="run one clock job now, by hand")
    once.add_argument("job", choices=sorted(JOBS))
    clock_sub.add_parser("jobs", help="list the clock's jobs")
    demo = sub.add_parser("demo", help="run everything locally against the fake LINE platform")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=port, default=os.environ.get("PORT", "8000"))
    demo.set_defaults(func=cmd_demo)
    send = sub.add_parser("send-demo-event", help="send a signed event to a running demo")
    send.add_argument("kind", choices=["follow", "text"])
    send.add_argument("text", nargs="?", default="สวัสดีค่ะ", type=free_text(5000, "the text"))
    send.add_argument("--user", type=line_user_id, help="a LINE user id (U + 32 hex digits); default: new")
    send.set_defaults(func=cmd_send_demo_event)
    for commands in (program, richmenu, outreach, report, inbox, program_report, less, lor):
        commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:
        return fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())

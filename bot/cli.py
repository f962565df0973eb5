"""The `ruamjai` command: db upgrade, clock, demo, send-demo-event."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.request

from bot import cli_program
from bot.settings import Settings, SettingsError, database_url_from_env, instance_dir_from_env

log = logging.getLogger("ruamjai")


def _settings(demo: bool = False) -> Settings:
    return Settings.from_env(demo=demo)


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    from storage.migrate import current, upgrade

    url = database_url_from_env(os.environ)
    upgrade(url)
    print(f"database at revision {current(url)}")
    return 0


def cmd_clock(_args: argparse.Namespace) -> int:
    """The one clock process: outbox sender, stuck-event sweeper (APScheduler, Asia/Bangkok)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from bot import build_runtime
    from bot.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_format)
    # APScheduler logs every run at INFO: once a second is noise, not news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    rt = build_runtime(settings)
    scheduler = BlockingScheduler(timezone=settings.time_zone)
    # max_instances=1 + coalesce: a slow pass is never overlapped by the next one.
    scheduler.add_job(rt.outbox.send_due, "interval", seconds=1, max_instances=1, coalesce=True, id="outbox")
    scheduler.add_job(rt.executor.sweep, "interval", seconds=15, max_instances=1, coalesce=True, id="sweep")
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("clock started", extra={"jobs": "outbox,sweep"})
    try:
        scheduler.start()
    finally:
        rt.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Everything in one process on this machine: the fake LINE platform, the web app on SQLite,
    the outbox sender thread. Needs no LINE credentials and reaches nothing outside."""
    from werkzeug.serving import make_server

    from bot import create_app
    from bot.fakeline.schema import SpecNotFoundError
    from bot.fakeline.server import FakeLinePlatform
    from bot.runtime import runtime
    from storage.migrate import upgrade

    base = Settings.from_env(demo=True)
    fake = None
    settings = base
    if not os.environ.get("LINE_CHANNEL_ACCESS_TOKEN"):
        try:
            fake = FakeLinePlatform(access_token=base.line_channel_access_token, validate=True).start()
        except SpecNotFoundError as missing:
            # The tests insist on the specs; a demo on a machine without them still runs.
            print(f"{missing}. The fake LINE platform runs without checking requests against LINE's schema.")
            fake = FakeLinePlatform(access_token=base.line_channel_access_token, validate=False).start()
        settings = base.with_(line_api_base_url=fake.base_url)
    upgrade(settings.database_url)
    app = create_app(settings)
    rt = runtime(app)
    stop = threading.Event()
    sender = threading.Thread(target=rt.outbox.run, args=(stop,), name="outbox", daemon=True)
    sender.start()
    server = make_server(args.host, args.port, app, threaded=True)

    def _terminate(*_args) -> None:
        raise KeyboardInterrupt  # unwinds serve_forever in this thread; shutdown() here would deadlock

    signal.signal(signal.SIGTERM, _terminate)
    state = settings.instance_dir / "demo.json"
    state.write_text(
        json.dumps(
            {
                "url": f"http://{args.host}:{args.port}",
                "fake_line": fake.base_url if fake else None,
                "channel_secret": settings.line_channel_secret,
            }
        )
    )
    print(f"Ruamjai demo on http://{args.host}:{args.port}  (health: /healthz, webhook: /callback)")
    if fake:
        print(f"Fake LINE platform on {fake.base_url}; try: ruamjai send-demo-event follow")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        rt.close()
        if fake:
            fake.stop()
    return 0


def cmd_send_demo_event(args: argparse.Namespace) -> int:
    """Send one signed webhook event to a running demo and print what the bot answered."""
    from bot.fakeline.events import follow_event, new_user_id, sign, text_event, webhook_body

    state = json.loads((instance_dir_from_env(os.environ) / "demo.json").read_text())
    user_id = args.user or new_user_id()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ruamjai", description="Ruamjai LINE bot")
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations (safe to re-run)").set_defaults(func=cmd_db_upgrade)
    sub.add_parser("clock", help="run the clock process").set_defaults(func=cmd_clock)
    demo = sub.add_parser("demo", help="run everything locally against the fake LINE platform")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    demo.set_defaults(func=cmd_demo)
    send = sub.add_parser("send-demo-event", help="send a signed event to a running demo")
    send.add_argument("kind", choices=["follow", "text"])
    send.add_argument("text", nargs="?", default="สวัสดีค่ะ")
    send.add_argument("--user")
    send.set_defaults(func=cmd_send_demo_event)
    cli_program.register(sub)
    from bot import cli_inbox

    cli_inbox.register(sub)
    from bot import cli_report

    cli_report.register(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"ruamjai: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

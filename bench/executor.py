"""Benchmark: what the event executor costs per event, on one thread, outside any web server.

    .venv/bin/python bench/executor.py                       # SQLite in a temp dir
    .venv/bin/python bench/executor.py --database-url postgresql://postgres@127.0.0.1:5432/test

Stores one Thai text event for each of --events users and has the executor process them (a first
round, unmeasured, makes them known users: user row, conversation, lease row), then stores a second
event for each and measures it: each user is drained on this thread by the executor's own code
(`EventExecutor._drain_source`: lease, pending read, the event's transaction, the reply, release),
with the fake LINE platform in a child process taking the replies. Per event it prints the CPU
time of this process, the wall time, and the SQL statements and commits; then, measured in the
same run as the reference, the LINE reply call alone (`LineGateway.reply` with the same messages
to the same fake). Medians over --repeat runs. `--profile` prints cProfile's top functions of one
more run. Everything runs on 127.0.0.1 and stops on exit; no message body or secret is printed.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from database import Database  # bench/database.py: a fresh SQLite file or PostgreSQL schema
from sqlalchemy import event, select

from bot import create_app
from bot.fakeline.events import new_user_id, text_event
from bot.line.inbox_rows import inbox_row
from bot.runtime import Runtime, runtime
from bot.settings import Settings
from storage.models import OutboxMessage

BENCH_DIR = Path(__file__).resolve().parent


@dataclass
class Figures:
    cpu_ms: float
    wall_ms: float
    statements: float
    commits: float
    reply_cpu_ms: float
    reply_wall_ms: float


def per_call(calls: int, work: Callable[[], None]) -> tuple[float, float]:
    """CPU and wall milliseconds per call of `work` (which makes `calls` calls)."""
    cpu, wall = time.process_time(), time.monotonic()
    work()
    return (time.process_time() - cpu) * 1000 / calls, (time.monotonic() - wall) * 1000 / calls


def one_run(base_url: str | None, events: int, profile: bool) -> Figures:
    work = Path(tempfile.mkdtemp(prefix="ruamjai-bench-executor-"))
    db = Database(base_url, work)
    users = [new_user_id() for _ in range(events)]
    now_ms = int(time.time() * 1000)
    first = [text_event(u, "สวัสดีครับ", timestamp_ms=now_ms - 5000) for u in users]
    second = [text_event(u, "รายงานกิจกรรม", timestamp_ms=now_ms - 4000) for u in users]
    spare_tokens = [secrets.token_hex(16) for _ in users]  # for the reference reply calls
    tokens = work / "reply_tokens.txt"
    tokens.write_text(
        "".join(f"{e['replyToken']} {e['source']['userId']}\n" for e in first + second)
        + "".join(f"{token} {user}\n" for token, user in zip(spare_tokens, users, strict=True)),
        encoding="ascii",
    )
    access_token = secrets.token_hex(16)
    fake = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "fake_line.py"), access_token, str(tokens)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    app = None
    try:
        base = fake.stdout.readline().split()[1]  # "READY <base url>"
        settings = Settings(
            line_channel_secret=secrets.token_hex(16),
            line_channel_access_token=access_token,
            secret_key=secrets.token_hex(16),
            database_url=db.url,
            media_dir=work / "media",
            instance_dir=work,
            line_api_base_url=base,
            event_settle_seconds=0.0,
            sweep_interval_seconds=3600.0,
        )
        app = create_app(settings)
        rt = runtime(app)
        executor = rt.executor
        executor.sweep = lambda: 0  # this thread drains; the background threads stay idle
        executor.acks.wait_turn = lambda: None  # no webhook traffic to give way to
        received = rt.clock.now() - timedelta(seconds=5)
        rt.inbox.add([inbox_row(e, received) for e in first])
        for user in users:
            executor._drain_source(user)
        rt.inbox.add([inbox_row(e, received) for e in second])

        counts = {"statements": 0, "commits": 0}

        def counter(name: str) -> Callable[..., None]:
            return lambda *_: counts.__setitem__(name, counts[name] + 1)

        event.listen(rt.engine, "before_cursor_execute", counter("statements"))
        event.listen(rt.engine, "commit", counter("commits"))

        def drain_all() -> None:
            for user in users:
                executor._drain_source(user)

        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        cpu_ms, wall_ms = per_call(events, drain_all)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        figures = Figures(cpu_ms, wall_ms, counts["statements"] / events, counts["commits"] / events, 0, 0)
        check_all_answered(rt, events * 2)

        with rt.session_factory() as session:
            messages = json.loads(session.scalars(select(OutboxMessage.payload)).first())["messages"]

        def reply_all() -> None:
            for token in spare_tokens:
                rt.gateway.reply(token, messages)

        figures.reply_cpu_ms, figures.reply_wall_ms = per_call(events, reply_all)
        return figures
    finally:
        if app is not None:
            runtime(app).close()
        fake.stdin.close()
        fake.wait(timeout=30)
        db.close()


def check_all_answered(rt: Runtime, expected: int) -> None:
    from storage.repositories import InboxRepository, OutboxRepository

    with rt.session_factory() as session:
        inbox, outbox = InboxRepository(session).counts(), OutboxRepository(session).counts()
    if inbox != {"done": expected} or outbox != {"sent": expected}:
        raise SystemExit(f"not every event was processed and answered: inbox {inbox}, outbox {outbox}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="PostgreSQL base URL (a fresh schema is used and dropped)")
    parser.add_argument("--events", type=int, default=1000, help="users, one measured event each (1000)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; medians are quoted (3)")
    parser.add_argument("--profile", action="store_true", help="one more run under cProfile")
    args = parser.parse_args(argv)

    runs = []
    for rep in range(args.repeat):
        f = one_run(args.database_url, args.events, profile=False)
        runs.append(f)
        print(
            f"  run {rep + 1}: {f.cpu_ms:.2f} ms CPU, {f.wall_ms:.2f} ms wall, "
            f"{f.statements:.1f} statements, {f.commits:.1f} commits per event; "
            f"reply call alone {f.reply_cpu_ms:.2f} ms CPU",
            flush=True,
        )

    def med(attr: str) -> float:
        return statistics.median(getattr(f, attr) for f in runs)

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{database}, {args.events} known users, one text event each; medians of {args.repeat} runs")
    print(f"executor, per event:       {med('cpu_ms'):6.2f} ms CPU  {med('wall_ms'):6.2f} ms wall")
    print(f"  SQL per event:           {med('statements'):6.1f} statements, {med('commits'):.1f} commits")
    print(
        f"LINE reply call alone:     {med('reply_cpu_ms'):6.2f} ms CPU  {med('reply_wall_ms'):6.2f} ms wall"
    )
    print(f"executor / reply call:     {med('cpu_ms') / med('reply_cpu_ms'):6.1f} x (CPU)")
    if args.profile:
        one_run(args.database_url, args.events, profile=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

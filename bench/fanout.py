"""Fan-out benchmark: one news post to N recipients through the scheduled-post job and the outbox
to the fake LINE platform, which runs in a child process (its threads must not share a GIL with
the sender). Prints the time next to LINE's rate-limit floor (N ÷ 500 ids per multicast ÷ 200
calls per second) and the ratio; then the same with 30 % of calls failing.

    .venv/bin/python bench/fanout.py [--recipients 100000] [--rounds 5] [--concurrency N] [--database-url URL]

SQLite in a temporary folder unless --database-url is given (PostgreSQL: an empty database or
schema; the benchmark creates its tables there).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, text

TOKEN = "bench-access-token"
FAULTS = [  # 30 % of calls fail, the same mix as the outbox's acceptance test
    {"kind": "429", "probability": 0.10},
    {"kind": "500", "probability": 0.0556, "accept": True},
    {"kind": "500", "probability": 0.0588},
    {"kind": "timeout", "probability": 0.125, "delay": 0.5},
]


def serve_fake() -> None:
    """Child mode: the fake platform; commands on stdin: faults JSON, stats, reset."""
    import gc

    from bot.fakeline.server import FakeLinePlatform

    # The fake keeps a record of every delivery (millions of objects in a 500,000-recipient
    # run), and Python's collector walking them pauses it for up to 0.2 s, which slows the
    # measurement. LINE does not pause because of what we sent: the collector runs between
    # rounds instead (at "reset").
    gc.disable()
    fake = FakeLinePlatform(access_token=TOKEN, validate=False).start()
    print("READY", fake.base_url, flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "faults":
            for fault in json.loads(argument):
                fake.inject_fault(fault.pop("kind"), path_prefix="/v2/bot/message/", **fault)
        elif command == "reset":
            fake.reset()
            gc.collect()
        elif command == "stats":
            counts = fake.delivery_counts("multicast")
            calls = fake.calls("POST", "/v2/bot/message/multicast")
            print(
                json.dumps(
                    {
                        "recipients": len(counts),
                        "duplicates": sum(c - 1 for c in counts.values()),
                        "calls": len(calls),
                        "failed_calls": sum(1 for c in calls if c.status != 200),
                        "limit_violations": len(fake.limit_violations),
                    }
                ),
                flush=True,
            )
        if command != "stats":
            print("OK", flush=True)
    fake.stop()


class Fake:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-fake"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = self.process.stdout.readline().split()[1]

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=10)


def reset_database(url: str) -> None:
    from storage.migrate import upgrade
    from storage.models import Base

    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        upgrade(url)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        upgrade(url)
    engine.dispose()


class LimiterBefore:
    """The limiter before 2026-12-05, measured in the same run as the baseline: 200 calls in any
    1.1 s, each counted from its start only. bot.line.outbox.RateLimiter now counts a call until 1.1 s
    after its answer, which holds LINE's limit whatever the delays on the way."""

    def __init__(self) -> None:
        from bot.line.outbox import RateLimiter

        self.inner = RateLimiter(200, 1.1)

    def reserve(self) -> float:
        wait = self.inner.reserve()
        if wait == 0:
            self.inner.done()  # counted from now, as before
        return wait

    def done(self) -> None:
        pass


def run(
    url: str, fake: Fake, recipients: int, faults: bool, concurrency: int | None, baseline: bool = False
) -> dict:
    from bot import build_runtime
    from bot.cli.clock import run_once
    from bot.settings import Settings
    from handlers.services.outreach import schedule_post
    from storage.models import LineUser
    from storage.repositories import OutboxRepository

    reset_database(url)
    fake.ask("reset")
    settings = Settings(
        line_channel_secret="bench",
        line_channel_access_token=TOKEN,
        secret_key="bench",
        database_url=url,
        media_dir=Path(tempfile.gettempdir()),
        line_api_base_url=fake.base_url,
        line_timeout_seconds=0.3 if faults else 5.0,
        outbox_max_attempts=30,
        quiet_hours="00:00-00:00",  # measure at any hour
    )
    if concurrency:
        settings = settings.with_(outbox_fanout_concurrency=concurrency)
    rt = build_runtime(settings)
    if baseline:
        rt.outbox.limiters["multicast"] = LimiterBefore()
    now = rt.clock.now()
    with rt.session_factory.begin() as session:
        rows = [
            {
                "line_user_id": f"U{i:032x}",
                "language": "th",
                "blocked": False,
                "news_opt_in": True,
                "created_at": now,
            }
            for i in range(recipients)
        ]
        for start in range(0, len(rows), 10_000):
            session.execute(insert(LineUser), rows[start : start + 10_000])
        schedule_post(
            session, post_key="results-at-tcac", segment="news", at=now, created_by="bench", now=now
        )
    if faults:
        fake.ask("faults " + json.dumps(FAULTS))
    started = time.perf_counter()
    run_once(rt, "posts")  # the quota check, the audience, the outbox rows
    queued = time.perf_counter() - started
    while True:
        run_once(rt, "outbox")
        with rt.session_factory() as session:
            counts = OutboxRepository(session).counts()
        if set(counts) <= {"sent", "dead"}:
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    rt.close()
    stats = json.loads(fake.ask("stats"))
    return {"elapsed": elapsed, "queued": queued, "outbox": counts, **stats}


def main() -> None:
    if "--serve-fake" in sys.argv:
        serve_fake()
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=5, help="rounds without failures (median quoted)")
    parser.add_argument("--concurrency", type=int, help="multicast sender threads (default: the setting's)")
    args = parser.parse_args()
    floor = args.recipients / 500 / 200
    fake = Fake()
    try:
        with tempfile.TemporaryDirectory() as folder:
            # Rounds without failures, alternating the baseline limiter and today's so both see the
            # same machine load (medians quoted); then one round with failures, whose time is the
            # retry back-off's.
            plans = [(False, baseline) for _ in range(args.rounds) for baseline in (True, False)]
            plans.append((True, False))
            results: dict[tuple[bool, bool], list[dict]] = {}
            for index, (faults, baseline) in enumerate(plans):
                url = args.database_url or f"sqlite:///{folder}/bench-{index}.sqlite3"
                result = run(url, fake, args.recipients, faults, args.concurrency, baseline)
                results.setdefault((faults, baseline), []).append(result)
            for (faults, baseline), rounds in results.items():
                result = sorted(rounds, key=lambda r: r["elapsed"])[len(rounds) // 2]
                limiter = (
                    "limiter before (counted from the start)" if baseline else "limiter (until answered)"
                )
                label = "30 % of calls failing" if faults else f"no failures, median of {len(rounds)}"
                spread = ", ".join(f"{r['elapsed']:.2f}" for r in rounds)
                print(
                    f"{args.recipients:,} recipients, {label}, {limiter}: {result['elapsed']:.2f} s "
                    f"(rounds: {spread}; rows queued in {result['queued']:.2f} s); floor {floor:.2f} s; "
                    f"ratio {result['elapsed'] / floor:.2f}; delivered {result['recipients']:,}, "
                    f"duplicates {result['duplicates']}, multicast calls {result['calls']} "
                    f"({result['failed_calls']} failed), rate-limit violations {result['limit_violations']}, "
                    f"outbox {result['outbox']}",
                    flush=True,
                )
    finally:
        fake.close()


if __name__ == "__main__":
    main()

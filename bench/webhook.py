"""Benchmark: ack throughput and latency of the real `POST /callback` next to a bare endpoint.

    .venv/bin/python bench/webhook.py                       # SQLite in a temp dir
    .venv/bin/python bench/webhook.py --database-url postgresql://postgres@127.0.0.1:5432/test

Starts, on 127.0.0.1 only:
  * app:  gunicorn -c python:bot.gunicorn_conf 'bot:create_app()' (2 gthread workers) on a fresh
          database (SQLite file, or a fresh PostgreSQL schema dropped afterwards), its LINE calls
          going to a fake LINE platform (child process) that accepts the events' reply tokens;
  * bare: the same gunicorn settings on bench/bare_app.py (read body, HMAC check, json.loads, 200).

Load: signed single-text-event webhooks (unique webhookEventId, Thai text, many users), made
before the servers start. Each repetition measures both targets back to back with the same
duration: (1) max throughput with wrk (closed loop, -t2 -c16 by default) → requests/s, p50, p99;
(2) a fixed rate (200 requests/s) from an open-loop driver in this process whose latencies are
counted from each request's scheduled send time. The app's event backlog is allowed to drain
(bounded) before the next measurement so its background work does not slow the other target.
Medians over --repeat runs are printed, with PASS/FAIL for the two targets: acknowledgement
throughput at least half the bare app's, and p99 under 100 ms at the fixed rate.

--ack-only holds the app's event executor off (EVENT_SETTLE_SECONDS=86400) to measure the
acknowledgement path alone; --app/--app-pythonpath serve another WSGI app (e.g. a patched copy of the
product) under the same settings, to try a change before making it. See docs/benchmarks.md.

Everything started here is stopped on exit, Ctrl-C or error. No message body or secret is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from database import Database
from load import (
    Interrupted,
    Result,
    free_port,
    make_pools,
    median,
    ms,
    on_sigterm,
    run_constant_rate,
    run_wrk,
)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


# --- processes ------------------------------------------------------------------------------
@dataclass
class Procs:
    """Every child process we start, stopped in reverse order by their own ids."""

    items: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def add(self, name: str, proc: subprocess.Popen) -> subprocess.Popen:
        self.items.append((name, proc))
        return proc

    def stop_all(self) -> None:
        for _name, proc in reversed(self.items):
            if proc.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)  # its own session: the gunicorn master + workers
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self.items.clear()


def start_gunicorn(
    procs: Procs, name: str, app: str, port: int, env: dict[str, str], log_path: Path, extra: list[str]
) -> None:
    """gunicorn with the product's config file (gthread), bound to 127.0.0.1 only."""
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:bot.gunicorn_conf", "-b", f"127.0.0.1:{port}"]
    log = log_path.open("ab")
    proc = subprocess.Popen(
        [*cmd, *extra, app],
        env={**env, "PORT": str(port)},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    procs.add(name, proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name}: gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name}: not healthy after 60 s; see {log_path}")


class FakeLine:
    """bench/fake_line.py as a child process (its own GIL), stopped by closing its stdin."""

    def __init__(self, procs: Procs, access_token: str, tokens: Path, env: dict[str, str]) -> None:
        self.proc = procs.add(
            "fake-line",
            subprocess.Popen(
                [sys.executable, str(BENCH_DIR / "fake_line.py"), access_token, str(tokens)],
                env=env,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            ),
        )
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError("fake LINE platform did not start")
        self.base_url = line.split()[1]

    def stats(self) -> dict:
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())


# --- main -----------------------------------------------------------------------------------
def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found; installing the Debian package (apt-get install -y wrk) …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is required: install it with `apt-get install -y wrk` (Debian/Ubuntu).")


def machine_facts(db: Database) -> list[str]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout
    gunicorn_version = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    wrk_version = (wrk_version.split() or ["wrk", "?"])[:2][-1]
    nproc = len(os.sched_getaffinity(0))
    return [
        f"machine: {nproc} CPUs usable (nproc), {cpu}; {platform.system()} {platform.release()}",
        f"python {platform.python_version()}, {gunicorn_version}, wrk {wrk_version}",
        f"database: {db.version()}"
        + (f" (schema {db.schema}, dropped afterwards)" if db.schema else " (temp file)"),
    ]


def report(
    args, results, db, stored_before, acked, redelivered, drains, processed, kept_up, fake_stats
) -> None:
    def med(name: str, kind: str, attr: str) -> float:
        return median([getattr(x, attr) for x in results[name, kind]])

    print()
    print(
        f"median of {args.repeat} runs    | max load (wrk -c{args.connections})         | {args.rate:g} req/s"
    )
    print(f"{'target':<22}|{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'CPU':>6}  |{'p50 ms':>8}{'p99 ms':>8}")
    app_label = "app (ack only)" if args.ack_only else "app (/callback)"
    for name, label in (("bare", "bare (HMAC + JSON)"), ("app", app_label)):
        print(
            f"{label:<22}|{med(name, 'max', 'rps'):>7.0f}{med(name, 'max', 'p50') * 1000:>8.1f}"
            f"{med(name, 'max', 'p99') * 1000:>8.1f}{med(name, 'max', 'cpu') * 100:>5.0f}%  |"
            f"{med(name, 'rate', 'p50') * 1000:>8.1f}{med(name, 'rate', 'p99') * 1000:>8.1f}"
        )
    errors = {
        f"{n}/{k}": sum(x.errors for x in v) for (n, k), v in results.items() if any(x.errors for x in v)
    }
    if errors:
        print(f"errors (transport or non-2xx): {errors}")
    ratio = med("app", "max", "rps") / med("bare", "max", "rps")
    p99 = med("app", "rate", "p99")
    print(f"ratio app/bare throughput: {ratio:.2f}")
    print(f"{'PASS' if ratio >= 0.5 else 'FAIL'}: ack throughput >= 0.5 x bare ({ratio:.2f})")
    print(f"{'PASS' if p99 < 0.1 else 'FAIL'}: p99 < 100 ms at {args.rate:g} req/s (app {ms(p99)} ms)")
    inbox = db.counts("inbox_events")
    stored = sum(inbox.values()) - stored_before
    verdict = "ok" if stored >= acked else "MISSING EVENTS"
    print(
        f"inbox_events: {sum(inbox.values())} rows {inbox}; measured runs stored {stored}, "
        f"acknowledged {acked} unique ({verdict}; the excess is requests in flight when wrk stopped)"
        + (f"; {redelivered} wrk requests were repeats (pool exhausted, raise --pool)" if redelivered else "")
    )
    print(f"outbox_messages: {db.counts('outbox_messages')}; fake LINE accepted: {fake_stats['deliveries']}")
    if not args.ack_only:
        print(
            f"app processed a median {median(processed):.0f} events/s while under max load, "
            f"and {median(kept_up):.0f} events/s while receiving {args.rate:g}/s"
        )
        print(
            "app backlog after each max-load run drained in "
            + ", ".join(f"{s:.1f} s" + (f" ({left} left)" if left else "") for s, left in drains)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL base URL (a fresh schema is used and dropped)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; medians are quoted (3)")
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per measurement (6)")
    parser.add_argument("--rate", type=float, default=200.0, help="fixed-rate load, requests/s (200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, WEB_CONCURRENCY (2)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--users", type=int, default=2000, help="distinct LINE users in the load (2000)")
    parser.add_argument(
        "--pool", type=int, default=60000, help="unique requests per max-load run of the app (60000)"
    )
    parser.add_argument(
        "--drain-timeout", type=float, default=150.0, help="max wait for the app's backlog (150 s)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    parser.add_argument(
        "--ack-only",
        action="store_true",
        help="hold the app's event executor off (EVENT_SETTLE_SECONDS=86400): measure the ack path alone",
    )
    parser.add_argument(
        "--app", default="bot:create_app()", help="WSGI app of the product under test (to try a patched copy)"
    )
    parser.add_argument("--app-pythonpath", help="directory prepended to the app's import path (with --app)")
    args = parser.parse_args(argv)

    ensure_wrk()
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    work = Path(tempfile.mkdtemp(prefix="ruamjai-bench-"))
    procs = Procs()
    db: Database | None = None
    began = time.monotonic()
    try:
        secret = secrets.token_hex(16)  # LINE channel secret for this run only; never printed
        access_token = secrets.token_hex(16)
        fixed = int(args.rate * args.duration)
        sizes = {"warmup": 3000}
        for rep in range(args.repeat):
            sizes[f"max{rep}"] = args.pool
            sizes[f"rate{rep}"] = fixed
        print(f"generating {sum(sizes.values())} signed requests for {args.users} users …", flush=True)
        pools, tokens = make_pools(work, secret, sizes, args.users, seed=os.getpid())

        db = Database(args.database_url, work)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("LINE_", "DATABASE_URL", "GUNICORN_CMD_ARGS", "WEB_CONCURRENCY"))
        }
        env["WEB_CONCURRENCY"] = str(args.workers)
        fake = FakeLine(procs, access_token, tokens, env)
        app_env = {
            **env,
            "LINE_CHANNEL_SECRET": secret,
            "LINE_CHANNEL_ACCESS_TOKEN": access_token,
            "SECRET_KEY": secrets.token_hex(16),
            "DATABASE_URL": db.url,
            "LINE_API_BASE_URL": fake.base_url,
            "RUAMJAI_INSTANCE": str(work / "instance"),
            "MEDIA_DIR": str(work / "instance" / "media"),
        }
        if args.ack_only:
            # The executor never becomes due during the run: only the acknowledgement path is
            # measured and the events stay pending in the inbox.
            app_env["EVENT_SETTLE_SECONDS"] = "86400"
            args.drain_timeout = 0.0
        bare_env = {**env, "LINE_CHANNEL_SECRET": secret}
        ports = {"bare": free_port(), "app": free_port()}
        app_extra = ["--pythonpath", args.app_pythonpath] if args.app_pythonpath else []
        start_gunicorn(procs, "app", args.app, ports["app"], app_env, work / "app.log", app_extra)
        start_gunicorn(
            procs,
            "bare",
            "bare_app:create_app()",
            ports["bare"],
            bare_env,
            work / "bare.log",
            ["--pythonpath", str(BENCH_DIR)],
        )
        for line in machine_facts(db):
            print(line)
        threads = app_env.get("GUNICORN_THREADS", "8")
        print(
            f"gunicorn: {args.workers} gthread workers x {threads} threads each; "
            f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration:g}s; "
            f"fixed rate {args.rate:g}/s for {args.duration:g}s; {args.repeat} repetitions",
            flush=True,
        )

        # Warm up both (imports, connection pools, first SQLite pages), then let the app drain.
        for name in ("bare", "app"):
            run_wrk(ports[name], pools["warmup"], 2, args.wrk_threads, args.connections)
        db.wait_drained(args.drain_timeout)
        stored_before = sum(db.counts("inbox_events").values())
        acked = 0  # unique events the app answered 2xx to (what the inbox must hold at least)
        redelivered = 0  # wrk requests beyond the pool: repeats of an already sent event
        results: dict[tuple[str, str], list[Result]] = {}
        drains: list[tuple[float, int]] = []
        processed: list[float] = []  # events/s processed during each app max-load run
        kept_up: list[float] = []  # events/s processed during each app fixed-rate run
        for rep in range(args.repeat):
            for name in ("bare", "app"):
                pool = pools[f"max{rep}"]
                done_before = db.done()
                result = run_wrk(ports[name], pool, args.duration, args.wrk_threads, args.connections)
                results.setdefault((name, "max"), []).append(result)
                if name == "app":
                    # Events the app processed (and answered) while it was acknowledging at full speed.
                    processed.append((db.done() - done_before) / args.duration)
                    # A wrk thread that ran out of its share of the pool repeats its requests
                    # (redeliveries, stored once): count only the unique ones.
                    acked += min(result.requests - result.errors, result.unique)
                    redelivered += max(0, result.requests - result.unique)
                    drains.append(db.wait_drained(args.drain_timeout))
            for name in ("bare", "app"):
                done_before = db.done()
                result = run_constant_rate(ports[name], pools[f"rate{rep}"], args.rate, args.duration)
                results.setdefault((name, "rate"), []).append(result)
                if name == "app":
                    kept_up.append((db.done() - done_before) / args.duration)
                    acked += result.requests - result.errors
                    db.wait_drained(args.drain_timeout)
            last = {key: runs[-1] for key, runs in results.items()}
            print(
                f"  run {rep + 1}: max load bare {last['bare', 'max'].rps:.0f} req/s, "
                f"app {last['app', 'max'].rps:.0f} req/s; at {args.rate:g}/s p99 bare "
                f"{ms(last['bare', 'rate'].p99)} ms, app {ms(last['app', 'rate'].p99)} ms"
                + (
                    ""
                    if args.ack_only
                    else f"; app processed {processed[-1]:.0f} events/s meanwhile"
                    f" and {kept_up[-1]:.0f} events/s at {args.rate:g}/s"
                    f"; app backlog drained in {drains[-1][0]:.1f} s"
                    + (f" ({drains[-1][1]} still pending)" if drains[-1][1] else "")
                ),
                flush=True,
            )
        db.wait_drained(args.drain_timeout)
        report(args, results, db, stored_before, acked, redelivered, drains, processed, kept_up, fake.stats())
        print(f"total bench time {time.monotonic() - began:.0f} s")
        return 0
    except (KeyboardInterrupt, Interrupted):
        print("interrupted; stopping everything", file=sys.stderr)
        return 130
    finally:
        procs.stop_all()
        if db is not None:
            db.close()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""`ruamjai demo`: the whole bot on this machine with no LINE channel.

One process: the fake LINE platform, the web app on SQLite (webhook, executor, the LINE simulator
at /simulator), and the clock process's jobs as threads, all on one shiftable clock so the
simulator can travel forward in time. Example data is loaded once; starting again keeps the data
(and the clock's lead). Ctrl-C or SIGTERM stops everything.

Where things plug in:
- clock jobs: `clock_jobs()` (the clock process's list, `bot.cli.clock.jobs(runtime)`, once it exists);
- example data: `seed_steps()` (the campaign; bot.demo_data: agencies, coordinators, reports),
  each step idempotent, run once per database;
- rich menus: `sync_rich_menus()` runs `ruamjai richmenu sync` against the fake when that command
  exists (whichever `bot/cli/<topic>.py` registers it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bot.demo_data import EXAMPLE_STAFF_NAME, Users, load_example_agencies, load_example_staff
from bot.runtime import Runtime
from bot.settings import Settings
from bot.timeutil import ShiftableClock

log = logging.getLogger("ruamjai")

# (name, job, interval in seconds): what the clock process schedules, run here as threads.
ClockJob = tuple[str, Callable[[], object], float]
# (name, step): one piece of example data; `step(session, now)` must be idempotent.
SeedStep = tuple[str, Callable[[Session, datetime], object]]


def clock_jobs(rt: Runtime) -> list[ClockJob]:
    """The clock process's jobs (bot.cli.clock's registry), for threads in this one process."""
    from bot.cli.clock import jobs

    return jobs(rt)


class ClockThreads:
    """Runs each clock job on its own thread every `interval` seconds (a slow run is never
    overlapped by the next). `wake()` runs them all now: after time travel, what fell due shows."""

    def __init__(self, jobs: list[ClockJob]) -> None:
        self.jobs = jobs
        self._stop = threading.Event()
        self._wakes = [threading.Event() for _ in jobs]
        self._threads: list[threading.Thread] = []

    def start(self) -> ClockThreads:
        for (name, job, interval), wake in zip(self.jobs, self._wakes, strict=True):
            thread = threading.Thread(
                target=self._loop, args=(name, job, interval, wake), name=f"clock-{name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _loop(self, name: str, job: Callable[[], object], interval: float, wake: threading.Event) -> None:
        while not self._stop.is_set():
            try:
                job()
            except Exception:  # a failing pass must not end the job: the next one tries again
                log.exception("clock job failed", extra={"job": name})
            wake.wait(interval)
            wake.clear()

    def wake(self) -> None:
        for wake in self._wakes:
            wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=timeout)


# -- example data ---------------------------------------------------------------------------------


def seed_steps(users: Users | None = None) -> list[SeedStep]:
    """The example data the demo loads: the example campaign, a few agencies and their reports.

    `users` (the simulator's world) gets the example coordinators as simulated users.
    Each step must be idempotent: it runs once per database, and again if a crash
    stopped the demo before the step was written down.
    """
    from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign

    steps: list[SeedStep] = [
        (
            "example campaign",
            lambda session, now: load_campaign(
                session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now)
            ),
        )
    ]
    # Staff first: the example agencies' registrations notify staff, who must exist by then.
    steps.append(("example staff", lambda session, now: load_example_staff(session, now, users)))
    steps.append(("example agencies", lambda session, now: load_example_agencies(session, now, users)))
    return steps


# The demo starts this many days before the example round's report deadline.
DEMO_DAYS_BEFORE_REPORT_DEADLINE = 10


def example_round_shift(now: datetime) -> int:
    """Days that move the example round (ปีงบประมาณ 2567, in 2024) so the demo starts inside it, in
    its reporting phase, DEMO_DAYS_BEFORE_REPORT_DEADLINE days before the report deadline: the
    example reports (last month) fall inside the round, and time travel reaches the 7-, 3- and
    1-day reminders and the evidence deadline's in a few taps. Loaded once per database, so a
    demo started again keeps its round."""
    from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, validate_campaign
    from handlers.services.thaitime import BANGKOK

    meaning, _problems = validate_campaign(EXAMPLE_CAMPAIGN.read_text(encoding="utf-8"))
    assert meaning is not None, (
        "the example campaign file must be valid (tests/handlers/services/test_campaigns.py)"
    )
    due = next(d for d in meaning["deadlines"] if d["kind"] == "report")
    due_day = datetime.fromisoformat(due["due"]).astimezone(BANGKOK).date()
    start_day = now.astimezone(BANGKOK).date() + timedelta(days=DEMO_DAYS_BEFORE_REPORT_DEADLINE)
    return (start_day - due_day).days


def seed(rt: Runtime, marker: Path, fresh_database: bool, steps: list[SeedStep] | None = None) -> list[str]:
    """Run the seed steps this database has not had yet; returns the names of those run."""
    steps = seed_steps() if steps is None else steps
    database = hashlib.sha256(rt.settings.database_url.encode()).hexdigest()[:16]
    try:
        done = json.loads(marker.read_text())
    except (FileNotFoundError, ValueError):
        done = {}
    if fresh_database or done.get("database") != database:
        done = {"database": database, "steps": []}
    ran = []
    for name, step in steps:
        if name in done["steps"]:
            continue
        with rt.session_factory.begin() as session:
            step(session, rt.clock.now())
        done["steps"].append(name)
        marker.write_text(json.dumps(done))
        ran.append(name)
    return ran


# -- rich menus -----------------------------------------------------------------------------------


def sync_rich_menus(settings: Settings) -> str:
    """Run `ruamjai richmenu sync` against the fake platform, if that command exists:
    the same command an operator runs against real LINE, so the demo shows the real menus."""
    env = {
        **os.environ,
        "LINE_API_BASE_URL": settings.line_api_base_url or "",
        "LINE_CHANNEL_ACCESS_TOKEN": settings.line_channel_access_token,
        "LINE_CHANNEL_SECRET": settings.line_channel_secret,
        "SECRET_KEY": settings.secret_key,
        "DATABASE_URL": settings.database_url,
        "RUAMJAI_INSTANCE": str(settings.instance_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "richmenu", "sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode == 2 and "invalid choice" in result.stderr:
        return "No rich menus yet (there is no `ruamjai richmenu sync`)."
    if result.returncode != 0:
        return f"Rich-menu sync failed ({result.returncode}): {result.stderr.strip()[-500:]}"
    return "Rich menus synced to the fake LINE platform."


# -- the demo -------------------------------------------------------------------------------------


@dataclass
class SavedClock:
    """The demo clock's lead over the wall clock, kept across restarts (data written in the
    simulated future must not end up ahead of the clock when the demo starts again)."""

    path: Path
    clock: ShiftableClock = field(default_factory=ShiftableClock)

    def load(self) -> ShiftableClock:
        try:
            lead = float(json.loads(self.path.read_text())["lead_seconds"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            lead = 0.0
        if lead > 0:
            self.clock.advance(lead)
        self.clock.on_advance(lambda _seconds: self.save())
        return self.clock

    def save(self) -> None:
        self.path.write_text(json.dumps({"lead_seconds": self.clock.offset.total_seconds()}))


def with_local_links(settings: Settings, host: str, port: int) -> Settings:
    """The demo's links (share images) point at the demo itself unless PUBLIC_BASE_URL says
    otherwise: its fake LINE platform and simulator open them on this machine."""
    if settings.public_base_url:
        return settings
    return settings.with_(public_base_url=f"http://{host}:{port}")


def _start_fake(settings: Settings):
    from bot.fakeline.schema import SpecNotFoundError
    from bot.fakeline.server import FakeLinePlatform

    try:
        return FakeLinePlatform(access_token=settings.line_channel_access_token, validate=True).start()
    except SpecNotFoundError as missing:
        # The tests insist on the specs; a demo on a machine without them still runs.
        print(f"{missing}. The fake LINE platform runs without checking requests against LINE's schema.")
        return FakeLinePlatform(access_token=settings.line_channel_access_token, validate=False).start()


def _sqlite_file(database_url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(database_url[len(prefix) :]) if database_url.startswith(prefix) else None


def run_demo(host: str, port: int) -> int:
    """Start everything, print the simulator's address, serve until Ctrl-C or SIGTERM."""
    from werkzeug.serving import make_server

    from bot import create_app
    from bot.runtime import runtime
    from storage.migrate import upgrade

    settings = with_local_links(Settings.from_env(demo=True), host, port)
    # One line per request, with the simulator page asking every second, would drown the log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    fake = None
    if not os.environ.get("LINE_CHANNEL_ACCESS_TOKEN"):
        fake = _start_fake(settings)
        settings = settings.with_(line_api_base_url=fake.base_url)
    sqlite_file = _sqlite_file(settings.database_url)
    fresh = sqlite_file is not None and not sqlite_file.exists()
    upgrade(settings.database_url)
    clock = SavedClock(settings.instance_dir / "demo-clock.json").load()
    if fake is not None:
        clock.on_advance(fake.advance)  # reply tokens and retry keys age with the simulated time
    app = create_app(settings, clock=clock)
    rt = runtime(app)
    threads = None
    server = None
    try:
        steps = seed_steps(app.extensions.get("simulator"))
        for name in seed(rt, settings.instance_dir / "demo-seed.json", fresh, steps):
            print(f"Loaded example data: {name}")
        threads = ClockThreads(clock_jobs(rt)).start()
        clock.on_advance(lambda _seconds: threads.wake())
        server = make_server(host, port, app, threaded=True)

        def _terminate(*_args: object) -> None:
            raise KeyboardInterrupt  # unwinds serve_forever here; shutdown() here would deadlock

        signal.signal(signal.SIGTERM, _terminate)
        url = f"http://{host}:{port}"
        (settings.instance_dir / "demo.json").write_text(
            json.dumps(
                {
                    "url": url,
                    "fake_line": fake.base_url if fake else None,
                    "channel_secret": settings.line_channel_secret,
                }
            )
        )
        print(f"Ruamjai demo on {url}  (health: /healthz, webhook: /callback)")
        print(f"Clock jobs: {', '.join(name for name, _, _ in threads.jobs)}")
        if fake is not None and "simulator" in app.extensions:
            print(f"LINE simulator: {url}/simulator")
            print(f"Staff web: {url}/staff/sign-in  (the simulator's {EXAMPLE_STAFF_NAME} sends the code)")
        else:
            print(f"Staff web: {url}/staff/sign-in")
        sys.stdout.flush()
        if fake is not None:
            # Beside serving, not before it: the simulator shows the menus as soon as they exist.
            threading.Thread(
                target=lambda: print(sync_rich_menus(settings), flush=True), name="richmenu-sync", daemon=True
            ).start()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.server_close()
        if threads is not None:
            threads.stop()
        rt.close()
        if fake is not None:
            fake.stop()
    print("Ruamjai demo stopped.")
    return 0

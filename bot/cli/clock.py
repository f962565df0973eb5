"""`ruamjai clock`: the one process that runs timed work (APScheduler 3, Asia/Bangkok).

Every job is a module-level function of a `Runtime` that opens its own sessions, listed once in
`JOBS`. The clock process builds one runtime and schedules them; `ruamjai clock run-once JOB`
runs one by hand; the demo runs the same jobs in threads (`start_background`). Nothing is
scheduled inside web workers.

Exactly one clock works at a time: a second one started by mistake waits on a lock (PostgreSQL
advisory lock, or an flock beside the SQLite file) and says so in its log. Each job is safe to run
twice at once anyway (outbox rows are claimed, posts are taken by a conditional update, the purge
deletes only finished rows), so a job run by hand next to the clock does no harm.

The daily reminder planner ("reminders") writes deadline reminders into the outbox;
what to remind whom of is decided in handlers/services/reminders.py.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from storage.outreach_repository import purge_finished
from storage.process_lock import LockLost, ProcessLock

if TYPE_CHECKING:  # the CLI lists the jobs without importing the web stack
    from bot.runtime import Runtime

log = logging.getLogger("ruamjai.clock")

# One outbox pass sends at most this long before giving the scheduler its thread back.
OUTBOX_PASS_SECONDS = 5.0


def send_outbox(rt: Runtime) -> int:
    """Send what the outbox holds, pass after pass, until nothing is due (or 5 s went by, so a
    SIGTERM is obeyed promptly; the next tick goes on)."""
    deadline = time.monotonic() + OUTBOX_PASS_SECONDS
    total = 0
    while time.monotonic() < deadline:
        attempted = rt.outbox.send_due()
        total += attempted
        if not attempted:
            break
    return total


def queue_due_posts(rt: Runtime) -> int:
    """Turn scheduled posts whose time has come into outbox rows, within the monthly quota."""
    from bot.line.outreach_delivery import queue_due_posts as queue

    return queue(rt)


def sweep_inbox(rt: Runtime) -> int:
    """Hand events left pending (their process died) back to the executor."""
    return rt.executor.sweep()


def purge_old_rows(rt: Runtime) -> dict[str, int]:
    """Delete finished inbox events and outbox rows older than RETENTION_DAYS (never pending ones)."""
    cutoff = rt.clock.now() - timedelta(days=rt.settings.retention_days)
    deleted = purge_finished(rt.session_factory, cutoff)
    log.info("purged old rows", extra=deleted)
    return deleted


# Photos handled per transaction by the photo purge.
PHOTO_PURGE_BATCH = 200


def purge_unattached_photos(rt: Runtime) -> int:
    """Delete photos no report holds: those received more than PHOTO_RETENTION_DAYS ago and never
    attached, and removed ones (unsent, or an erased person's). Each batch is marked removed first
    (a report confirmed meanwhile cannot take them), then its files go, then its rows; a photo
    whose file could not be deleted keeps its row for the next run. Returns the rows deleted."""
    from storage.photo_repository import PhotoRepository

    media = rt.media
    if media is None:  # no store to delete files from: rows stay, so no file is left unnamed
        return 0
    now = rt.clock.now()
    cutoff = now - timedelta(days=rt.settings.photo_retention_days)
    deleted, after_id = 0, 0
    while True:
        with rt.session_factory.begin() as session:
            batch = PhotoRepository(session).retire_stale(cutoff, now, PHOTO_PURGE_BATCH, after_id)
        if not batch:
            break
        gone = []
        for stored in batch:
            try:
                for key in stored.keys:
                    media.delete(key)
            except Exception:
                log.exception("photo file not deleted", extra={"photo_id": stored.photo_id})
                continue
            gone.append(stored.photo_id)
        with rt.session_factory.begin() as session:
            deleted += PhotoRepository(session).delete_rows(gone)
        after_id = batch[-1].photo_id
    log.info("purged unattached photos", extra={"deleted": deleted})
    return deleted


def plan_reminders(rt: Runtime) -> int:
    """Write the deadline reminders due now into the outbox (handlers/services/reminders.py); the outbox
    job sends them. In quiet hours it plans nothing: the first run after them plans from the
    agencies' status then (a reminder written at night and held until morning could name work
    finished overnight)."""
    from bot.settings import parse_quiet_hours
    from bot.timeutil import quiet_until
    from handlers.services.reminders import plan_reminders as plan

    now = rt.clock.now()
    if quiet_until(now, *parse_quiet_hours(rt.settings.quiet_hours), rt.settings.time_zone):
        log.info("reminders wait: quiet hours")
        return 0
    with rt.session_factory.begin() as session:
        written = plan(session, now)
    log.info("reminders planned", extra={"written": written})
    return written


def refresh_public_figures(rt: Runtime) -> int:
    """Recompute the public pages' figures (handlers/services/public_results.py) when something
    marked them stale or they are a minute old; returns 1 when it recomputed, else 0."""
    from handlers.services.public_results import refresh_if_due

    with rt.session_factory.begin() as session:
        return int(refresh_if_due(session, rt.clock.now()))


@dataclass(frozen=True)
class Job:
    """A job and how APScheduler runs it. `misfire_grace_time` (seconds, None = however late)
    and `coalesce` (several missed runs become one) are chosen per job; see JOBS."""

    name: str
    run: Callable[[Runtime], Any]
    trigger: str  # "interval" or "cron"
    trigger_args: dict[str, Any]
    misfire_grace_time: int | None
    coalesce: bool
    # Runs that find the previous one still going are expected (long fan-outs): not worth a warning.
    overlap_expected: bool = False
    start_now: bool = field(default=True)


def _nightly(name: str, run: Callable[[Runtime], Any], minute: int) -> Job:
    """A job run daily at 03:<minute> Bangkok, when nobody chats (see the purge's comment in JOBS)."""
    return Job(name, run, "cron", {"hour": 3, "minute": minute}, 6 * 3600, True, start_now=False)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        # Every second; a pass that runs long (a 100,000-recipient fan-out) simply makes the next
        # ticks skip: max_instances=1. Late is fine (None: run however late) and ten missed ticks
        # are one pass (coalesce): the job sends whatever is due when it runs.
        Job("outbox", send_outbox, "interval", {"seconds": 1}, None, True, overlap_expected=True),
        # Posts are checked every 30 s; a check missed while the process was busy or down is
        # still worth doing late, once. Their rows then wait out quiet hours in the outbox.
        Job("posts", queue_due_posts, "interval", {"seconds": 30}, None, True),
        # Stuck events: the web workers sweep too; this is the safety net. Late is fine, once.
        Job("sweep", sweep_inbox, "interval", {"seconds": 15}, None, True),
        # Daily at 03:30 Bangkok, when nobody chats. If the clock was down then, run it when it
        # comes back within 6 hours; later than that, wait for tomorrow's quiet hour rather than
        # delete in the middle of the working day. One run covers any number of missed days.
        _nightly("purge", purge_old_rows, minute=30),
        # At 03:45 Bangkok, after the rows' purge, on the same terms: photos never attached to a
        # report are deleted once PHOTO_RETENTION_DAYS old, removed ones at once.
        _nightly("photos", purge_unattached_photos, minute=45),
        # Every hour on the hour, and once when the clock starts. Reminders are due at 09:00
        # Bangkok; the other runs find them written already (dedupe keys) and cost one query per
        # deadline in its reminder window. Hourly, a clock that was down at 09:00 catches up when
        # it comes back (None: however late; coalesce: one run for any number of missed ones),
        # and quiet hours that end after 09:00 (QUIET_HOURS) delay reminders to their end instead
        # of losing them: runs in quiet hours plan nothing. The planner sends only the latest
        # reminder due, never a backlog of stale ones.
        Job("reminders", plan_reminders, "cron", {"minute": 0}, None, True),
        # Every 10 s: a change marked stale (an approval, a consent withdrawn) reaches the public
        # pages within seconds, and no figures are older than a minute; page reads never wait for
        # the recomputation. A missed run is not worth catching up on (the next run does it).
        Job("public", refresh_public_figures, "interval", {"seconds": 10}, 10, True),
    )
}


def jobs(rt: Runtime) -> list[tuple[str, Callable[[], Any], float]]:
    """The registry as (name, callable, seconds between runs), for `ruamjai demo`'s clock threads
    (bot/demo.py: one process, no lock, woken after time travel). A daily job runs once a day
    from when the demo starts, an hourly one once an hour."""
    return [(job.name, functools.partial(job.run, rt), _period(job)) for job in JOBS.values()]


def _period(job: Job) -> float:
    if "seconds" in job.trigger_args:
        return float(job.trigger_args["seconds"])
    return 24 * 3600.0 if "hour" in job.trigger_args else 3600.0


def run_once(rt: Runtime, name: str) -> Any:
    """Run one job now, in this thread (`ruamjai clock run-once JOB`)."""
    return JOBS[name].run(rt)


def _guarded(job: Job, rt: Runtime) -> Callable[[], Any]:
    def run() -> Any:
        try:
            return job.run(rt)
        except Exception:
            log.exception("clock job failed", extra={"job": job.name})
            return None

    return run


class _QuietOverlap(logging.Filter):
    """Drop APScheduler's "skipped: maximum number of running instances" for jobs whose runs are
    expected to outlast their interval; keep it (a sign of trouble) for the others."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances" not in str(record.msg):
            return True
        return not any(f'"{name}' in record.getMessage() for name in self.names)


def add_jobs(scheduler, rt: Runtime, names: list[str] | None = None) -> None:
    """Put the registry's jobs (or the named ones) on an APScheduler scheduler."""
    selected = [JOBS[name] for name in names] if names else list(JOBS.values())
    now = datetime.now(scheduler.timezone)
    for job in selected:
        scheduler.add_job(
            _guarded(job, rt),
            job.trigger,
            id=job.name,
            name=job.name,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_time,
            coalesce=job.coalesce,
            **({"next_run_time": now} if job.start_now else {}),
            **job.trigger_args,
        )
    quiet = {job.name for job in selected if job.overlap_expected}
    logging.getLogger("apscheduler.scheduler").addFilter(_QuietOverlap(quiet))


def start_background(rt: Runtime, names: list[str] | None = None):
    """The jobs in threads of this process (the demo): an APScheduler BackgroundScheduler,
    started; call `.shutdown()` on it to stop. Takes no lock: the demo is one process."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=rt.settings.time_zone)
    add_jobs(scheduler, rt, names)
    scheduler.start()
    return scheduler


# How often the clock checks it still holds its lock (PostgreSQL: the connection is alive).
LOCK_CHECK_SECONDS = 15


def run_clock(build_runtime: Callable[[], Runtime], database_url: str, instance_dir) -> int:
    """The clock process: wait for the clock lock, then run the jobs until SIGTERM/SIGINT.

    Returns 0 on a clean stop, 3 if the lock was lost (the supervisor restarts the process, which
    then waits for whichever clock holds the lock now)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    stop = threading.Event()

    def _terminate(*_args) -> None:
        # Only set a flag: the handler runs in the main thread, which may be inside APScheduler
        # holding its executor's lock; calling shutdown() here deadlocks. The "stop" job obeys it.
        stop.set()

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    lock = ProcessLock(database_url, "clock", fallback_dir=instance_dir)
    if not lock.acquire(stop):
        return 0
    lost = threading.Event()
    rt = build_runtime()
    from bot.config_checks import check_public_links

    check_public_links(rt)  # the one clock at start-up: logged, and staff told once
    try:
        blocking = BlockingScheduler(timezone=rt.settings.time_zone)
        add_jobs(blocking, rt)

        def check_lock() -> None:
            try:
                lock.check()
            except LockLost:
                log.error("clock lock lost; stopping so that only one clock works")
                lost.set()
                blocking.shutdown(wait=False)

        blocking.add_job(
            check_lock, "interval", seconds=LOCK_CHECK_SECONDS, id="lock", max_instances=1, coalesce=True
        )

        def obey_stop() -> None:
            if stop.is_set():
                blocking.shutdown(wait=False)

        blocking.add_job(obey_stop, "interval", seconds=1, id="stop", max_instances=1, coalesce=True)
        log.info("clock started", extra={"jobs": ",".join(JOBS)})
        if not stop.is_set():
            blocking.start()
    finally:
        rt.close()
        lock.release()
    return 3 if lost.is_set() else 0

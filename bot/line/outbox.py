"""The outbox sender: sends what the outbox holds, within LINE's limits, exactly once.

Runs in the clock process (a thread in demo mode); the executor also calls `deliver()` inline for
replies right after an event commits. Each row keeps one X-Line-Retry-Key for all its attempts, so
a retry after a timeout that LINE in fact accepted comes back 409 and counts as sent.
"""

from __future__ import annotations

import collections
import json
import logging
import random
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.line.gateway import LineApiError, LineGateway
from bot.line.richmenu_link import MenusNotSynced
from bot.settings import Settings, parse_quiet_hours
from bot.timeutil import Clock, SystemClock, quiet_until
from handlers.services.people import forget_export_links
from storage.repositories import OutboxRepository, UserRepository

log = logging.getLogger("ruamjai.outbox")

# A row whose rate-limit slot is further off than this is handed back untried rather than held
# by a sender thread: broadcasts (60/hour). Per-second limits wait at most one window (1.1 s).
HAND_BACK_AFTER_SECONDS = 2.0


class RateLimiter:
    """Sliding-window limiter: at most `limit` calls in any `window` seconds (thread-safe).

    A call counts from the moment its slot is taken (`reserve`) until `window` seconds after its
    answer came back (`done`). LINE counts a call when it arrives, which is somewhere between the
    two, so however long calls spend on the way there or back, no `limit + 1` of them reach LINE
    within `window` seconds: of any `limit + 1` calls, the one reserved last found the other
    `limit` still counted. (Counting from the start alone holds only while two calls' delays on the
    way differ by less than a margin.)"""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._answered: collections.deque[float] = collections.deque()  # when each came back
        self._in_flight = 0
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take a slot now and return 0, or return how many seconds until one frees up. A slot
        taken must be given back with `done` once the call is answered or given up on."""
        with self._lock:
            now = time.monotonic()
            while self._answered and self._answered[0] <= now - self.window:
                self._answered.popleft()
            if len(self._answered) + self._in_flight < self.limit:
                self._in_flight += 1
                return 0.0
            # The next slot frees `window` after the oldest answer; with every slot in flight,
            # no sooner than `window` from now. (Never 0: that means a slot was taken.)
            oldest = self._answered[0] if self._answered else now
            return max(oldest + self.window - now, 1e-6)

    def done(self) -> None:
        """The call in a reserved slot has its answer (or failed): it counts for `window` more."""
        with self._lock:
            self._in_flight -= 1
            self._answered.append(time.monotonic())


@dataclass(frozen=True)
class Limits:
    """LINE's per-channel limits (LINE.md). The per-second ones are kept at LINE's own counts;
    `RateLimiter` counts each call until a window after its answer, which keeps any second of
    LINE's under the count whatever the delays on the way, and the window has a 0.1 s margin
    for LINE's clock and its way of cutting seconds. (A margin on the count, 180 in any 1.0 s,
    made a 200-call fan-out wait a whole second for its last 20 calls.)"""

    multicast_per_window: int = 200  # LINE: 200/s
    push_per_window: int = 2000  # LINE: 2,000/s
    richmenu_link_per_window: int = 2000  # LINE: (bulk) link and unlink, 2,000/s each
    window_seconds: float = 1.1  # LINE counts per second; 0.1 s margin (see above)
    broadcast_per_hour: int = 58  # LINE: 60/h for broadcast and narrowcast together


@dataclass
class OutboxJob:
    """What one send needs: read from the row inside its transaction, or, for a reply the
    executor has just written already claimed, taken from memory (`deliver_claimed`)."""

    kind: str
    retry_key: str
    attempts: int
    recipients: list[str]
    payload: dict
    token: str | None


class OutboxSender:
    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        read_factory: sessionmaker[Session] | None = None,
        gateway: LineGateway,
        settings: Settings,
        clock: Clock | None = None,
        limits: Limits | None = None,
        menu_linker=None,
    ) -> None:
        self.session_factory = session_factory
        self.read_factory = read_factory or session_factory
        self.gateway = gateway
        self.settings = settings
        self.clock = clock or SystemClock()
        limits = limits or Limits()
        window = limits.window_seconds
        per_second = RateLimiter(limits.push_per_window, window)
        fanout = RateLimiter(limits.broadcast_per_hour, 3600.0)
        self.limiters = {
            "reply": per_second,
            "push": per_second,
            "multicast": RateLimiter(limits.multicast_per_window, window),
            "broadcast": fanout,
            "narrowcast": fanout,
            "richmenu": RateLimiter(limits.richmenu_link_per_window, window),
        }
        # Sends "richmenu" rows (OutboxRepository.enqueue_richmenu_link): bot.line.richmenu_link's
        # RichMenuLinker. Without one, or before the first sync, such rows are skipped.
        self.menu_linker = menu_linker
        self._quiet = parse_quiet_hours(settings.quiet_hours)
        self._pool: ThreadPoolExecutor | None = None
        self._fanout_pool: ThreadPoolExecutor | None = None

    def _lease(self) -> timedelta:
        return timedelta(seconds=self.settings.line_timeout_seconds * 2 + 30)

    def _backoff(self, attempts: int, error: LineApiError) -> float:
        if error.quota_exhausted:
            return 3600.0  # the monthly quota will not come back in seconds
        if error.retry_after:
            return error.retry_after
        base = self.settings.outbox_backoff_base_seconds * (2 ** (attempts - 1))
        return min(self.settings.outbox_backoff_max_seconds, base) * random.uniform(0.5, 1.0)

    def deliver(self, row_id: int, *, owned: bool = False, record_sent: bool = True) -> str:
        """Try to send one row now. Returns the outcome: sent, retry, dead, skipped, busy, later,
        quiet (a non-urgent row handed back until quiet hours end).

        `owned`: the caller wrote the row already claimed (the executor's replies), so it is sent
        without another claim. `record_sent`: see `deliver_claimed`.
        """
        now = self.clock.now()
        factory = self.read_factory if owned else self.session_factory
        with factory.begin() as session:
            repo = OutboxRepository(session)
            if not owned and not repo.claim(row_id, now, self._lease()):
                return "busy"
            row = repo.get(row_id)
            if row is None or row.status != "sending":
                return "busy"
            if not row.urgent:
                until = quiet_until(now, *self._quiet, self.settings.time_zone)
                if until is not None:
                    # News at night makes people block the account: hand it back, untried, for
                    # the end of quiet hours (never `owned`: only replies are written claimed).
                    repo.unclaim(row_id, until)
                    return "quiet"
            if row.kind == "richmenu" and self.menu_linker is None:
                repo.finish(row_id, "skipped", now, "no rich menus synced")
                self._forget_if_asked(session, row_id, json.loads(row.payload))
                return "skipped"
            job = OutboxJob(
                row.kind,
                row.retry_key,
                row.attempts,
                json.loads(row.recipients),
                json.loads(row.payload),
                row.reply_token if row.reply_token and (row.reply_token_expires_at or now) > now else None,
            )
            if job.kind in ("push", "multicast") or (job.kind == "reply" and job.token is None):
                blocked = UserRepository(session).blocked_among(job.recipients)
                job.recipients = [r for r in job.recipients if r not in blocked]
        if not job.recipients and job.kind in ("push", "multicast", "reply"):
            with self.session_factory.begin() as session:
                OutboxRepository(session).finish(row_id, "skipped", now, "all recipients blocked the account")
                self._forget_if_asked(session, row_id, job.payload)
            return "skipped"
        return self._send_job(row_id, job, record_sent, owned=owned)

    def deliver_claimed(self, row_id: int, job: OutboxJob, *, record_sent: bool = True) -> str:
        """Send a reply the caller has just committed already claimed, from what it holds in
        memory rather than re-reading the row. A reply whose token is gone goes out as a push,
        which must first skip a user who blocked the account: that takes the row path.

        `record_sent=False`: a successful send returns "sent" without writing it down, and the
        caller marks the row sent (`OutboxRepository.mark_sent`) in a transaction it runs anyway.
        If that never commits, the row's lease runs out and the sender retries it: a reply
        token then comes back refused, which after an attempt with no answer means it was used,
        and a push comes back 409 for its retry key; either way the user gets nothing twice.
        """
        if job.kind != "reply" or job.token is None:
            return self.deliver(row_id, owned=True, record_sent=record_sent)
        return self._send_job(row_id, job, record_sent, owned=True)

    def _send_job(self, row_id: int, job: OutboxJob, record_sent: bool, *, owned: bool = False) -> str:
        limiter = self.limiters[job.kind]
        while (wait := limiter.reserve()) > 0:
            if wait > HAND_BACK_AFTER_SECONDS and not owned:
                # No slot for a while (broadcasts: 60/hour): hand the row back untried for then.
                with self.session_factory.begin() as session:
                    OutboxRepository(session).unclaim(row_id, self.clock.now() + timedelta(seconds=wait))
                return "later"
            time.sleep(min(wait, 1.0))
        try:
            try:
                self._send(
                    row_id, job.kind, job.payload, job.recipients, job.token, job.retry_key, job.attempts
                )
            finally:
                limiter.done()
        except LineApiError as error:
            return self._after_error(row_id, job, error)
        except MenusNotSynced:
            with self.session_factory.begin() as session:
                OutboxRepository(session).finish(row_id, "skipped", self.clock.now(), "no rich menus synced")
                self._forget_if_asked(session, row_id, job.payload)
            return "skipped"
        if record_sent:
            with self.session_factory.begin() as session:
                OutboxRepository(session).finish(row_id, "sent", self.clock.now())
                self._forget_if_asked(session, row_id, job.payload)
        return "sent"

    @classmethod
    def _forget_if_asked(cls, session: Session, row_id: int, payload: dict) -> None:
        """What a row keeps only until it is done. An erased person's unlink (handlers/services/people.py
        erase_person) keeps their LINE id until it is sent or skipped: then the row's recipients
        are emptied (a row that retries or dies keeps it for the retry or a staff replay, until
        the retention purge). Download links: `_forget_links`."""
        if payload.get("forget_recipients"):
            OutboxRepository(session).forget_recipients(row_id)
        cls._forget_links(session, row_id, payload)

    @staticmethod
    def _forget_links(session: Session, row_id: int, payload: dict) -> None:
        """A reply with a download link keeps the link's token until it is sent, skipped or dead:
        then the token is blanked, so no stored row holds a working link."""
        if not payload.get("forget_links"):
            return
        messages = [
            {**message, "text": forget_export_links(message["text"])} if "text" in message else message
            for message in payload.get("messages", [])
        ]
        OutboxRepository(session).replace_payload(row_id, {"messages": messages})

    def _forget_reply_token(self, row_id: int) -> None:
        with self.session_factory.begin() as session:
            OutboxRepository(session).forget_reply_token(row_id)

    def _send(
        self,
        row_id: int,
        kind: str,
        payload: dict,
        recipients: list[str],
        token: str | None,
        retry_key: str,
        attempts: int,
    ) -> None:
        messages = payload.get("messages", [])
        if kind == "richmenu":
            self.menu_linker.link(recipients, payload["menu"], rich_menu_id=payload.get("rich_menu_id"))
        elif kind == "reply":
            # attempts > 1 with a token still valid: every earlier attempt tried this token and got
            # no answer (a refusal would have cleared it).
            self.gateway.reply_or_push(
                token,
                recipients[0],
                messages,
                retry_key=retry_key,
                token_may_be_used=attempts > 1,
                on_token_refused=lambda: self._forget_reply_token(row_id),
            )
        elif kind == "push":
            self.gateway.push(recipients[0], messages, retry_key=retry_key)
        elif kind == "multicast":
            self.gateway.multicast(recipients, messages, retry_key=retry_key)
        elif kind == "broadcast":
            self.gateway.broadcast(messages, retry_key=retry_key)
        elif kind == "narrowcast":
            self.gateway.narrowcast(
                messages,
                retry_key=retry_key,
                recipient=payload.get("recipient"),
                filter=payload.get("filter"),
            )
        else:
            raise ValueError(f"unknown outbox kind {kind!r}")

    def _after_error(self, row_id: int, job: OutboxJob, error: LineApiError) -> str:
        attempts = job.attempts
        now = self.clock.now()
        with self.session_factory.begin() as session:
            repo = OutboxRepository(session)
            if error.already_accepted:
                repo.finish(row_id, "sent", now)
                self._forget_if_asked(session, row_id, job.payload)
                outcome = "sent"
            elif error.retryable and attempts < self.settings.outbox_max_attempts:
                delay = self._backoff(attempts, error)
                repo.retry_later(row_id, now + timedelta(seconds=delay), str(error))
                outcome = "retry"
            else:
                repo.finish(row_id, "dead", now, str(error))
                self._forget_links(session, row_id, job.payload)
                outcome = "dead"
        log.info("outbox", extra={"outbox_id": row_id, "status": error.status, "outcome": outcome})
        return outcome

    def send_due(self, limit: int = 500) -> int:
        """Send every due row (in parallel, bounded); returns how many were attempted."""
        with self.session_factory.begin() as session:
            rows = OutboxRepository(session).due_rows(self.clock.now(), limit)
        if not rows:
            return 0
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.settings.outbox_concurrency, thread_name_prefix="outbox")
        fanout = [row_id for row_id, kind, _ in rows if kind == "multicast"]
        sending = self._send_multicasts(fanout) if fanout else []
        list(self._pool.map(self._deliver_lane, lanes([row for row in rows if row[1] != "multicast"])))
        self._record_sent([row_id for row_id, future in sending if future.result() == "sent" and row_id])
        return len(rows)

    def _send_multicasts(self, row_ids: list[int]) -> list[tuple[int | None, Future[str]]]:
        """A pass's multicast rows (fan-outs: 200 rows for 100,000 people) claimed in one
        transaction, which also leaves out everyone who blocked the account, then sent through
        the pool within the limiter. Per-row transactions were most of a fan-out's time
        (bench/fanout.py). "Sent" is written for the whole pass afterwards (`_record_sent`):
        if that is lost to a crash, the rows are sent again after their lease with the same
        retry keys and LINE answers 409, which counts as sent, so nobody gets a post twice.

        In quiet hours the rows take the one-by-one path, which hands non-urgent ones back."""
        now = self.clock.now()
        if quiet_until(now, *self._quiet, self.settings.time_zone) is not None:
            # Each writes its own outcome: waited for, but not recorded again.
            return [(None, self._fanout().submit(self._deliver_logged, row_id)) for row_id in row_ids]
        with self.session_factory.begin() as session:
            repo = OutboxRepository(session)
            claimed = repo.claim_many(row_ids, now, self._lease())
            everyone = [person for row in claimed for person in row.recipients]
            blocked = UserRepository(session).blocked_among(everyone) if everyone else set()
            jobs = []
            for row in claimed:
                recipients = [r for r in row.recipients if r not in blocked] if blocked else row.recipients
                if not recipients:
                    repo.finish(row.id, "skipped", now, "all recipients blocked the account")
                    continue
                job = OutboxJob(row.kind, row.retry_key, row.attempts, recipients, row.payload, None)
                jobs.append((row.id, job))
        return [(row_id, self._fanout().submit(self._send_claimed, row_id, job)) for row_id, job in jobs]

    def _fanout(self) -> ThreadPoolExecutor:
        if self._fanout_pool is None:
            self._fanout_pool = ThreadPoolExecutor(
                self.settings.outbox_fanout_concurrency, thread_name_prefix="outbox-fanout"
            )
        return self._fanout_pool

    def _send_claimed(self, row_id: int, job: OutboxJob) -> str:
        try:
            return self._send_job(row_id, job, record_sent=False)
        except Exception:
            log.exception("outbox delivery crashed", extra={"outbox_id": row_id})
            return "error"

    def _record_sent(self, row_ids: list[int]) -> None:
        if row_ids:
            with self.session_factory.begin() as session:
                OutboxRepository(session).mark_sent(row_ids, self.clock.now())

    def _deliver_lane(self, ids: list[int]) -> None:
        """One person's messages in the order they were written ("approved" before "needs a fix");
        a row that is not sent now holds back the ones after it until the next pass."""
        for i, row_id in enumerate(ids):
            if self._deliver_logged(row_id) not in ("sent", "skipped", "dead"):
                if ids[i + 1 :]:
                    with self.session_factory.begin() as session:
                        OutboxRepository(session).hold_behind(row_id, ids[i + 1 :])
                return

    def _deliver_logged(self, row_id: int) -> str:
        try:
            return self.deliver(row_id)
        except Exception:
            log.exception("outbox delivery crashed", extra={"outbox_id": row_id})
            return "error"

    def run(self, stop: threading.Event) -> None:
        """Send until `stop` is set (the demo's thread; the clock process schedules send_due)."""
        while not stop.is_set():
            try:
                sent = self.send_due()
            except Exception:
                log.exception("outbox pass failed")
                sent = 0
            if not sent:
                stop.wait(self.settings.outbox_poll_seconds)

    def close(self) -> None:
        for pool in (self._pool, self._fanout_pool):
            if pool is not None:
                pool.shutdown(wait=True)


def lanes(rows: list[tuple[int, str, str]]) -> list[list[int]]:
    """Group due rows so that messages to one person go one after another: a reply or push joins
    its recipient's lane; other kinds (multicasts, broadcasts, menu links) each run on their own."""
    by_person: dict[str, list[int]] = {}
    result: list[list[int]] = []
    for row_id, kind, recipients in rows:
        people = json.loads(recipients or "[]") if kind in ("reply", "push") else []
        if len(people) == 1:
            lane = by_person.get(people[0])
            if lane is None:
                lane = by_person[people[0]] = []
                result.append(lane)
            lane.append(row_id)
        else:
            result.append([row_id])
    return result

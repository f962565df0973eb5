"""The ordered executor: one LINE user's events one at a time in `timestamp` order, different users
in parallel on a bounded pool, across any number of processes.

Cross-process order comes from a lease per source (user/group/room) in the database: whoever
holds it drains that source's pending events, earliest timestamp first. Each event is processed in
one transaction that also records its reply in the outbox and marks the event done, so running an
event twice is impossible (the transaction starts by moving the row from `pending`, which only one
can do) and a crash before commit just leaves it pending for the sweeper.

Per event the work is kept to what it needs, since under load it shares two cores with the
webhook: claiming the lease and reading the pending events is one transaction, the event another,
and marking its reply sent goes with releasing the lease (docs/benchmarks.md, fourth round).
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from linebot.v3.webhooks import Event
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.line.ack_gate import AckGate
from bot.line.event_ids import new_error_id
from bot.line.outbox import OutboxJob
from bot.line.photo_intake import PhotoIntake
from bot.line.share_image import draw_share_image
from bot.logs import user_hash
from bot.settings import Settings
from bot.timeutil import Clock, SystemClock
from handlers.chat.router import EventContext, apology, handle_event
from handlers.services.people import ERASED_IN_SESSION, LINKS_TO_FORGET
from storage.models import InboxEvent, LineUser
from storage.repositories import InboxRepository, LeaseRepository, OutboxRepository

log = logging.getLogger("ruamjai.events")

# LINE documents reply tokens as valid for about one minute; stop trusting one a little earlier.
REPLY_TOKEN_LIFETIME = timedelta(seconds=50)

# The timer thread wakes at most this often (a small delay next to EVENT_SETTLE_SECONDS).
TIMER_TICK = 0.01

# How many of one source's pending events one query reads.
PENDING_BATCH = 20
# How long this process remembers an erased person's source, to delete its lease row again if a
# concurrent drain recreated it after the erasure.
ERASED_LEASE_MEMORY = 120.0


class EventExecutor:
    """Runs inbox events. `submit()` is called by the webhook after commit; `sweep()` by a timer."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        settings: Settings,
        read_factory: sessionmaker[Session] | None = None,
        deliver: Callable[..., str],
        clock: Clock | None = None,
        handle: Callable[[Event, EventContext], list] = handle_event,
        profile_language: Callable[[str], str | None] | None = None,
        photos: PhotoIntake | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.read_factory = read_factory or session_factory
        self.settings = settings
        self.deliver = deliver
        self.clock = clock or SystemClock()
        self.handle = handle
        self.profile_language = profile_language
        self.photos = photos
        self.owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._active: set[str] = set()
        self._again: set[str] = set()
        self._timers: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self._pool: ThreadPoolExecutor | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._pid = os.getpid()
        # Webhook acknowledgements in this process go before event processing (bot/line/ack_gate.py).
        self.acks = AckGate()
        self.acknowledging = self.acks.acknowledging
        # Sources whose person was erased here lately (monotonic deadline): their lease rows, keyed
        # by the LINE user id, are deleted on release instead of kept (see handlers.services.people).
        self._erased: dict[str, float] = {}

    # --- scheduling -------------------------------------------------------------------------
    def start(self) -> None:
        """Start the pool, timer and sweeper threads (idempotent; restarts after a fork)."""
        self._ensure_started()

    def _ensure_started(self) -> None:
        # Lazily, and again after a fork (gunicorn without preload forks before any request).
        if self._pool is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._pool = ThreadPoolExecutor(
                max_workers=self.settings.executor_workers, thread_name_prefix="events"
            )
            for target, name in ((self._timer_loop, "events-timer"), (self._sweep_loop, "events-sweep")):
                thread = threading.Thread(target=target, name=name, daemon=True)
                thread.start()
                self._threads.append(thread)

    def submit(self, source_keys: Iterable[str], delay: float | None = None) -> None:
        """Drain these sources soon (after the settle delay)."""
        self._ensure_started()
        due = time.monotonic() + (self.settings.event_settle_seconds if delay is None else delay)
        with self._wake:
            earliest = self._timers[0][0] if self._timers else None
            for key in set(source_keys):
                heapq.heappush(self._timers, (due, next(self._seq), key))
            # The timer thread sleeps until the earliest due time; wake it only if that moved
            # earlier (with a fixed settle delay, once per quiet spell rather than per webhook).
            if earliest is None or due < earliest:
                self._wake.notify()

    def _timer_loop(self) -> None:
        while not self._stopping.is_set():
            with self._wake:
                while not self._timers or self._timers[0][0] > time.monotonic():
                    if self._stopping.is_set():
                        return
                    timeout = self._timers[0][0] - time.monotonic() if self._timers else 1.0
                    self._wake.wait(max(0.0, min(timeout, 1.0)))
                due: dict[str, None] = {}  # in due order, each key once
                now = time.monotonic()
                while self._timers and self._timers[0][0] <= now:
                    _, _, key = heapq.heappop(self._timers)
                    if key in due:
                        continue
                    if key in self._active:
                        self._again.add(key)  # the running drain will loop once more
                        continue
                    self._active.add(key)
                    due[key] = None
            assert self._pool is not None
            for key in due:
                self._pool.submit(self._drain, key)
            # Let due times gather: under a burst every webhook sets one, and waking for each
            # would take the GIL from the webhook requests thousands of times a second.
            self._stopping.wait(TIMER_TICK)

    def _sweep_loop(self) -> None:
        self._stopping.wait(1.0)  # let the app finish starting
        while not self._stopping.is_set():
            try:
                self.sweep()
            except Exception:  # a database blip must not kill the sweeper
                log.exception("sweep failed")
            self._stopping.wait(self.settings.sweep_interval_seconds)

    def sweep(self) -> int:
        """Re-submit sources whose events have waited too long (their process died, or a lease
        holder went away). Safe to run anywhere, any number of times."""
        cutoff = self.clock.now() - timedelta(seconds=self.settings.event_settle_seconds + 2.0)
        with self.session_factory.begin() as session:
            keys = InboxRepository(session).sources_with_pending(cutoff)
        if keys:
            self.submit(keys, delay=0)
        return len(keys)

    def shutdown(self, wait: bool = True) -> None:
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        # The timer thread first: stopped mid-pass, it would hand due sources to a closed pool.
        for thread in self._threads:
            thread.join(timeout=5)
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=not wait)

    # --- draining ---------------------------------------------------------------------------
    def _drain(self, key: str) -> None:
        try:
            while True:
                retry_in = self._drain_source(key)
                with self._lock:
                    if retry_in is None and key in self._again:
                        self._again.discard(key)
                        continue
                    self._active.discard(key)
                    self._again.discard(key)
                if retry_in is not None:
                    self.submit([key], delay=retry_in)
                return
        except Exception:
            log.exception("drain failed", extra={"source": user_hash(self.settings.secret_key, key)})
            with self._lock:
                self._active.discard(key)
            self.submit([key], delay=1.0)

    def _claim(self, session: Session, key: str, ttl: timedelta) -> bool:
        leases = LeaseRepository(session)
        if leases.claim(key, self.owner, self.clock.now(), ttl):
            return True
        leases.ensure([key])  # first event of this source ever: create its lease row
        return leases.claim(key, self.owner, self.clock.now(), ttl)

    def _claim_and_read(self, key: str, ttl: timedelta) -> list[InboxEvent] | None:
        """Take the source's lease and read its first pending events, in one transaction; None
        if another worker holds the lease."""
        with self.session_factory.begin() as session:
            if not self._claim(session, key, ttl):
                return None
            return InboxRepository(session).pending(key, PENDING_BATCH)

    def _renew(self, key: str, ttl: timedelta, sent: list[int]) -> bool:
        """Extend the lease; False if it ran out and another worker took the source."""
        with self.session_factory.begin() as session:
            self._record_sent(session, sent)
            return self._claim(session, key, ttl)

    def _release(self, key: str, sent: list[int]) -> bool:
        """Give the lease back; returns whether the source still has pending events.

        An event committed while we held the lease, whose own submit then lost the claim race,
        is ours to pick up. Its commit came before that failed claim, so before this transaction:
        the check here sees it.
        """
        with self.session_factory.begin() as session:
            self._record_sent(session, sent)
            leases = LeaseRepository(session)
            leases.release(key, self.owner)
            if self._erased and self._was_erased(key):
                leases.forget(key)
            return InboxRepository(session).has_pending(key)

    def _was_erased(self, key: str) -> bool:
        with self._lock:
            now = time.monotonic()
            for stale in [k for k, until in self._erased.items() if until < now]:
                del self._erased[stale]
            return key in self._erased

    def _record_sent(self, session: Session, sent: list[int]) -> None:
        """Write down the replies sent since the last lease transaction (see process)."""
        if sent:
            OutboxRepository(session).mark_sent(sent, self.clock.now())
            sent.clear()

    def _pending(self, key: str) -> list[InboxEvent]:
        with self.read_factory() as session:
            return InboxRepository(session).pending(key, PENDING_BATCH)

    def _drain_source(self, key: str) -> float | None:
        """Process the source's pending events while holding its lease.

        Returns seconds after which to look again (an event still settling), else None.
        """
        ttl = timedelta(seconds=self.settings.source_lease_seconds)
        settle = timedelta(seconds=self.settings.event_settle_seconds)
        while True:
            batch = self._claim_and_read(key, ttl)
            if batch is None:
                return None  # another worker holds it; it re-checks after releasing
            claimed_at = time.monotonic()
            sent: list[int] = []
            try:
                while True:
                    # Read in batches: one query for a burst rather than one per event. An event
                    # stored meanwhile is read with the next batch, or after the release below.
                    for nxt in batch:
                        wait = (nxt.received_at + settle - self.clock.now()).total_seconds()
                        if wait > 0:
                            return wait
                        self.acks.wait_turn()
                        # Renewed after the wait for acknowledgements, right before the event: a
                        # lease that ran out while waiting would let another process take the
                        # source and answer its next event first (replies out of order).
                        if time.monotonic() - claimed_at > ttl.total_seconds() / 3:
                            if not self._renew(key, ttl, sent):
                                return None  # another worker has the source now: it goes on
                            claimed_at = time.monotonic()
                        self.process(nxt.id, snapshot=nxt, sent=sent)
                    if len(batch) < PENDING_BATCH:
                        break
                    batch = self._pending(key)
            finally:
                more = self._release(key, sent)
            if not more:
                return None

    def process(
        self, event_id: int, snapshot: InboxEvent | None = None, *, sent: list[int] | None = None
    ) -> str:
        """Process one event in one transaction and send its reply; returns the outcome (done,
        ignored, failed, skipped).

        `sent`: the draining loop's list of replies sent but not yet marked so in the outbox. It
        marks them in the lease transaction it runs next anyway, which saves a transaction per
        event (see OutboxSender.deliver_claimed for why a reply is never sent twice meanwhile).
        """
        started = time.monotonic()
        if snapshot is None:
            with self.read_factory() as session:
                snapshot = session.get(InboxEvent, event_id)
            if snapshot is None:
                return "skipped"
        raw = json.loads(snapshot.payload)
        line_user_id = (raw.get("source") or {}).get("userId")
        now = self.clock.now()
        reply: tuple[int, OutboxJob] | None = None
        outcome = "skipped"
        error_id = None
        try:
            # Everything that needs no database is done before the transaction (on SQLite it
            # holds the single writer lock that every webhook acknowledgement also needs).
            try:
                event: Event | None = Event.from_dict(raw)
            except ValueError:  # a known type with a body the SDK rejects: nothing to answer
                event = None
            # Ask LINE for the profile before the transaction: never hold the database during a
            # network call.
            profile_language = None
            if event is not None and snapshot.event_type == "follow":
                profile_language = self._language_of(line_user_id)
            # Photos are downloaded, processed, stored and recorded here, each commit its own
            # (bot/line/photo_intake.py): a crash after this point loses no photo.
            photo = (
                self.photos.before_event(event, line_user_id) if event is not None and self.photos else None
            )
            with self.session_factory.begin() as session:
                inbox = InboxRepository(session)
                if event is None:
                    if inbox.mark_processed(event_id, "ignored", now):
                        outcome = "ignored"
                    return outcome
                # Marked first, in the same transaction: if the handler fails, it rolls back too.
                if not inbox.mark_processed(event_id, "done", now):
                    return outcome  # done already (a second run is a no-op)
                context = EventContext(
                    session=session,
                    now=now,
                    line_user_id=line_user_id,
                    profile_language=profile_language,
                    idle_timeout=timedelta(hours=self.settings.conversation_idle_hours),
                    public_base_url=self.settings.links_base_url,
                    photo=photo,
                    media=self.photos.store if self.photos else None,
                    draw_share=draw_share_image,
                )
                messages = self.handle(event, context)
                answer = [m.to_dict() for m in messages]
                reply = self._record_reply(session, snapshot, line_user_id, answer, now)
                if session.info.get(ERASED_IN_SESSION):
                    with self._lock:
                        for erased in session.info[ERASED_IN_SESSION]:
                            self._erased[erased] = time.monotonic() + ERASED_LEASE_MEMORY
            outcome = "done"
        except Exception:
            error_id = new_error_id()
            outcome = "failed"
            log.exception("event failed", extra={"error_id": error_id, "event_id": snapshot.webhook_event_id})
            reply = self._mark_failed(snapshot, line_user_id, error_id, now)
        finally:
            log.info(
                "event",
                extra={
                    "event_id": snapshot.webhook_event_id,
                    "type": snapshot.event_type,
                    "user": user_hash(self.settings.secret_key, snapshot.source_key),
                    "outcome": outcome,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "error_id": error_id,
                },
            )
        if reply is not None:
            # A reply with a download link records "sent" itself: that is when its link is blanked.
            record = sent is None or bool(reply[1].payload.get("forget_links"))
            try:
                if self.deliver(*reply, record_sent=record) == "sent" and not record:
                    sent.append(reply[0])
            except Exception:  # the outbox sender retries it; never lose the event over a send
                log.exception("inline reply failed", extra={"outbox_id": reply[0]})
        return outcome

    def _language_of(self, line_user_id: str | None) -> str | None:
        """The language of the user's LINE app (asked once, on follow); None if LINE won't say."""
        if not line_user_id or self.profile_language is None:
            return None
        try:
            return self.profile_language(line_user_id)
        except Exception:  # a profile is a nicety: never fail the welcome over it
            log.info(
                "profile lookup failed", extra={"user": user_hash(self.settings.secret_key, line_user_id)}
            )
            return None

    def _record_reply(
        self, session: Session, event: InboxEvent, line_user_id: str | None, messages: list[dict], now
    ) -> tuple[int, OutboxJob] | None:
        """Write the reply to the outbox, claimed for sending right after commit; returns its row
        id and what sending it needs, or None when there is nothing to send."""
        if not messages or not line_user_id or event.mode != "active":
            return None
        token = event.reply_token
        expires_at = event.received_at + REPLY_TOKEN_LIFETIME if token else None
        forget_links = bool(session.info.get(LINKS_TO_FORGET))
        retry_key = str(uuid.uuid4())
        row_id = OutboxRepository(session).enqueue_reply(
            dedupe_key=f"reply:{event.webhook_event_id}",
            reply_token=token,
            reply_token_expires_at=expires_at,
            to=line_user_id,
            messages=messages,
            now=now,
            lease=timedelta(seconds=self.settings.line_timeout_seconds * 2 + 30),
            retry_key=retry_key,
            # A person erased by this very event (PDPA): their confirmation must not store their id.
            store_recipient=line_user_id not in session.info.get(ERASED_IN_SESSION, ()),
            forget_links=forget_links,
        )
        if row_id is None:
            return None
        usable_token = token if expires_at is not None and expires_at > now else None
        payload = {"messages": messages, "forget_links": True} if forget_links else {"messages": messages}
        return row_id, OutboxJob("reply", retry_key, 1, [line_user_id], payload, usable_token)

    def _mark_failed(
        self, event: InboxEvent, line_user_id: str | None, error_id: str, now
    ) -> tuple[int, OutboxJob] | None:
        with self.session_factory.begin() as session:
            if not InboxRepository(session).mark_processed(event.id, "failed", now, error_id):
                return None
            language = (
                session.scalars(
                    select(LineUser.language).where(LineUser.line_user_id == line_user_id)
                ).first()
                or "th"
            )
            messages = [m.to_dict() for m in apology(error_id, language)]
            return self._record_reply(session, event, line_user_id, messages, now)

"""Webhook acknowledgements go before event processing, in one process: the webhook marks each
acknowledgement (`acknowledging()`), and the executor waits its turn before each event
(`wait_turn()`). LINE gives up on a webhook after 2 s; a reply token lasts a minute."""

from __future__ import annotations

import contextlib
import threading
import time

# Acknowledgements go first (AckGate.wait_turn): under a burst the webhook keeps
# answering at full speed and events are worked off as it eases, yet never fewer than one event
# per ACK_PRIORITY_MAX_WAIT per process. While the webhook saturates the machine, each event
# processed costs it about 9 ms of capacity (GIL and thread hand-overs included); at 0.2 s the
# floor takes about 5 % of it, at 0.05 s about 20 % (docs/benchmarks.md, fourth round).
ACK_QUIET = 0.002
ACK_PRIORITY_MAX_WAIT = 0.2


class AckGate:
    def __init__(self) -> None:
        # Webhook requests being acknowledged in this process right now (see acknowledging()).
        self._acks = 0
        self._last_ack = 0.0
        self._acks_changed = threading.Condition(threading.Lock())
        self._gate_waiting = False
        self._gate = threading.Lock()

    @contextlib.contextmanager
    def acknowledging(self):
        """Mark a webhook acknowledgement in progress (bot/line/webhook.py; see wait_turn)."""
        with self._acks_changed:
            self._acks += 1
            self._last_ack = time.monotonic()
        try:
            yield
        finally:
            with self._acks_changed:
                self._acks -= 1
                self._last_ack = time.monotonic()
                if not self._acks and self._gate_waiting:
                    self._acks_changed.notify()

    def wait_turn(self) -> None:
        """Let this process's webhook acknowledgements go first: LINE gives up on a webhook after
        2 s, while a reply token lasts a minute. One event at a time waits here until no
        acknowledgement has been in flight for ACK_QUIET seconds, or ACK_PRIORITY_MAX_WAIT has
        passed; the others queue behind it without spinning.

        The waiting thread sleeps until the last acknowledgement in flight ends (it is woken
        then) rather than polling: under a burst, every wake-up would take the GIL from a
        webhook request."""
        with self._gate, self._acks_changed:
            deadline = time.monotonic() + ACK_PRIORITY_MAX_WAIT
            self._gate_waiting = True
            try:
                while (now := time.monotonic()) < deadline:
                    if self._acks:
                        self._acks_changed.wait(deadline - now)
                        continue
                    quiet_in = self._last_ack + ACK_QUIET - now
                    if quiet_in <= 0:
                        return
                    self._acks_changed.wait(min(quiet_in, deadline - now))
            finally:
                self._gate_waiting = False

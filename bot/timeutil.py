"""The clock boundary: code asks a `Clock` for the time so tests can substitute one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Wall-clock time in aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def quiet_until(now: datetime, start: dt_time, end: dt_time, time_zone: str) -> datetime | None:
    """When the quiet hours around `now` end (aware UTC), or None outside quiet hours.

    Hours are local to `time_zone` and may wrap midnight (21:00-08:00); start == end means none.
    """
    if start == end:
        return None
    local = now.astimezone(ZoneInfo(time_zone))
    clock = local.time().replace(tzinfo=None)
    wraps = start > end
    inside = (clock >= start or clock < end) if wraps else (start <= clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo).astimezone(UTC)


class ShiftableClock:
    """Wall-clock time plus an offset that only grows: the demo's clock, so the LINE simulator can
    travel forward in time (idle timeouts, reminders, scheduled posts) without waiting.

    Whoever keeps time of its own (the fake LINE platform, the clock threads) subscribes with
    `on_advance` and is told how far the clock jumped.
    """

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[float], object]] = []

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    @property
    def offset(self) -> timedelta:
        """How far ahead of the wall clock this clock runs."""
        return self._offset

    def on_advance(self, listener: Callable[[float], object]) -> None:
        """Call `listener(seconds)` after every jump forward."""
        self._listeners.append(listener)

    def advance(self, seconds: float) -> None:
        """Jump forward by `seconds` (> 0), then tell the listeners."""
        if seconds <= 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        for listener in list(self._listeners):
            listener(seconds)

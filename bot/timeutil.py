"""The clock boundary: code asks a `Clock` for the time so tests can substitute one."""

from __future__ import annotations

import time
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

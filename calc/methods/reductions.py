"""Reductions: the activity types a coordinator reports and the method that computes each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from calc.activities import ACTIVITY_TYPES, ActivityType
from calc.datasets import FactorTable
from calc.errors import InputError
from calc.methods import energy, travel, trees, waste
from calc.methods.results import Period, Result
from calc.methods.run import Run, calculate

_METHODS: dict[str, Callable[[Run], None]] = {
    **waste.METHODS,
    **trees.METHODS,
    **energy.METHODS,
    **travel.METHODS,
}


def activity_types() -> tuple[ActivityType, ...]:
    """Every activity type a coordinator can report, in menu order."""
    return ACTIVITY_TYPES


def activity_type(key: str) -> ActivityType:
    """The activity type ``key``; InputError ``unknown_activity`` if there is none."""
    for activity in ACTIVITY_TYPES:
        if activity.key == key:
            return activity
    raise InputError("unknown_activity", "activity_key", f"unknown activity type {key!r}")


def compute(
    activity_key: str,
    inputs: Mapping[str, Any],
    factors: FactorTable,
    period: Period | tuple[date, date],
) -> Result:
    """Compute the GHG reduction of one reported activity.

    ``inputs`` maps field names to a :class:`~calc.units.Quantity` (or any object with ``value`` and
    ``unit``, a ``(value, unit)`` pair or ``{"value": ..., "unit": ...}``) for quantity fields, and to a
    choice key for choice fields.
    ``period`` is the activity's ``(start, end)`` dates; it selects the factors valid at the time.

    Raises InputError / UnitError (with ``code`` and ``field``) for missing fields, unknown fields,
    invalid choices and wrong units. Implausible values are accepted and reported as warnings.
    """
    activity = activity_type(activity_key)
    return calculate(activity, _METHODS[activity.key], inputs, factors, period)

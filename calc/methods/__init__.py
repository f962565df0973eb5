"""LESS-style calculation methods: inputs + factor table + period -> result with a step-by-step trail.

``results`` holds what a calculation gives back (Result, Step, CalcWarning, Period, the decimal
context); ``inputs`` checks reported inputs; ``run`` is a calculation in progress; ``waste``,
``trees``, ``energy`` and ``travel`` hold the methods per activity family; ``reductions`` and
``event`` are the entry points (:func:`compute`, :func:`compute_event_footprint`).
"""

from calc.methods.energy import FUEL_FACTOR_KEYS, GRID_ELECTRICITY
from calc.methods.event import compute_event_footprint, event_footprint_type
from calc.methods.inputs import MAX_FREE_TEXT
from calc.methods.reductions import activity_type, activity_types, compute
from calc.methods.results import (
    DECIMAL_CONTEXT,
    ROLE_SIGNS,
    STATUS_NEEDS_FACTOR,
    STATUS_NEEDS_REVIEW,
    STATUS_OK,
    CalcWarning,
    Period,
    Result,
    Step,
)
from calc.methods.travel import TRAVEL_FACTOR_KEYS

__all__ = [
    "DECIMAL_CONTEXT",
    "FUEL_FACTOR_KEYS",
    "GRID_ELECTRICITY",
    "MAX_FREE_TEXT",
    "ROLE_SIGNS",
    "STATUS_NEEDS_FACTOR",
    "STATUS_NEEDS_REVIEW",
    "STATUS_OK",
    "TRAVEL_FACTOR_KEYS",
    "CalcWarning",
    "Period",
    "Result",
    "Step",
    "activity_type",
    "activity_types",
    "compute",
    "compute_event_footprint",
    "event_footprint_type",
]

"""Activity types and event footprint sources, declared as data.

Each field says enough for the chat to ask for it: Thai and English labels, accepted units, choices,
whether it is required and the plausible range (outside it the value is accepted and flagged for staff
review). ``fields`` holds the declaration types, ``reductions`` the activity types, ``event`` the event
footprint. The arithmetic for each activity lives in :mod:`calc.methods`.
"""

from calc.activities.event import EVENT_FOOTPRINT
from calc.activities.fields import BUTTON_CHARS, ActivityType, Bounds, Choice, Field
from calc.activities.reductions import (
    ACTIVITY_TYPES,
    FOREST_TYPES,
    FUELS,
    OTHER_SPECIES,
    PLANTING_AREA_LIMIT_RAI,
    RECYCLABLE_MATERIALS,
    TRAVEL_MODES,
    TREE_SPECIES,
)

__all__ = [
    "ACTIVITY_TYPES",
    "BUTTON_CHARS",
    "EVENT_FOOTPRINT",
    "FOREST_TYPES",
    "FUELS",
    "OTHER_SPECIES",
    "PLANTING_AREA_LIMIT_RAI",
    "RECYCLABLE_MATERIALS",
    "TRAVEL_MODES",
    "TREE_SPECIES",
    "ActivityType",
    "Bounds",
    "Choice",
    "Field",
]

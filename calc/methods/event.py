"""The Carbon Neutral Event footprint: emissions by source, offsets, and the net balance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from calc.activities import EVENT_FOOTPRINT, ActivityType
from calc.datasets import FactorTable
from calc.methods.energy import FUEL_FACTOR_KEYS, GRID_ELECTRICITY
from calc.methods.results import Period, Result
from calc.methods.run import Run, calculate
from calc.methods.travel import TRAVEL_FACTOR_KEYS, travel


def event_footprint_type() -> ActivityType:
    """The Carbon Neutral Event footprint sources, declared like an activity type (fields = sources)."""
    return EVENT_FOOTPRINT


def compute_event_footprint(
    inputs: Mapping[str, Any], factors: FactorTable, period: Period | tuple[date, date]
) -> Result:
    """Compute a Carbon Neutral Event footprint: emissions by source, offsets, and the net balance.

    Fields are those of :func:`event_footprint_type`. ``kg_co2e`` is the net (emissions - offsets);
    see also ``emissions_kg_co2e``, ``offsets_kg_co2e`` and ``carbon_neutral`` on the result.
    """
    return calculate(EVENT_FOOTPRINT, _event_footprint, inputs, factors, period)


def _event_footprint(run: Run) -> None:
    simple_sources = (
        ("venue_electricity", GRID_ELECTRICITY),
        ("generator_diesel", "fuel.diesel_stationary"),
        ("accommodation", "accommodation.hotel_th"),
        ("waste_general", "waste.residual_landfill"),
        ("waste_food", "waste.food_landfill"),
        ("waste_food_composted", "waste.food_composted"),
    )
    for name, key in simple_sources:
        quantity = run.quantity(name)
        if quantity is not None:
            run.multiply(f"event.{name}", "emission", key, {name: quantity})
    lpg = run.quantity("cooking_lpg")
    if lpg is not None:
        # Only factors for LPG burned in vehicles were found; their CO2 (nearly all of it) holds for cooking.
        key = run.first_available(FUEL_FACTOR_KEYS["lpg"], lpg)
        run.multiply("event.cooking_lpg", "emission", key, {"cooking_lpg": lpg}, substance="lpg")
    for mode in TRAVEL_FACTOR_KEYS:
        distance = run.quantity(f"travel_{mode}")
        if distance is not None:
            travel(run, f"event.travel_{mode}", "emission", mode, f"travel_{mode}", distance)
    offsets = run.quantity("offsets")
    if offsets is not None:
        run.add_step("event.offsets", "offset", {"offsets": offsets}, None, None, offsets.to("kgCO2e"))

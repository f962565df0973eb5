"""Travel: the mode-shift method and the travel step an event footprint uses too."""

from __future__ import annotations

from collections.abc import Callable

from calc.methods.run import Run
from calc.units import Quantity, parse_factor_unit

TRAVEL_FACTOR_KEYS: dict[str, str] = {
    "car": "travel.car_average",
    "motorbike": "travel.motorbike_average",
    "local_bus": "travel.local_bus",
    "coach": "travel.coach",
    "rail": "travel.rail",
    # With radiative forcing: the fuller climate effect of flying, and the cautious choice for a
    # footprint that is to be offset (UK DESNZ publishes both; GHG.md lists both).
    "flight_international": "travel.flight_international_rf",
}


def _transport_mode_shift(run: Run) -> None:
    # passenger-km x (EF of the mode before - EF of the mode after).
    distance = run.quantity("passenger_distance")
    assert distance is not None
    baseline_mode, project_mode = run.choice("baseline_mode"), run.choice("project_mode")
    travel(run, "transport.baseline", "baseline", baseline_mode, "passenger_distance", distance)
    travel(run, "transport.project", "project", project_mode, "passenger_distance", distance)
    if baseline_mode == project_mode:
        run.warn("no_reduction", "the mode of travel did not change", field="project_mode")


def travel(run: Run, name: str, role: str, mode: str, field: str, distance: Quantity) -> None:
    """Add the step ``distance x`` the factor of ``mode``; a per-vehicle factor counts one traveller each."""
    key = TRAVEL_FACTOR_KEYS[mode]
    factor = run.factor(key)
    inputs = {field: distance}
    if factor is not None and parse_factor_unit(factor.unit)[1] == ("km",):
        # Car and motorbike factors are per vehicle-km. Counting each passenger-km as a vehicle-km
        # assumes one traveller per vehicle: the most emissions for a footprint, the largest saving for a
        # mode shift, so staff are told.
        inputs = {"vehicle_distance": Quantity(distance.value, "km")}
        run.warn(
            "one_traveller_per_vehicle",
            f"{key} is per vehicle-km; each passenger-km counted as a vehicle-km (one traveller per vehicle)",
            field=field,
            factor_key=key,
        )
    run.multiply(name, role, key, inputs)


METHODS: dict[str, Callable[[Run], None]] = {"transport_mode_shift": _transport_mode_shift}

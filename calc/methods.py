"""LESS-style calculation methods: inputs + factor table + period -> result with a step-by-step trail.

Every result has the LESS shape (GHG.md): reduction = baseline emissions - project emissions, each
activity data x emission factor. Each step records its inputs, the factor (key, dataset@version, value,
unit, confidence, source) and its sub-result, so a stored result shows where its number came from and
never changes when a new dataset version arrives. Arithmetic is exact Decimal in a fixed context, so the
same inputs and factors give the same result bit for bit. Round only for display.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from calc.activities import (
    ACTIVITY_TYPES,
    EVENT_FOOTPRINT,
    OTHER_SPECIES,
    RECYCLABLE_MATERIALS,
    ActivityType,
    Field,
)
from calc.datasets import Factor, FactorTable
from calc.errors import InputError, UnitError
from calc.units import Quantity, convert, dimension, parse_factor_unit, to_decimal

# A fixed context so results never depend on the caller's decimal settings; 34 digits (IEEE decimal128)
# is far more than any input carries, so only true divisions (tree count / density) are ever rounded.
DECIMAL_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

# How each step's sub-result counts towards kg_co2e. Reductions: baseline - project (+ removals, and
# avoided emissions that are already a difference). Event footprint: emissions - offsets.
ROLE_SIGNS: dict[str, int] = {
    "baseline": 1,
    "project": -1,
    "reduction": 1,
    "removal": 1,
    "emission": 1,
    "offset": -1,
    "intermediate": 0,
}

STATUS_OK = "ok"
STATUS_NEEDS_REVIEW = "needs_review"  # computed, with warnings staff should look at
STATUS_NEEDS_FACTOR = "needs_factor"  # no factor available: staff must supply one, no number is given

GRID_ELECTRICITY = "electricity.grid_th"
MAX_FREE_TEXT = 100  # a species name typed in the chat

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

# Several keys per fuel when the source gives one factor per litre and one per kg: the method uses the
# one matching the unit the user gave (no density assumption needed).
FUEL_FACTOR_KEYS: dict[str, tuple[str, ...]] = {
    "diesel_mobile": ("fuel.diesel_mobile",),
    "diesel_stationary": ("fuel.diesel_stationary",),
    "gasoline": ("fuel.gasoline_mobile",),
    "gasohol_e10": ("fuel.gasohol_e10_mobile",),
    "gasohol_e20": ("fuel.gasohol_e20_mobile",),
    "gasohol_e85": ("fuel.gasohol_e85_mobile",),
    "lpg": ("fuel.lpg_mobile_per_l", "fuel.lpg_mobile_per_kg"),
    "cng": ("fuel.cng_mobile",),
}
_FUEL_SUBSTANCES = {"lpg": "lpg"}


@dataclass(frozen=True)
class Period:
    """The dates an activity (or event) ran, both inclusive; chooses which factors apply."""

    start: date
    end: date

    @classmethod
    def of(cls, value: Period | tuple[date, date] | list[date]) -> Period:
        """Accept a Period or a ``(start, end)`` pair; InputError ``invalid_period`` otherwise."""
        if isinstance(value, Period):
            start, end = value.start, value.end
        elif isinstance(value, tuple | list) and len(value) == 2:
            start, end = value
        else:
            raise InputError("invalid_period", "period", "period must be (start date, end date)")
        if type(start) is not date or type(end) is not date:
            raise InputError("invalid_period", "period", "period start and end must be dates")
        if start > end:
            raise InputError("invalid_period", "period", f"period starts {start} after it ends {end}")
        return cls(start, end)

    def to_dict(self) -> dict[str, str]:
        """ISO dates."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class CalcWarning:
    """Something staff should look at; the result is still computed (unless status is needs_factor).

    Codes: ``out_of_bounds``, ``proxy_factor``, ``no_factor``, ``period_spans_factor_change``,
    ``no_reduction``, ``one_traveller_per_vehicle``, ``area_and_count_given`` (``field`` is the one whose
    result was used), ``area_used_no_density``, ``species_not_listed``.
    """

    code: str
    message: str
    field: str | None = None
    factor_key: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Plain JSON-able form."""
        return {
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "factor_key": self.factor_key,
        }


@dataclass(frozen=True)
class Step:
    """One line of the calculation: ``inputs x factor = result`` (a factor-less step records a given value).

    ``role`` says how ``result`` counts in the total (see ROLE_SIGNS). ``factor`` is None when the factor
    ``factor_key`` was not available; ``result`` is then None too.
    """

    name: str
    role: str
    inputs: dict[str, Quantity]
    factor_key: str | None
    factor: Factor | None
    result: Quantity | None

    def formula(self) -> str:
        """The step in symbols, e.g. ``1250 kWh × 0.4999 kgCO2e/kWh = 624.875 kgCO2e`` (unrounded)."""
        parts = [str(q) for q in self.inputs.values()]
        if self.factor is not None:
            parts.append(f"{self.factor.value} {self.factor.unit}")
        elif self.factor_key is not None:
            parts.append(f"[{self.factor_key}: no factor]")
        operator = " ÷ " if self.factor is not None and self.factor.unit.startswith("trees/") else " × "
        left = operator.join(parts)
        return f"{left} = {self.result}" if self.result is not None else left

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form; numbers are exact decimal strings."""
        return {
            "name": self.name,
            "role": self.role,
            "inputs": {name: _quantity_to_dict(q) for name, q in self.inputs.items()},
            "factor_key": self.factor_key,
            "factor": self.factor.to_dict() if self.factor else None,
            "result": _quantity_to_dict(self.result) if self.result else None,
            "formula": self.formula(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=data["name"],
            role=data["role"],
            inputs={name: _quantity_from_dict(q) for name, q in data["inputs"].items()},
            factor_key=data["factor_key"],
            factor=Factor.from_dict(data["factor"]) if data["factor"] else None,
            result=_quantity_from_dict(data["result"]) if data["result"] else None,
        )


@dataclass(frozen=True)
class Result:
    """The outcome of a calculation.

    ``kg_co2e`` is the reduction (basis ``"reduction"``) or the net emissions after offsets (basis
    ``"net_emissions"``, event footprints); it is None when status is ``needs_factor``, never a guess.
    """

    activity_key: str
    basis: str
    period: Period
    inputs: dict[str, Quantity | str]
    steps: tuple[Step, ...]
    warnings: tuple[CalcWarning, ...]
    status: str
    kg_co2e: Decimal | None

    @property
    def factors_used(self) -> tuple[Factor, ...]:
        """Every factor the steps used, once each, in order of first use."""
        seen: dict[tuple[str, str], Factor] = {}
        for step in self.steps:
            if step.factor is not None:
                seen.setdefault((step.factor.key, step.factor.ref), step.factor)
        return tuple(seen.values())

    @property
    def emissions_kg_co2e(self) -> Decimal | None:
        """Event footprints: gross emissions before offsets (None if a factor was missing)."""
        return self._sum_roles("emission")

    @property
    def offsets_kg_co2e(self) -> Decimal:
        """Event footprints: credits cancelled to offset, in kgCO2e."""
        return self._sum_roles("offset") or Decimal(0)

    @property
    def carbon_neutral(self) -> bool:
        """Event footprints: True when offsets cover all emissions (net <= 0)."""
        return self.kg_co2e is not None and self.kg_co2e <= 0

    def _sum_roles(self, role: str) -> Decimal | None:
        if self.status == STATUS_NEEDS_FACTOR and role != "offset":
            return None
        with decimal.localcontext(DECIMAL_CONTEXT):
            return sum(
                (_kg(step.result) for step in self.steps if step.role == role and step.result is not None),
                Decimal(0),
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict for storage; :meth:`from_dict` rebuilds the same Result."""
        return {
            "activity_key": self.activity_key,
            "basis": self.basis,
            "period": self.period.to_dict(),
            "inputs": {
                name: value if isinstance(value, str) else _quantity_to_dict(value)
                for name, value in self.inputs.items()
            },
            "kg_co2e": str(self.kg_co2e) if self.kg_co2e is not None else None,
            "status": self.status,
            "steps": [step.to_dict() for step in self.steps],
            "factors_used": [factor.to_dict() for factor in self.factors_used],
            "warnings": [warning.to_dict() for warning in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """Rebuild a stored result (``factors_used`` is derived from the steps)."""
        return cls(
            activity_key=data["activity_key"],
            basis=data["basis"],
            period=Period(
                date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"])
            ),
            inputs={
                name: value if isinstance(value, str) else _quantity_from_dict(value)
                for name, value in data["inputs"].items()
            },
            steps=tuple(Step.from_dict(step) for step in data["steps"]),
            warnings=tuple(CalcWarning(**warning) for warning in data["warnings"]),
            status=data["status"],
            kg_co2e=Decimal(data["kg_co2e"]) if data["kg_co2e"] is not None else None,
        )


def activity_types() -> tuple[ActivityType, ...]:
    """Every activity type a coordinator can report, in menu order."""
    return ACTIVITY_TYPES


def activity_type(key: str) -> ActivityType:
    """The activity type ``key``; InputError ``unknown_activity`` if there is none."""
    for activity in ACTIVITY_TYPES:
        if activity.key == key:
            return activity
    raise InputError("unknown_activity", "activity_key", f"unknown activity type {key!r}")


def event_footprint_type() -> ActivityType:
    """The Carbon Neutral Event footprint sources, declared like an activity type (fields = sources)."""
    return EVENT_FOOTPRINT


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
    return _run(activity, _METHODS[activity.key], inputs, factors, period)


def compute_event_footprint(
    inputs: Mapping[str, Any], factors: FactorTable, period: Period | tuple[date, date]
) -> Result:
    """Compute a Carbon Neutral Event footprint: emissions by source, offsets, and the net balance.

    Fields are those of :func:`event_footprint_type`. ``kg_co2e`` is the net (emissions - offsets);
    see also ``emissions_kg_co2e``, ``offsets_kg_co2e`` and ``carbon_neutral`` on the result.
    """
    return _run(EVENT_FOOTPRINT, _event_footprint, inputs, factors, period)


class _Run:
    """One calculation in progress: normalised inputs, steps and warnings collected by a method."""

    def __init__(
        self, activity: ActivityType, inputs: Mapping[str, Any], factors: FactorTable, period: Period
    ):
        self.activity = activity
        self.factors = factors
        self.period = period
        self.inputs = _normalise(activity, inputs)
        self.steps: list[Step] = []
        self.warnings: list[CalcWarning] = []
        self.missing_factor = False
        self._looked_up: set[str] = set()
        self._check_bounds()

    def quantity(self, name: str) -> Quantity | None:
        value = self.inputs.get(name)
        return value if isinstance(value, Quantity) else None

    def choice(self, name: str) -> str:
        value = self.inputs[name]
        assert isinstance(value, str)
        return value

    def warn(self, code: str, message: str, field: str | None = None, factor_key: str | None = None) -> None:
        warning = CalcWarning(code, message, field, factor_key)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def factor(self, key: str) -> Factor | None:
        """The factor for this run's period; warns once per key about missing, proxy or period problems."""
        selection = self.factors.select(key, self.period.start, self.period.end)
        if key not in self._looked_up:
            self._looked_up.add(key)
            factor = selection.factor
            if factor is None:
                self.warn(
                    "no_factor",
                    f"no emission factor {key!r} is available for {self.period.start} to {self.period.end};"
                    " staff must add a factor dataset before this can be computed",
                    factor_key=key,
                )
            else:
                if factor.confidence == "proxy":
                    self.warn(
                        "proxy_factor",
                        f"{key} = {factor.value} {factor.unit} from {factor.ref} is a proxy"
                        f" ({factor.source.title}), not a Thai official value; review before claiming",
                        factor_key=key,
                    )
                if selection.spans_change:
                    self.warn(
                        "period_spans_factor_change",
                        f"the period {self.period.start} to {self.period.end} spans a change of {key};"
                        f" used the value valid on {self.period.end}. Split the report at the change",
                        factor_key=key,
                    )
        return selection.factor

    def first_available(self, keys: tuple[str, ...], quantity: Quantity) -> str:
        """Of several factor keys, the one per the quantity's dimension, else the first with a factor."""
        found = []
        for key in keys:
            factor = self.factors.select(key, self.period.start, self.period.end).factor
            if factor is not None:
                per_unit = parse_factor_unit(factor.unit)[1][0]
                if dimension(per_unit) == dimension(quantity.unit):
                    return key
                found.append(key)
        return found[0] if found else keys[0]

    def add_step(
        self,
        name: str,
        role: str,
        inputs: dict[str, Quantity],
        factor_key: str | None,
        factor: Factor | None,
        result: Quantity | None,
    ) -> None:
        if factor_key is not None and factor is None:
            self.missing_factor = True
        self.steps.append(Step(name, role, inputs, factor_key, factor, result))

    def multiply(
        self, name: str, role: str, factor_key: str, inputs: dict[str, Quantity], substance: str | None = None
    ) -> Quantity | None:
        """Add the step ``inputs x factor``; each input is converted to the unit the factor is per."""
        factor = self.factor(factor_key)
        if factor is None:
            self.add_step(name, role, inputs, factor_key, None, None)
            return None
        numerator, per_units = parse_factor_unit(factor.unit)
        value = factor.value
        pending = dict(inputs)
        for per_unit in per_units:
            match = next((n for n, q in pending.items() if _convertible(q.unit, per_unit, substance)), None)
            if match is None:
                field = next(iter(pending), None)
                got = f"; got {pending[field].unit}" if field else ""
                raise UnitError("wrong_unit", field, f"{factor_key} is per {per_unit}{got}")
            quantity = pending.pop(match)
            value *= convert(quantity.value, quantity.unit, per_unit, substance=substance)
        if pending:
            field = next(iter(pending))
            raise UnitError(
                "wrong_unit", field, f"{factor_key} ({factor.unit}) has no use for {pending[field].unit}"
            )
        result = Quantity(value, numerator)
        self.add_step(name, role, inputs, factor_key, factor, result)
        return result

    def _check_bounds(self) -> None:
        for field in self.activity.fields:
            quantity = self.quantity(field.name)
            if quantity is None:
                continue
            for bounds in field.bounds:
                if not _convertible(quantity.unit, bounds.unit, field.substance):
                    continue
                value = convert(quantity.value, quantity.unit, bounds.unit, substance=field.substance)
                if not bounds.minimum <= value <= bounds.maximum:
                    self.warn(
                        "out_of_bounds",
                        f"{quantity} is outside the plausible range {bounds.minimum} to {bounds.maximum}"
                        f" {bounds.unit}; please check it",
                        field=field.name,
                    )
                break


def _run(
    activity: ActivityType,
    method: Callable[[_Run], None],
    inputs: Mapping[str, Any],
    factors: FactorTable,
    period: Period | tuple[date, date],
) -> Result:
    with decimal.localcontext(DECIMAL_CONTEXT):
        run = _Run(activity, inputs, factors, Period.of(period))
        method(run)
        if run.missing_factor:
            kg_co2e = None
            status = STATUS_NEEDS_FACTOR
        else:
            kg_co2e = sum(
                (
                    ROLE_SIGNS[s.role] * _kg(s.result)
                    for s in run.steps
                    if s.result is not None and ROLE_SIGNS[s.role]
                ),
                Decimal(0),
            )
            status = STATUS_NEEDS_REVIEW if run.warnings else STATUS_OK
    return Result(
        activity_key=activity.key,
        basis=activity.basis,
        period=run.period,
        inputs=run.inputs,
        steps=tuple(run.steps),
        warnings=tuple(run.warnings),
        status=status,
        kg_co2e=kg_co2e,
    )


# ---- methods, one per activity type -------------------------------------------------------------


def _recycling(run: _Run) -> None:
    # LESS-WM-01 shape: sum over materials of kg x avoided kgCO2e/kg (already baseline - project).
    for material in RECYCLABLE_MATERIALS:
        mass = run.quantity(material.key)
        if mass is not None:
            run.multiply(
                f"recycling.{material.key}", "reduction", f"recycling.{material.key}", {material.key: mass}
            )


def _composting(run: _Run) -> None:
    # kg x (landfill EF - composting EF): the organic waste would otherwise have gone to landfill.
    mass = run.quantity("organic_waste")
    assert mass is not None
    run.multiply("composting.landfill_avoided", "baseline", "waste.food_landfill", {"organic_waste": mass})
    run.multiply("composting.composting", "project", "waste.food_composted", {"organic_waste": mass})


def _tree_planting(run: _Run) -> None:
    # area_rai x rate(species, suitability) x years; a tree count becomes an area through the
    # species' planting density (count / trees-per-rai).
    species = run.choice("species")
    area = run.quantity("area")
    count = run.quantity("tree_count")
    years = run.quantity("years")
    assert years is not None
    rate_key = f"tree.{species}.{run.choice('site_suitability')}"
    density_key = f"tree_density.{species}"
    if species == OTHER_SPECIES:
        run.warn("species_not_listed", "the species has no sequestration rate; staff must add one", "species")
    if area is not None and count is not None:
        if run.factors.select(density_key, run.period.start, run.period.end).factor is None:
            run.warn(
                "area_used_no_density",
                "both the planted area and the tree count were given; with no planting density for the"
                " species the count cannot be checked, so the area was used",
                field="area",
            )
            run.multiply("tree_planting.sequestration", "removal", rate_key, {"area": area, "years": years})
            return
        _smaller_of_area_and_count(run, rate_key, density_key, area, count, years)
        return
    if area is None:
        assert count is not None
        area = _area_from_count(run, density_key, count)
        if area is None:
            return
    run.multiply("tree_planting.sequestration", "removal", rate_key, {"area": area, "years": years})


def _area_from_count(run: _Run, density_key: str, count: Quantity) -> Quantity | None:
    """The planted area a tree count stands for (count / trees-per-rai); None without a density."""
    density = run.factor(density_key)
    if density is None:
        run.add_step(
            "tree_planting.area_from_count", "intermediate", {"tree_count": count}, density_key, None, None
        )
        return None
    numerator, per_units = parse_factor_unit(density.unit)
    trees = convert(count.value, count.unit, numerator)
    area = Quantity(trees / density.value, per_units[0])
    run.add_step(
        "tree_planting.area_from_count", "intermediate", {"tree_count": count}, density_key, density, area
    )
    return area


def _smaller_of_area_and_count(
    run: _Run, rate_key: str, density_key: str, area: Quantity, count: Quantity, years: Quantity
) -> None:
    # Both figures given: both results are computed and the smaller one is claimed. Conservativeness
    # (ISO 14064-2:2019 clause 3, "principles"; TGO's T-VER rules ask the same): when two figures for
    # the same thing disagree, the one that does not overstate the removal is used.
    by_area = run.multiply(
        "tree_planting.sequestration_by_area", "intermediate", rate_key, {"area": area, "years": years}
    )
    counted = _area_from_count(run, density_key, count)
    assert counted is not None  # the density was checked by the caller
    by_count = run.multiply(
        "tree_planting.sequestration_by_count", "intermediate", rate_key, {"area": counted, "years": years}
    )
    if by_area is None or by_count is None:
        return  # no rate: the result waits for staff (needs_factor)
    used, field = (by_count, "tree_count") if _kg(by_count) <= _kg(by_area) else (by_area, "area")
    run.add_step(
        "tree_planting.smaller_result",
        "removal",
        {"by_area": by_area, "by_count": by_count},
        None,
        None,
        used,
    )
    run.warn(
        "area_and_count_given",
        f"both the planted area and the tree count were given; the smaller result, from the {field}, is used",
        field=field,
    )


def _forest_conservation(run: _Run) -> None:
    # area x rate(kind of work, forest type) x years. No official rate table was available, so the
    # shipped data has none and the result is "needs a factor" until a deployment adds one.
    area = run.quantity("area")
    years = run.quantity("years")
    assert area is not None and years is not None
    key = f"forest.{run.choice('work')}.{run.choice('forest_type')}"
    run.multiply("forest.sequestration", "removal", key, {"area": area, "years": years})


def _electricity_saving(run: _Run) -> None:
    # (baseline kWh - actual kWh) x grid EF, written as baseline and project emissions.
    baseline = run.quantity("baseline_electricity")
    actual = run.quantity("actual_electricity")
    assert baseline is not None and actual is not None
    run.multiply(
        "electricity_saving.baseline", "baseline", GRID_ELECTRICITY, {"baseline_electricity": baseline}
    )
    run.multiply("electricity_saving.actual", "project", GRID_ELECTRICITY, {"actual_electricity": actual})
    if actual.to("kWh").value >= baseline.to("kWh").value:
        run.warn(
            "no_reduction",
            "electricity used during the activity is not lower than before it",
            field="actual_electricity",
        )


def _renewable_electricity(run: _Run) -> None:
    # Each kWh generated displaces a kWh of grid electricity; the project itself emits nothing here.
    generated = run.quantity("electricity_generated")
    assert generated is not None
    run.multiply(
        "renewable_electricity.grid_displaced",
        "baseline",
        GRID_ELECTRICITY,
        {"electricity_generated": generated},
    )


def _fuel_saving(run: _Run) -> None:
    # Fuel saved x fuel EF.
    fuel = run.choice("fuel")
    saved = run.quantity("fuel_saved")
    assert saved is not None
    key = run.first_available(FUEL_FACTOR_KEYS[fuel], saved)
    run.multiply(
        "fuel_saving.fuel", "reduction", key, {"fuel_saved": saved}, substance=_FUEL_SUBSTANCES.get(fuel)
    )


def _transport_mode_shift(run: _Run) -> None:
    # passenger-km x (EF of the mode before - EF of the mode after).
    distance = run.quantity("passenger_distance")
    assert distance is not None
    baseline_mode, project_mode = run.choice("baseline_mode"), run.choice("project_mode")
    _travel(run, "transport.baseline", "baseline", baseline_mode, "passenger_distance", distance)
    _travel(run, "transport.project", "project", project_mode, "passenger_distance", distance)
    if baseline_mode == project_mode:
        run.warn("no_reduction", "the mode of travel did not change", field="project_mode")


def _travel(run: _Run, name: str, role: str, mode: str, field: str, distance: Quantity) -> None:
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


def _event_footprint(run: _Run) -> None:
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
            _travel(run, f"event.travel_{mode}", "emission", mode, f"travel_{mode}", distance)
    offsets = run.quantity("offsets")
    if offsets is not None:
        run.add_step("event.offsets", "offset", {"offsets": offsets}, None, None, offsets.to("kgCO2e"))


_METHODS: dict[str, Callable[[_Run], None]] = {
    "recycling": _recycling,
    "composting": _composting,
    "tree_planting": _tree_planting,
    "forest_conservation": _forest_conservation,
    "electricity_saving": _electricity_saving,
    "renewable_electricity": _renewable_electricity,
    "fuel_saving": _fuel_saving,
    "transport_mode_shift": _transport_mode_shift,
}


# ---- input handling -------------------------------------------------------------------------------


def _normalise(activity: ActivityType, inputs: Mapping[str, Any]) -> dict[str, Quantity | str]:
    """Check inputs against the field definitions; returns them in field order."""
    if not isinstance(inputs, Mapping):
        raise InputError("invalid_inputs", None, "inputs must be a mapping of field name to value")
    names = {field.name for field in activity.fields}
    for name in inputs:
        if name not in names:
            raise InputError("unknown_field", str(name), f"{activity.key} has no field {name!r}")
    normalised: dict[str, Quantity | str] = {}
    for field in activity.fields:
        raw = inputs.get(field.name)
        if raw is None or raw == "":
            if field.required:
                raise InputError("missing_field", field.name, f"{field.label_en} is required")
            continue
        if field.kind == "choice":
            normalised[field.name] = _choice(field, raw)
        elif field.kind == "text":
            normalised[field.name] = _free_text(field, raw)
        else:
            normalised[field.name] = _quantity(field, raw)
    for group in activity.one_of:
        if not any(name in normalised for name in group):
            raise InputError("missing_one_of", ",".join(group), f"give at least one of: {', '.join(group)}")
    return normalised


def _choice(field: Field, raw: object) -> str:
    if not isinstance(raw, str) or field.choice(raw) is None:
        allowed = ", ".join(c.key for c in field.choices)
        raise InputError("invalid_choice", field.name, f"{raw!r} is not one of: {allowed}")
    return raw


def _free_text(field: Field, raw: object) -> str:
    if not isinstance(raw, str) or len(raw.strip()) > MAX_FREE_TEXT:
        raise InputError(
            "invalid_text", field.name, f"{field.label_en}: at most {MAX_FREE_TEXT} characters of text"
        )
    return raw.strip()


def _quantity(field: Field, raw: object) -> Quantity:
    if isinstance(raw, tuple | list) and len(raw) == 2:
        value, unit = raw
    elif isinstance(raw, Mapping) and "value" in raw:
        value, unit = raw["value"], raw.get("unit")
    elif hasattr(raw, "value") and hasattr(raw, "unit"):  # calc's Quantity or the chat parser's
        value, unit = raw.value, raw.unit
    else:
        raise UnitError(
            "missing_unit", field.name, f"give {field.label_en} with a unit such as {field.units[0]}"
        )
    if unit is None:
        raise UnitError(
            "missing_unit", field.name, f"give {field.label_en} with a unit such as {field.units[0]}"
        )
    try:
        accepted = field.accepts_unit(unit)
    except UnitError:
        raise UnitError("unknown_unit", field.name, f"unknown unit {unit!r}") from None
    if not accepted:
        raise UnitError(
            "wrong_unit",
            field.name,
            f"{field.label_en} must be in {' or '.join(field.units)} (or alike), not {unit}",
        )
    quantity = Quantity(to_decimal(value, field.name), unit)
    if not field.within_limit(quantity.value, quantity.unit):
        raise InputError(
            "beyond_limit",
            field.name,
            f"{quantity} is more than possible for {field.label_en} (at most {field.most} {field.units[0]})",
        )
    return quantity


def _convertible(from_unit: str, to_unit: str, substance: str | None) -> bool:
    try:
        convert(0, from_unit, to_unit, substance=substance)
    except UnitError:
        return False
    return True


def _kg(quantity: Quantity) -> Decimal:
    return convert(quantity.value, quantity.unit, "kgCO2e")


def _quantity_to_dict(quantity: Quantity) -> dict[str, str]:
    return {"value": str(quantity.value), "unit": quantity.unit}


def _quantity_from_dict(data: dict[str, str]) -> Quantity:
    return Quantity(Decimal(data["value"]), data["unit"])

"""Energy methods: electricity saving, renewable electricity and fuel saving."""

from __future__ import annotations

from collections.abc import Callable

from calc.methods.run import Run

GRID_ELECTRICITY = "electricity.grid_th"

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


def _electricity_saving(run: Run) -> None:
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


def _renewable_electricity(run: Run) -> None:
    # Each kWh generated displaces a kWh of grid electricity; the project itself emits nothing here.
    generated = run.quantity("electricity_generated")
    assert generated is not None
    run.multiply(
        "renewable_electricity.grid_displaced",
        "baseline",
        GRID_ELECTRICITY,
        {"electricity_generated": generated},
    )


def _fuel_saving(run: Run) -> None:
    # Fuel saved x fuel EF.
    fuel = run.choice("fuel")
    saved = run.quantity("fuel_saved")
    assert saved is not None
    key = run.first_available(FUEL_FACTOR_KEYS[fuel], saved)
    run.multiply(
        "fuel_saving.fuel", "reduction", key, {"fuel_saved": saved}, substance=_FUEL_SUBSTANCES.get(fuel)
    )


METHODS: dict[str, Callable[[Run], None]] = {
    "electricity_saving": _electricity_saving,
    "renewable_electricity": _renewable_electricity,
    "fuel_saving": _fuel_saving,
}

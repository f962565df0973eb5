"""Waste methods: recycling and composting."""

from __future__ import annotations

from collections.abc import Callable

from calc.activities import RECYCLABLE_MATERIALS
from calc.methods.run import Run


def _recycling(run: Run) -> None:
    # LESS-WM-01 shape: sum over materials of kg x avoided kgCO2e/kg (already baseline - project).
    for material in RECYCLABLE_MATERIALS:
        mass = run.quantity(material.key)
        if mass is not None:
            run.multiply(
                f"recycling.{material.key}", "reduction", f"recycling.{material.key}", {material.key: mass}
            )


def _composting(run: Run) -> None:
    # kg x (landfill EF - composting EF): the organic waste would otherwise have gone to landfill.
    mass = run.quantity("organic_waste")
    assert mass is not None
    run.multiply("composting.landfill_avoided", "baseline", "waste.food_landfill", {"organic_waste": mass})
    run.multiply("composting.composting", "project", "waste.food_composted", {"organic_waste": mass})


METHODS: dict[str, Callable[[Run], None]] = {"recycling": _recycling, "composting": _composting}

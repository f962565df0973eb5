"""Land methods: tree planting (by area, by tree count, or the smaller of both) and forest care."""

from __future__ import annotations

from collections.abc import Callable

from calc.activities import OTHER_SPECIES
from calc.methods.results import kg
from calc.methods.run import Run
from calc.units import Quantity, convert, parse_factor_unit


def _tree_planting(run: Run) -> None:
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


def _area_from_count(run: Run, density_key: str, count: Quantity) -> Quantity | None:
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
    run: Run, rate_key: str, density_key: str, area: Quantity, count: Quantity, years: Quantity
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
    used, field = (by_count, "tree_count") if kg(by_count) <= kg(by_area) else (by_area, "area")
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


def _forest_conservation(run: Run) -> None:
    # area x rate(kind of work, forest type) x years. No official rate table was available, so the
    # shipped data has none and the result is "needs a factor" until a deployment adds one.
    area = run.quantity("area")
    years = run.quantity("years")
    assert area is not None and years is not None
    key = f"forest.{run.choice('work')}.{run.choice('forest_type')}"
    run.multiply("forest.sequestration", "removal", key, {"area": area, "years": years})


METHODS: dict[str, Callable[[Run], None]] = {
    "tree_planting": _tree_planting,
    "forest_conservation": _forest_conservation,
}

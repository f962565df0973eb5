"""Tree planting as staff read it: the inputs each step names, and each warning's field and wording."""

from __future__ import annotations

from datetime import date

import pytest

import calc

JUNE_2024 = (date(2024, 6, 1), date(2024, 6, 30))


@pytest.fixture(scope="module")
def factors():
    return calc.load_factors()


def tree(factors, species="eucalyptus", **given):
    inputs = {"species": species, "site_suitability": "high", "years": (5, "year"), **given}
    return calc.compute("tree_planting", inputs, factors, JUNE_2024)


def test_both_results_and_the_comparison_name_their_inputs(factors):
    result = tree(factors, area=(100, "rai"), tree_count=(2000, "trees"))
    inputs = {step.name: set(step.inputs) for step in result.steps}
    assert inputs["tree_planting.sequestration_by_area"] == {"area", "years"}
    assert inputs["tree_planting.sequestration_by_count"] == {"area", "years"}
    assert inputs["tree_planting.smaller_result"] == {"by_area", "by_count"}


def test_without_a_density_the_area_step_and_warning_are_shown(factors):
    result = tree(factors, species="teak", area=(3, "rai"), tree_count=(2000, "trees"))
    assert {step.name: set(step.inputs) for step in result.steps} == {
        "tree_planting.sequestration": {"area", "years"}
    }
    [warning] = result.warnings
    assert (warning.code, warning.field) == ("area_used_no_density", "area")
    assert warning.message == (
        "both the planted area and the tree count were given; with no planting density for the"
        " species the count cannot be checked, so the area was used"
    )


def test_a_species_outside_the_table_is_flagged_on_the_species(factors):
    result = tree(factors, species="other", species_name="ยางนา", area=(3, "rai"))
    warning = next(w for w in result.warnings if w.code == "species_not_listed")
    assert warning.field == "species"
    assert warning.message == "the species has no sequestration rate; staff must add one"


def test_a_species_name_of_exactly_the_limit_is_kept_one_more_is_refused(factors):
    name = "ก" * calc.MAX_FREE_TEXT
    assert (
        tree(factors, species="other", species_name=f" {name} ", area=(3, "rai")).inputs["species_name"]
        == name
    )
    with pytest.raises(calc.InputError) as raised:
        tree(factors, species="other", species_name=name + "ก", area=(3, "rai"))
    assert (raised.value.code, raised.value.field) == ("invalid_text", "species_name")
    assert "at most 100 characters of text" in str(raised.value)

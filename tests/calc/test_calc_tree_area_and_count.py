"""Tree planting given both a planted area and a tree count, the area limit and its bounds, and species
outside the rate table: what calc computes, claims and says."""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal

import pytest

import calc
from calc.methods import DECIMAL_CONTEXT

JUNE_2024 = (date(2024, 6, 1), date(2024, 6, 30))


@pytest.fixture(scope="module")
def factors():
    return calc.load_factors()


def tree(factors, species="eucalyptus", suitability="high", years=5, **given):
    inputs = {"species": species, "site_suitability": suitability, "years": (years, "year"), **given}
    return calc.compute("tree_planting", inputs, factors, JUNE_2024)


def codes(result):
    return [w.code for w in result.warnings]


def test_both_given_the_count_gives_less_and_its_result_is_claimed(factors):
    # 100 rai at 6.09 t/rai/yr for 5 yr = 3,045 t; 2,000 eucalyptus at 267 trees/rai = 7.49 rai = 228.09 t.
    result = tree(factors, area=(100, "rai"), tree_count=(2000, "trees"))
    with decimal.localcontext(DECIMAL_CONTEXT):
        from_count = Decimal(2000) / Decimal(267) * Decimal("6.09") * 5 * 1000
    assert result.kg_co2e == from_count
    assert round(result.kg_co2e / 1000, 2) == Decimal("228.09")
    assert result.status == calc.STATUS_NEEDS_REVIEW
    warning = next(w for w in result.warnings if w.code == "area_and_count_given")
    assert warning.field == "tree_count"
    assert "smaller result, from the tree_count, is used" in warning.message
    steps = {step.name: step for step in result.steps}
    assert steps["tree_planting.sequestration_by_area"].result.to("kgCO2e").value == Decimal("3045000")
    assert steps["tree_planting.sequestration_by_area"].role == "intermediate"
    assert steps["tree_planting.sequestration_by_count"].role == "intermediate"
    assert steps["tree_planting.smaller_result"].role == "removal"


def test_both_given_the_area_gives_less_and_its_result_is_claimed(factors):
    result = tree(factors, area=(1, "rai"), tree_count=(2000, "trees"))
    assert result.kg_co2e == Decimal("30450.00")  # 1 rai x 6.09 x 5 years
    warning = next(w for w in result.warnings if w.code == "area_and_count_given")
    assert warning.field == "area"


def test_both_given_without_a_density_the_area_is_used_and_said(factors):
    result = tree(factors, species="teak", area=(3, "rai"), tree_count=(2000, "trees"))
    assert result.kg_co2e == Decimal("32400.00")  # 3 rai x 2.16 x 5 years
    assert result.status == calc.STATUS_NEEDS_REVIEW
    assert codes(result) == ["area_used_no_density"]
    assert [step.name for step in result.steps] == ["tree_planting.sequestration"]


def test_the_same_inputs_round_trip_through_storage(factors):
    result = tree(factors, area=(100, "rai"), tree_count=(2000, "trees"))
    assert calc.Result.from_dict(result.to_dict()) == result


@pytest.mark.parametrize(
    ("area", "refused"),
    [
        ((258_750, "rai"), False),
        (("258750.001", "rai"), True),
        ((41_400, "ha"), False),  # 41,400 ha = 258,750 rai
        (("41400.01", "ha"), True),
        ((5_000_000, "rai"), True),
    ],
)
def test_an_area_beyond_the_smallest_province_is_refused(factors, area, refused):
    if refused:
        with pytest.raises(calc.InputError) as raised:
            tree(factors, area=area)
        assert (raised.value.code, raised.value.field) == ("beyond_limit", "area")
    else:
        result = tree(factors, area=area)
        assert "out_of_bounds" in codes(result)  # possible, but far beyond the plausible 10,000 rai


@pytest.mark.parametrize(("rai", "flagged"), [("10000", False), ("10000.001", True), ("0", False)])
def test_the_plausible_bound_of_the_planted_area(factors, rai, flagged):
    result = tree(factors, area=(rai, "rai"))
    assert ("out_of_bounds" in codes(result)) is flagged


def test_the_area_limit_also_holds_when_the_count_is_given(factors):
    with pytest.raises(calc.InputError):
        tree(factors, area=(5_000_000, "rai"), tree_count=(2000, "trees"))


def test_a_species_outside_the_table_is_taken_and_waits_for_a_rate(factors):
    result = tree(factors, species="other", species_name="ยางนา", area=(3, "rai"))
    assert result.status == calc.STATUS_NEEDS_FACTOR
    assert result.kg_co2e is None
    assert result.inputs["species_name"] == "ยางนา"
    assert "species_not_listed" in codes(result)


def test_a_species_name_is_text_of_bounded_length(factors):
    with pytest.raises(calc.InputError):
        tree(factors, species="other", species_name="ก" * 101, area=(3, "rai"))

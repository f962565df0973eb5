"""Warnings staff read next to a figure: exact codes, fields and messages; plausibility bounds at their
edges; the steps and formulas shown for each method; a one-day period."""

import decimal
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

import calc
from calc.errors import InputError, UnitError

JUNE_2024 = (date(2024, 6, 1), date(2024, 6, 30))


@pytest.fixture(scope="module")
def factors():
    return calc.load_factors()


def tree(species, suitability, years, **amount):
    return {"species": species, "site_suitability": suitability, "years": (years, "year"), **amount}


def bound(quantity, field, low, high, unit):
    message = f"{quantity} is outside the plausible range {low} to {high} {unit}; please check it"
    return ("out_of_bounds", field, message)


PET_PROXY = (
    "proxy_factor",
    None,
    "recycling.pet = 1.15 kgCO2e/kg from epa-warm-v16@1 is a proxy (Waste Reduction Model (WARM),"
    " version 16), not a Thai official value; review before claiming",
)


@pytest.mark.parametrize(
    ("activity", "inputs", "expected", "warnings"),
    [
        (
            "renewable_electricity",
            {"electricity_generated": (60_000_000, "kWh")},
            "29994000",  # 60,000,000 × 0.4999
            [bound("60000000 kWh", "electricity_generated", 0, 50000000, "kWh")],
        ),
        (
            "tree_planting",
            tree("teak", "moderate", 50, area=(3, "rai")),
            "258000",  # 3 × 1.72 × 50 = 258 t
            [bound("50 year", "years", 0, 30, "year")],
        ),
        (
            "tree_planting",
            tree("teak", "moderate", 1, area=(-3, "rai")),
            "-5160",  # −3 × 1.72 = −5.16 t: computed as typed, for staff to correct
            [bound("-3 rai", "area", 0, 10000, "rai")],
        ),
        (
            "recycling",
            {"pet": (150, "t")},  # 150,000 kg: tonnes typed where kg were meant?
            "172500",  # 150,000 × 1.15
            [bound("150 t", "pet", 0, 100000, "kg"), PET_PROXY],
        ),
        (
            "fuel_saving",
            {"fuel": "lpg", "fuel_saved": (2_000_000, "kg")},
            "6409800",  # 2,000,000 × 3.2049
            [bound("2000000 kg", "fuel_saved", 0, 1000000, "kg")],
        ),
    ],
)
def test_out_of_bounds_is_a_warning_not_an_error(factors, activity, inputs, expected, warnings):
    result = calc.compute(activity, inputs, factors, JUNE_2024)
    assert result.kg_co2e == Decimal(expected)
    assert [(w.code, w.field, w.message) for w in result.warnings] == warnings
    assert result.status == calc.STATUS_NEEDS_REVIEW


@pytest.mark.parametrize(
    ("activity", "inputs", "expected"),
    [
        ("renewable_electricity", {"electricity_generated": (50_000_000, "kWh")}, "24995000"),  # the ceiling
        (
            "renewable_electricity",
            {"electricity_generated": ("50000", "MWh")},
            "24995000",
        ),  # = 50,000,000 kWh
        ("renewable_electricity", {"electricity_generated": (0, "kWh")}, "0"),  # the floor
        ("fuel_saving", {"fuel": "lpg", "fuel_saved": (1_000_000, "L")}, "1730600"),  # 1,000,000 × 1.7306
        ("fuel_saving", {"fuel": "lpg", "fuel_saved": ("1000", "t")}, "3204900"),  # = 1,000,000 kg × 3.2049
        ("tree_planting", tree("teak", "moderate", 30, area=(1, "rai")), "51600"),  # 30 years: 1.72 × 30
    ],
)
def test_values_on_a_bound_are_plausible(factors, activity, inputs, expected):
    result = calc.compute(activity, inputs, factors, JUNE_2024)
    assert (result.kg_co2e, result.status, result.warnings) == (Decimal(expected), calc.STATUS_OK, ())


@pytest.mark.parametrize(
    ("amount", "warning"),
    [
        (("50000000.001", "kWh"), bound("50000000.001 kWh", "electricity_generated", 0, 50000000, "kWh")),
        (("50000.000001", "MWh"), bound("50000.000001 MWh", "electricity_generated", 0, 50000000, "kWh")),
        (("-0.001", "kWh"), bound("-0.001 kWh", "electricity_generated", 0, 50000000, "kWh")),
    ],
)
def test_just_past_a_bound_is_flagged(factors, amount, warning):
    result = calc.compute("renewable_electricity", {"electricity_generated": amount}, factors, JUNE_2024)
    assert [(w.code, w.field, w.message) for w in result.warnings] == [warning]
    assert result.status == calc.STATUS_NEEDS_REVIEW


def test_a_one_day_period_is_computed(factors):
    day = date(2024, 6, 15)
    result = calc.compute(
        "renewable_electricity", {"electricity_generated": (100, "kWh")}, factors, (day, day)
    )
    assert result.kg_co2e == Decimal("49.99")  # 100 × 0.4999
    assert result.period.to_dict() == {"start": "2024-06-15", "end": "2024-06-15"}


RAIL_PROXY = (
    "proxy_factor",
    None,
    "travel.rail = 0.035 kgCO2e/pkm from uk-desnz-2025@1 is a proxy (Greenhouse gas reporting: conversion"
    " factors 2025), not a Thai official value; review before claiming",
)
CAR_PROXY = (
    "proxy_factor",
    None,
    "travel.car_average = 0.167 kgCO2e/km from uk-desnz-2025@1 is a proxy (Greenhouse gas reporting:"
    " conversion factors 2025), not a Thai official value; review before claiming",
)
ONE_PER_CAR = (
    "one_traveller_per_vehicle",
    "passenger_distance",
    "travel.car_average is per vehicle-km; each passenger-km counted as a vehicle-km"
    " (one traveller per vehicle)",
)
SAME_MODE = ("no_reduction", "project_mode", "the mode of travel did not change")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("rail", [RAIL_PROXY, SAME_MODE]),
        ("car", [CAR_PROXY, ONE_PER_CAR, SAME_MODE]),  # each warning once though both steps use the car
    ],
)
def test_the_same_mode_before_and_after_is_no_reduction(factors, mode, expected):
    inputs = {"baseline_mode": mode, "project_mode": mode, "passenger_distance": (100, "pkm")}
    result = calc.compute("transport_mode_shift", inputs, factors, JUNE_2024)
    assert result.kg_co2e == 0
    assert [(w.code, w.field, w.message) for w in result.warnings] == expected
    assert result.status == calc.STATUS_NEEDS_REVIEW


NO_SAVING = (
    "no_reduction",
    "actual_electricity",
    "electricity used during the activity is not lower than before it",
)


@pytest.mark.parametrize(
    ("baseline", "actual", "expected", "warnings"),
    [
        ((8000, "kWh"), (8000, "kWh"), "0", [NO_SAVING]),  # equal is no saving
        (("8", "MWh"), (7999, "kWh"), "0.4999", []),  # 1 kWh saved: compared in kWh, not as typed
        (("8", "MWh"), (8001, "kWh"), "-0.4999", [NO_SAVING]),
    ],
)
def test_electricity_saving_compares_in_kwh(factors, baseline, actual, expected, warnings):
    inputs = {"baseline_electricity": baseline, "actual_electricity": actual}
    result = calc.compute("electricity_saving", inputs, factors, JUNE_2024)
    assert result.kg_co2e == Decimal(expected)
    assert [(w.code, w.field, w.message) for w in result.warnings] == warnings


def test_missing_and_changing_factors_say_which_and_when(factors):
    missing = calc.compute("tree_planting", tree("teak", "moderate", 1, tree_count=(500, "trees")), factors,
                           JUNE_2024)  # fmt: skip
    assert [(w.code, w.field, w.factor_key, w.message) for w in missing.warnings] == [
        (
            "no_factor",
            None,
            "tree_density.teak",
            "no emission factor 'tree_density.teak' is available for 2024-06-01 to 2024-06-30; staff must"
            " add a factor dataset before this can be computed",
        )
    ]
    spanning = calc.compute("renewable_electricity", {"electricity_generated": (1000, "kWh")}, factors,
                            (date(2025, 12, 1), date(2026, 1, 31)))  # fmt: skip
    assert [(w.code, w.factor_key, w.message) for w in spanning.warnings] == [
        (
            "period_spans_factor_change",
            "electricity.grid_th",
            "the period 2025-12-01 to 2026-01-31 spans a change of electricity.grid_th; used the value valid"
            " on 2026-01-31. Split the report at the change",
        )
    ]


# The steps staff see under a figure: (name, role, input names, factor key, formula) for each.
STEPS = [
    (
        "tree_planting",
        tree("eucalyptus", "high", 2, tree_count=(534, "trees")),
        [
            (
                "tree_planting.area_from_count",
                "intermediate",
                ("tree_count",),
                "tree_density.eucalyptus",
                "534 trees ÷ 267 trees/rai = 2 rai",
            ),
            (
                "tree_planting.sequestration",
                "removal",
                ("area", "years"),
                "tree.eucalyptus.high",
                "2 rai × 2 year × 6.09 tCO2e/rai/year = 24.36 tCO2e",
            ),
        ],
    ),
    (
        "tree_planting",
        tree("teak", "moderate", 1, tree_count=(500, "trees")),
        [
            (
                "tree_planting.area_from_count",
                "intermediate",
                ("tree_count",),
                "tree_density.teak",
                "500 trees × [tree_density.teak: no factor]",
            )
        ],
    ),
    (
        "composting",
        {"organic_waste": (1000, "kg")},
        [
            (
                "composting.landfill_avoided",
                "baseline",
                ("organic_waste",),
                "waste.food_landfill",
                "1000 kg × 0.64 kgCO2e/kg = 640.00 kgCO2e",
            ),
            (
                "composting.composting",
                "project",
                ("organic_waste",),
                "waste.food_composted",
                "1000 kg × 0.17 kgCO2e/kg = 170.00 kgCO2e",
            ),
        ],
    ),
    (
        "electricity_saving",
        {"baseline_electricity": (10000, "kWh"), "actual_electricity": (8000, "kWh")},
        [
            (
                "electricity_saving.baseline",
                "baseline",
                ("baseline_electricity",),
                "electricity.grid_th",
                "10000 kWh × 0.4999 kgCO2e/kWh = 4999.0000 kgCO2e",
            ),
            (
                "electricity_saving.actual",
                "project",
                ("actual_electricity",),
                "electricity.grid_th",
                "8000 kWh × 0.4999 kgCO2e/kWh = 3999.2000 kgCO2e",
            ),
        ],
    ),
    (
        "renewable_electricity",
        {"electricity_generated": (1250, "kWh")},
        [
            (
                "renewable_electricity.grid_displaced",
                "baseline",
                ("electricity_generated",),
                "electricity.grid_th",
                "1250 kWh × 0.4999 kgCO2e/kWh = 624.8750 kgCO2e",
            )
        ],
    ),
    (
        "fuel_saving",
        {"fuel": "lpg", "fuel_saved": (100, "L")},
        [
            (
                "fuel_saving.fuel",
                "reduction",
                ("fuel_saved",),
                "fuel.lpg_mobile_per_l",
                "100 L × 1.7306 kgCO2e/L = 173.0600 kgCO2e",
            )
        ],
    ),
    (
        "recycling",
        {"glass": (500, "g")},
        [
            (
                "recycling.glass",
                "reduction",
                ("glass",),
                "recycling.glass",
                "500 g × 0.31 kgCO2e/kg = 0.15500 kgCO2e",
            )
        ],
    ),
    (
        "transport_mode_shift",
        {"baseline_mode": "car", "project_mode": "rail", "passenger_distance": (1000, "pkm")},
        [
            (
                "transport.baseline",
                "baseline",
                ("vehicle_distance",),
                "travel.car_average",
                "1000 km × 0.167 kgCO2e/km = 167.000 kgCO2e",
            ),
            (
                "transport.project",
                "project",
                ("passenger_distance",),
                "travel.rail",
                "1000 pkm × 0.035 kgCO2e/pkm = 35.000 kgCO2e",
            ),
        ],
    ),
    (
        "forest_conservation",
        {"work": "restoration", "forest_type": "mangrove", "area": (10, "rai"), "years": (2, "year")},
        [
            (
                "forest.sequestration",
                "removal",
                ("area", "years"),
                "forest.restoration.mangrove",
                "10 rai × 2 year × [forest.restoration.mangrove: no factor]",
            )
        ],
    ),
]


@pytest.mark.parametrize(("activity", "inputs", "steps"), STEPS)
def test_steps_are_named_and_shown_as_formulas(factors, activity, inputs, steps):
    result = calc.compute(activity, inputs, factors, JUNE_2024)
    assert [(s.name, s.role, tuple(s.inputs), s.factor_key, s.formula()) for s in result.steps] == steps
    assert [s["formula"] for s in result.to_dict()["steps"]] == [step[-1] for step in steps]


def without(factors, key):
    """The same factor tables less the factor ``key``: what a deployment might have."""
    return calc.FactorTable(
        replace(d, factors=tuple(f for f in d.factors if f.key != key)) for d in factors.datasets
    )


def test_lpg_in_litres_uses_the_density_when_only_a_factor_per_kg_is_at_hand(factors):
    per_kg_only = without(factors, "fuel.lpg_mobile_per_l")
    saving = calc.compute("fuel_saving", {"fuel": "lpg", "fuel_saved": (100, "L")}, per_kg_only, JUNE_2024)
    assert saving.kg_co2e == Decimal("173.0646")  # 100 L × 0.54 kg/L = 54 kg × 3.2049
    assert [s.factor_key for s in saving.steps] == ["fuel.lpg_mobile_per_kg"]
    event = calc.compute_event_footprint({"cooking_lpg": (100, "L")}, per_kg_only, JUNE_2024)
    assert event.kg_co2e == Decimal("173.0646")


def test_a_missing_factor_leaves_no_figure_but_keeps_the_offsets(factors):
    no_grid = without(factors, "electricity.grid_th")
    inputs = {"venue_electricity": (2000, "kWh"), "offsets": ("1.5", "tCO2e")}
    result = calc.compute_event_footprint(inputs, no_grid, JUNE_2024)
    assert (result.status, result.kg_co2e, result.emissions_kg_co2e) == (calc.STATUS_NEEDS_FACTOR, None, None)
    assert result.offsets_kg_co2e == Decimal(1500) and not result.carbon_neutral
    stored = json.loads(json.dumps(result.to_dict()))
    assert stored["kg_co2e"] is None and stored["steps"][0]["result"] is None
    assert calc.Result.from_dict(stored) == result


def test_sums_do_not_depend_on_the_callers_decimal_context(factors):
    inputs = {"venue_electricity": (2000, "kWh"), "generator_diesel": (100, "L")}
    inputs["offsets"] = ("0.00001", "tCO2e")
    result = calc.compute_event_footprint(inputs, factors, JUNE_2024)
    with decimal.localcontext(decimal.Context(prec=3)):
        assert result.emissions_kg_co2e == Decimal("1270.58")  # 999.8 + 270.78
        assert result.offsets_kg_co2e == Decimal("0.01")


def test_an_unknown_choice_lists_the_choices():
    with pytest.raises(InputError) as caught:
        calc.compute("tree_planting", tree("oak", "high", 1, area=(1, "rai")), calc.load_factors(), JUNE_2024)
    assert str(caught.value) == (
        "species: 'oak' is not one of: "
        "teak, eucalyptus, acacia_mangium, acacia_auriculiformis, leucaena, other"
    )


ELECTRICITY = "renewable_electricity"


@pytest.mark.parametrize(
    ("activity", "inputs", "period", "code", "message"),
    [
        (ELECTRICITY, [("electricity_generated", 1)], JUNE_2024, "invalid_inputs",
         "inputs must be a mapping of field name to value"),
        (ELECTRICITY, {"electricity_generated": {"value": 5}}, JUNE_2024, "missing_unit",
         "electricity_generated: give Electricity generated with a unit such as kWh"),
        (ELECTRICITY, {"electricity_generated": SimpleNamespace(value=5)}, JUNE_2024, "missing_unit",
         "electricity_generated: give Electricity generated with a unit such as kWh"),
        (ELECTRICITY, {"electricity_generated": 1250}, JUNE_2024, "missing_unit",
         "electricity_generated: give Electricity generated with a unit such as kWh"),
        (ELECTRICITY, {"electricity_generated": ""}, JUNE_2024, "missing_field",
         "electricity_generated: Electricity generated is required"),
        (ELECTRICITY, {"electricity_generated": (5, "kg")}, JUNE_2024, "wrong_unit",
         "electricity_generated: Electricity generated must be in kWh (or alike), not kg"),
        (ELECTRICITY, {"electricity_generated": (5, "หน่วย")}, JUNE_2024, "unknown_unit",
         "electricity_generated: unknown unit 'หน่วย'"),
        (ELECTRICITY, {"electricity_generated": (1, "kWh"), "kwh": 1}, JUNE_2024, "unknown_field",
         "kwh: renewable_electricity has no field 'kwh'"),
        ("planting", {}, JUNE_2024, "unknown_activity", "activity_key: unknown activity type 'planting'"),
        (ELECTRICITY, {"electricity_generated": (1, "kWh")}, (date(2024, 6, 30), date(2024, 6, 1)),
         "invalid_period", "period: period starts 2024-06-30 after it ends 2024-06-01"),
        (ELECTRICITY, {"electricity_generated": (1, "kWh")}, ("2024-06-01", "2024-06-30"), "invalid_period",
         "period: period start and end must be dates"),
        (ELECTRICITY, {"electricity_generated": (1, "kWh")}, (date(2024, 6, 1),), "invalid_period",
         "period: period must be (start date, end date)"),
        ("fuel_saving", {"fuel": "cng", "fuel_saved": (10, "L")}, JUNE_2024, "wrong_unit",
         "fuel_saved: fuel.cng_mobile is per kg; got L"),
        ("tree_planting", tree("teak", "high", 1), JUNE_2024, "missing_one_of",
         "area,tree_count: give at least one of: area, tree_count"),
    ],
)  # fmt: skip
def test_input_errors_say_what_to_fix(factors, activity, inputs, period, code, message):
    with pytest.raises((InputError, UnitError)) as caught:
        calc.compute(activity, inputs, factors, period)
    assert (caught.value.code, str(caught.value)) == (code, message)


def test_a_period_object_is_taken_as_it_is(factors):
    inputs = {"electricity_generated": (100, "kWh")}
    result = calc.compute(ELECTRICITY, inputs, factors, calc.Period(date(2024, 6, 1), date(2024, 6, 30)))
    assert (result.activity_key, result.kg_co2e) == (ELECTRICITY, Decimal("49.99"))
    assert result.to_dict()["activity_key"] == ELECTRICITY


def forest_rate(tmp_path, unit):
    """A deployment's forest rate in ``unit``, loaded with the shipped factors."""
    (tmp_path / "forest.toml").write_text(
        '[dataset]\nname = "forest-sheet"\nversion = 1\npublished = 2026-11-26\n'
        '[dataset.source]\ntitle = "Forest rates"\npublisher = "Test"\n'
        f'[[factor]]\nkey = "forest.restoration.mangrove"\nvalue = 1.5\nunit = "{unit}"\n'
        'confidence = "official"\n',
        encoding="utf-8",
    )
    return calc.load_factors(extra_dir=tmp_path)


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ("tCO2e/rai", "years: forest.restoration.mangrove (tCO2e/rai) has no use for year"),
        ("tCO2e/rai/year/trees", "forest.restoration.mangrove is per trees"),  # no input left to name
    ],
)
def test_a_deployment_factor_that_does_not_fit_the_inputs(tmp_path, unit, message):
    inputs = {"work": "restoration", "forest_type": "mangrove", "area": (10, "rai"), "years": (2, "year")}
    with pytest.raises(UnitError) as caught:
        calc.compute("forest_conservation", inputs, forest_rate(tmp_path, unit), JUNE_2024)
    assert (caught.value.code, str(caught.value)) == ("wrong_unit", message)


def test_more_edges_of_the_inputs(factors):
    lpg = calc.compute_event_footprint({"cooking_lpg": (100_000, "L")}, factors, JUNE_2024)
    assert [(w.code, w.message) for w in lpg.warnings] == [  # 100,000 L × 0.54 = 54,000 kg
        ("out_of_bounds", "100000 L is outside the plausible range 0 to 50000 kg; please check it")
    ]
    with pytest.raises(InputError) as caught:
        calc.compute(
            ELECTRICITY, {"electricity_generated": (1, "kWh")}, factors, (date(2024, 6, 1), "2024-06-30")
        )
    assert str(caught.value) == "period: period start and end must be dates"
    with pytest.raises(UnitError) as caught:
        calc.compute_event_footprint({"cooking_lpg": (5, "kWh")}, factors, JUNE_2024)
    assert str(caught.value) == "cooking_lpg: Cooking LPG must be in kg or L (or alike), not kWh"

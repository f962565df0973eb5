"""Activity methods against hand-computed values, plus warnings, errors, provenance and determinism."""

import decimal
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

import calc
from calc.errors import InputError, UnitError

JUNE_2024 = (date(2024, 6, 1), date(2024, 6, 30))
JUNE_2026 = (date(2026, 6, 1), date(2026, 6, 30))


@pytest.fixture(scope="module")
def factors():
    return calc.load_factors()


def tree(species, suitability, years, **amount):
    return {"species": species, "site_suitability": suitability, "years": (years, "year"), **amount}


ALL_MATERIALS = [
    "aluminium_cans",
    "steel_cans",
    "corrugated_cardboard",
    "mixed_paper",
    "office_paper",
    "glass",
    "pet",
    "hdpe",
    "pp",
]
# Expected status and warnings, each warning as (code, field, factor key).
OK = (calc.STATUS_OK, ())


def proxy(*keys):
    return calc.STATUS_NEEDS_REVIEW, tuple(("proxy_factor", None, key) for key in keys)


def per_vehicle(vehicle_key, other_key):
    return calc.STATUS_NEEDS_REVIEW, (
        ("proxy_factor", None, vehicle_key),
        ("one_traveller_per_vehicle", "passenger_distance", vehicle_key),
        ("proxy_factor", None, other_key),
    )


# (activity, inputs, expected kgCO2e written out by hand, (status, warnings))
CASES = [
    # renewable electricity: kWh x grid EF (0.4999 until 2025-12-31)
    ("renewable_electricity", {"electricity_generated": (1250, "kWh")}, "624.875", OK),  # 1250 × 0.4999
    ("renewable_electricity", {"electricity_generated": ("2", "MWh")}, "999.8", OK),  # 2000 kWh × 0.4999
    # electricity saving: (baseline - actual) x grid EF
    (
        "electricity_saving",
        {"baseline_electricity": (10000, "kWh"), "actual_electricity": (8000, "kWh")},
        "999.8",  # 10000 × 0.4999 − 8000 × 0.4999 = 4999 − 3999.2
        OK,
    ),
    # recycling: Σ kg × avoided EF (US EPA WARM factors: proxies for Thailand)
    (
        "recycling",
        {"aluminium_cans": (10, "kg"), "pet": ("0.2", "t")},
        "330.6",  # 10 × 10.06 + 200 × 1.15
        proxy("recycling.aluminium_cans", "recycling.pet"),
    ),
    (
        "recycling",
        {m: (1, "kg") for m in ALL_MATERIALS},
        "25.77",  # 10.06 + 2.02 + 3.46 + 3.91 + 3.15 + 0.31 + 1.15 + 0.84 + 0.87
        proxy(*(f"recycling.{m}" for m in ALL_MATERIALS)),
    ),
    ("recycling", {"glass": (500, "g")}, "0.155", proxy("recycling.glass")),  # 0.5 kg × 0.31
    # composting: kg × (landfill EF − composting EF)
    (
        "composting",
        {"organic_waste": (1000, "kg")},
        "470",  # 1000 × 0.64 − 1000 × 0.17
        proxy("waste.food_landfill", "waste.food_composted"),
    ),
    (
        "composting",
        {"organic_waste": ("2.5", "t")},
        "1175",  # 2500 × (0.64 − 0.17)
        proxy("waste.food_landfill", "waste.food_composted"),
    ),
    # tree planting: rai × rate (tCO2e/rai/year) × years × 1000 kg/t
    ("tree_planting", tree("teak", "moderate", 1, area=(3, "rai")), "5160", OK),  # 3 × 1.72 × 1 = 5.16 t
    ("tree_planting", tree("teak", "moderate", 1, area=(4800, "m2")), "5160", OK),  # 4800 m² ÷ 1600 = 3 rai
    ("tree_planting", tree("teak", "moderate", 1, area=("0.48", "ha")), "5160", OK),  # 0.48 ha = 3 rai
    ("tree_planting", tree("teak", "high", 1, area=(1200, "wa2")), "6480", OK),  # 1200 ÷ 400 = 3 rai × 2.16
    ("tree_planting", tree("leucaena", "low", 2, area=(12, "ngan")), "4620", OK),  # 12 ÷ 4 = 3 rai × 0.77 × 2
    ("tree_planting", tree("acacia_auriculiformis", "high", 1, area=(1, "rai")), "4400", OK),  # 1 × 4.40
    (
        "tree_planting",
        tree("eucalyptus", "high", 2, tree_count=(534, "trees")),
        "24360",  # 534 ÷ 267 = 2 rai × 6.09 × 2
        proxy("tree_density.eucalyptus"),
    ),
    (
        "tree_planting",
        tree("acacia_mangium", "low", 1, tree_count=(356, "trees")),
        "8000",  # 356 ÷ 178 = 2 rai × 4.00
        proxy("tree_density.acacia_mangium"),
    ),
    # fuel saving: fuel saved × fuel EF
    ("fuel_saving", {"fuel": "diesel_mobile", "fuel_saved": (100, "L")}, "274.06", OK),  # 100 × 2.7406
    ("fuel_saving", {"fuel": "diesel_stationary", "fuel_saved": (100, "L")}, "270.78", OK),  # 100 × 2.7078
    ("fuel_saving", {"fuel": "gasoline", "fuel_saved": (100, "L")}, "223.94", OK),  # 100 × 2.2394
    ("fuel_saving", {"fuel": "lpg", "fuel_saved": (100, "L")}, "173.06", OK),  # 100 L × 1.7306 /L
    ("fuel_saving", {"fuel": "lpg", "fuel_saved": (54, "kg")}, "173.0646", OK),  # 54 kg × 3.2049 /kg
    ("fuel_saving", {"fuel": "lpg", "fuel_saved": ("0.054", "t")}, "173.0646", OK),  # 0.054 t = 54 kg
    ("fuel_saving", {"fuel": "cng", "fuel_saved": (10, "kg")}, "22.609", OK),  # 10 × 2.2609
    # transport mode shift: pkm × (EF before − EF after)
    (
        "transport_mode_shift",
        {"baseline_mode": "car", "project_mode": "rail", "passenger_distance": (1000, "pkm")},
        "132",  # 1000 × 0.167 − 1000 × 0.035
        per_vehicle("travel.car_average", "travel.rail"),
    ),
    (
        "transport_mode_shift",
        {"baseline_mode": "motorbike", "project_mode": "local_bus", "passenger_distance": (500, "pkm")},
        "5",  # 500 × 0.114 − 500 × 0.104 = 57 − 52
        per_vehicle("travel.motorbike_average", "travel.local_bus"),
    ),
    (
        "transport_mode_shift",
        {"baseline_mode": "local_bus", "project_mode": "coach", "passenger_distance": (2000, "pkm")},
        "152",  # 2000 × 0.104 − 2000 × 0.028 = 208 − 56
        proxy("travel.local_bus", "travel.coach"),
    ),
]


@pytest.mark.parametrize(("activity", "inputs", "expected", "review"), CASES)
def test_hand_computed_values(factors, activity, inputs, expected, review):
    result = calc.compute(activity, inputs, factors, JUNE_2024)
    assert result.kg_co2e == Decimal(expected)
    assert (result.status, tuple((w.code, w.field, w.factor_key) for w in result.warnings)) == review


def test_every_activity_type_has_a_hand_computed_case():
    assert {case[0] for case in CASES} | {"forest_conservation"} == {a.key for a in calc.activity_types()}


@dataclass(frozen=True)
class ParsedQuantity:
    """Shaped like the chat parser's quantity: a value, a canonical unit and extras calc ignores."""

    value: Decimal
    unit: str
    entered_unit: str | None


@pytest.mark.parametrize(
    "amount",
    [
        (3, "rai"),
        ["3", "rai"],
        {"value": "3", "unit": "rai"},
        calc.Quantity(3, "rai"),
        ParsedQuantity(Decimal(4800), "m2", "m2"),  # 4800 m² = 3 rai
    ],
    ids=["tuple", "list", "mapping", "quantity", "parser-quantity"],
)
def test_quantity_input_forms(factors, amount):
    result = calc.compute("tree_planting", tree("teak", "moderate", 1, area=amount), factors, JUNE_2024)
    assert result.kg_co2e == Decimal("5160")  # 3 rai × 1.72 × 1 = 5.16 t


def test_steps_show_inputs_factor_and_sub_result(factors):
    result = calc.compute("tree_planting", tree("teak", "moderate", 1, area=(3, "rai")), factors, JUNE_2024)
    [step] = result.steps
    assert step.inputs == {"area": calc.Quantity(3, "rai"), "years": calc.Quantity(1, "year")}
    assert (step.factor_key, step.factor.ref, step.factor.value, step.factor.unit) == (
        "tree.teak.moderate",
        "tgo-trees-2016@1",
        Decimal("1.72"),
        "tCO2e/rai/year",
    )
    assert step.result == calc.Quantity(Decimal("5.16"), "tCO2e")
    assert step.formula() == "3 rai × 1 year × 1.72 tCO2e/rai/year = 5.16 tCO2e"
    assert result.factors_used == (step.factor,)
    assert step.factor.source.publisher.startswith("Thailand Greenhouse Gas Management Organization")


def test_tree_count_is_turned_into_area_with_the_density_shown(factors):
    inputs = tree("eucalyptus", "high", 2, tree_count=(534, "trees"))
    area_step, sequestration = calc.compute("tree_planting", inputs, factors, JUNE_2024).steps
    assert area_step.result == calc.Quantity(2, "rai")
    assert area_step.factor.key == "tree_density.eucalyptus"
    assert sequestration.inputs["area"] == calc.Quantity(2, "rai")


def test_same_kwh_uses_the_grid_factor_valid_in_each_period(factors):
    inputs = {"electricity_generated": (1250, "kWh")}
    in_2024 = calc.compute("renewable_electricity", inputs, factors, JUNE_2024)
    in_2026 = calc.compute("renewable_electricity", inputs, factors, JUNE_2026)
    assert in_2024.kg_co2e == Decimal("624.875")  # 1250 × 0.4999
    assert in_2026.kg_co2e == Decimal("593.75")  # 1250 × 0.4750
    assert [f.ref for f in in_2024.factors_used] == ["tgo-cfo-2022@1"]
    assert [f.ref for f in in_2026.factors_used] == ["tgo-grid-2026@1"]


def test_period_spanning_the_grid_change_is_flagged(factors):
    result = calc.compute(
        "renewable_electricity",
        {"electricity_generated": (1000, "kWh")},
        factors,
        (date(2025, 12, 1), date(2026, 1, 31)),
    )
    assert result.kg_co2e == Decimal("475")  # 1000 × 0.4750, the value valid on the last day
    assert [w.code for w in result.warnings] == ["period_spans_factor_change"]
    assert result.status == calc.STATUS_NEEDS_REVIEW


def test_secondary_factors_alone_need_no_review(factors):
    result = calc.compute(
        "renewable_electricity", {"electricity_generated": (1250, "kWh")}, factors, JUNE_2024
    )
    assert (result.status, result.warnings) == (calc.STATUS_OK, ())


def test_proxy_factors_are_flagged_once_each(factors):
    result = calc.compute("recycling", {"pet": (1, "kg"), "glass": (2, "kg")}, factors, JUNE_2024)
    assert result.status == calc.STATUS_NEEDS_REVIEW
    assert [(w.code, w.factor_key) for w in result.warnings] == [
        ("proxy_factor", "recycling.glass"),
        ("proxy_factor", "recycling.pet"),
    ]


def test_car_factor_per_vehicle_km_is_flagged(factors):
    inputs = {"baseline_mode": "car", "project_mode": "rail", "passenger_distance": (1000, "pkm")}
    result = calc.compute("transport_mode_shift", inputs, factors, JUNE_2024)
    assert "one_traveller_per_vehicle" in [w.code for w in result.warnings]
    assert result.steps[0].inputs == {"vehicle_distance": calc.Quantity(1000, "km")}


@pytest.mark.parametrize(
    ("activity", "inputs", "missing_key"),
    [
        (
            "forest_conservation",
            {"work": "restoration", "forest_type": "mangrove", "area": (10, "rai"), "years": (2, "year")},
            "forest.restoration.mangrove",
        ),
        ("tree_planting", tree("teak", "moderate", 1, tree_count=(500, "trees")), "tree_density.teak"),
        ("fuel_saving", {"fuel": "gasohol_e20", "fuel_saved": (100, "L")}, "fuel.gasohol_e20_mobile"),
    ],
)
def test_no_factor_means_needs_factor_and_no_number(factors, activity, inputs, missing_key):
    result = calc.compute(activity, inputs, factors, JUNE_2024)
    assert result.status == calc.STATUS_NEEDS_FACTOR
    assert result.kg_co2e is None
    assert ("no_factor", missing_key) in [(w.code, w.factor_key) for w in result.warnings]
    assert result.steps[-1].factor_key == missing_key and result.steps[-1].result is None


def test_forest_computes_once_a_deployment_adds_the_factor(tmp_path):
    (tmp_path / "forest.toml").write_text(
        "\n".join(
            [
                "[dataset]",
                'name = "forest-sheet"',
                "version = 1",
                "published = 2026-11-26",
                "[dataset.source]",
                'title = "Forest rates"',
                'publisher = "Test"',
                "[[factor]]",
                'key = "forest.restoration.mangrove"',
                "value = 1.5",
                'unit = "tCO2e/rai/year"',
                'confidence = "official"',
            ]
        ),
        encoding="utf-8",
    )
    inputs = {"work": "restoration", "forest_type": "mangrove", "area": (10, "rai"), "years": (2, "year")}
    result = calc.compute("forest_conservation", inputs, calc.load_factors(extra_dir=tmp_path), JUNE_2024)
    assert result.kg_co2e == Decimal("30000")  # 10 rai × 1.5 tCO2e/rai/year × 2 years = 30 t
    assert result.status == calc.STATUS_OK


V2 = """\
[dataset]
name = "tgo-cfo-2022"
version = 2
published = 2027-01-15

[dataset.source]
title = "Emission factors for CFO, corrected"
publisher = "Thailand Greenhouse Gas Management Organization (TGO)"

[[factor]]
key = "electricity.grid_th"
value = 0.5100
unit = "kgCO2e/kWh"
confidence = "official"
valid_to = 2025-12-31
"""


def test_stored_result_keeps_value_and_provenance_after_v2(factors, tmp_path):
    inputs = {"electricity_generated": (1250, "kWh")}
    stored = json.dumps(calc.compute("renewable_electricity", inputs, factors, JUNE_2024).to_dict())

    (tmp_path / "tgo-cfo-2022-v2.toml").write_text(V2, encoding="utf-8")
    with_v2 = calc.load_factors(extra_dir=tmp_path)
    recomputed = calc.compute("renewable_electricity", inputs, with_v2, JUNE_2024)
    assert recomputed.kg_co2e == Decimal("637.5")  # 1250 × 0.5100: new reports use v2
    assert [f.ref for f in recomputed.factors_used] == ["tgo-cfo-2022@2"]

    old = calc.Result.from_dict(json.loads(stored))
    assert old.kg_co2e == Decimal("624.875")  # 1250 × 0.4999, unchanged
    [factor] = old.factors_used
    assert (factor.ref, factor.value, factor.confidence) == ("tgo-cfo-2022@1", Decimal("0.4999"), "secondary")
    # v1 is still loaded, so its source can be shown next to the old result.
    assert with_v2.dataset("tgo-cfo-2022@1").source.title == factor.source.title


def test_result_round_trips_through_json(factors):
    inputs = {"baseline_mode": "car", "project_mode": "rail", "passenger_distance": (1000, "pkm")}
    result = calc.compute("transport_mode_shift", inputs, factors, JUNE_2024)
    data = json.loads(json.dumps(result.to_dict()))
    assert calc.Result.from_dict(data) == result
    assert data["kg_co2e"] == "132.000"
    assert data["steps"][0]["factor"]["dataset"] == "uk-desnz-2025"


def test_same_inputs_same_result_bit_for_bit(factors):
    # 1000 ÷ 267 does not terminate: the result must not depend on the caller's decimal context.
    inputs = tree("eucalyptus", "moderate", 3, tree_count=(1000, "trees"))
    first = json.dumps(calc.compute("tree_planting", inputs, factors, JUNE_2024).to_dict(), sort_keys=True)
    with decimal.localcontext(decimal.Context(prec=6)):
        second = json.dumps(
            calc.compute("tree_planting", inputs, factors, JUNE_2024).to_dict(), sort_keys=True
        )
    assert first == second


def test_using_more_electricity_is_flagged(factors):
    inputs = {"baseline_electricity": (8000, "kWh"), "actual_electricity": (10000, "kWh")}
    result = calc.compute("electricity_saving", inputs, factors, JUNE_2024)
    assert result.kg_co2e == Decimal("-999.8")  # (8000 − 10000) × 0.4999
    assert [w.code for w in result.warnings] == ["no_reduction"]


@pytest.mark.parametrize(
    ("activity", "inputs", "error", "code", "field"),
    [
        ("renewable_electricity", {}, InputError, "missing_field", "electricity_generated"),
        (
            "renewable_electricity",
            {"electricity_generated": (5, "kg")},
            UnitError,
            "wrong_unit",
            "electricity_generated",
        ),
        (
            "renewable_electricity",
            {"electricity_generated": (5, "หน่วย")},
            UnitError,
            "unknown_unit",
            "electricity_generated",
        ),
        (
            "renewable_electricity",
            {"electricity_generated": 1250},
            UnitError,
            "missing_unit",
            "electricity_generated",
        ),
        (
            "renewable_electricity",
            {"electricity_generated": ("many", "kWh")},
            InputError,
            "invalid_number",
            "electricity_generated",
        ),
        (
            "renewable_electricity",
            {"electricity_generated": (1, "kWh"), "kwh": 1},
            InputError,
            "unknown_field",
            "kwh",
        ),
        ("tree_planting", tree("oak", "high", 1, area=(1, "rai")), InputError, "invalid_choice", "species"),
        ("tree_planting", tree("teak", "high", 1), InputError, "missing_one_of", "area,tree_count"),
        ("tree_planting", tree("teak", "high", 1, area=(1, "kg")), UnitError, "wrong_unit", "area"),
        ("fuel_saving", {"fuel": "cng", "fuel_saved": (10, "L")}, UnitError, "wrong_unit", "fuel_saved"),
        (
            "fuel_saving",
            {"fuel": "diesel_mobile", "fuel_saved": (10, "kg")},
            UnitError,
            "wrong_unit",
            "fuel_saved",
        ),
        (
            "recycling",
            {},
            InputError,
            "missing_one_of",
            "aluminium_cans,steel_cans,corrugated_cardboard,mixed_paper,office_paper,glass,pet,hdpe,pp",
        ),
        ("planting", {}, InputError, "unknown_activity", "activity_key"),
    ],
)
def test_input_errors_name_the_field(factors, activity, inputs, error, code, field):
    with pytest.raises(error) as caught:
        calc.compute(activity, inputs, factors, JUNE_2024)
    assert (caught.value.code, caught.value.field) == (code, field)


@pytest.mark.parametrize(
    "period",
    [(date(2024, 6, 30), date(2024, 6, 1)), ("2024-06-01", "2024-06-30"), (date(2024, 6, 1),)],
)
def test_bad_period_is_an_input_error(factors, period):
    with pytest.raises(InputError) as caught:
        calc.compute("renewable_electricity", {"electricity_generated": (1, "kWh")}, factors, period)
    assert (caught.value.code, caught.value.field) == ("invalid_period", "period")


def test_activity_types_can_drive_the_chat_questions():
    types = {a.key: a for a in calc.activity_types()}
    assert set(types) == {
        "recycling",
        "composting",
        "tree_planting",
        "forest_conservation",
        "electricity_saving",
        "renewable_electricity",
        "fuel_saving",
        "transport_mode_shift",
    }
    # Thai labels use the glossary's words.
    assert types["recycling"].label_th == "การคัดแยกขยะเพื่อนำไปรีไซเคิล"
    assert types["composting"].label_th == "การทำปุ๋ยหมัก"
    assert types["tree_planting"].label_th == "การปลูกต้นไม้"
    assert types["forest_conservation"].label_th == "การอนุรักษ์ป่า / การฟื้นฟูป่า"
    for activity in (*types.values(), calc.event_footprint_type()):
        assert activity.label_th and activity.label_en
        for field in activity.fields:
            assert field.label_th and field.label_en, field.name
            if field.kind == "choice":
                assert all(c.label_th and c.label_en for c in field.choices), field.name
            elif field.kind == "quantity":
                assert field.units and field.bounds, field.name


def test_every_tree_choice_has_a_shipped_rate(factors):
    activity = calc.activity_type("tree_planting")
    for species in activity.field("species").choices:
        if species.key == "other":  # any other species waits for staff to add a rate
            continue
        for suitability in activity.field("site_suitability").choices:
            assert factors.select(f"tree.{species.key}.{suitability.key}", *JUNE_2024).factor is not None

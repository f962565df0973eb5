"""Carbon Neutral Event footprint: each source by hand, offsets and the net balance; equivalences."""

import json
from datetime import date
from decimal import Decimal

import pytest

import calc
from calc.errors import InputError

EVENT_DAYS = (date(2024, 10, 1), date(2024, 10, 3))


@pytest.fixture(scope="module")
def factors():
    return calc.load_factors()


SOURCES = [
    ("venue_electricity", (2000, "kWh"), "999.8"),  # 2000 × 0.4999
    ("generator_diesel", (100, "L"), "270.78"),  # 100 × 2.7078 (stationary diesel)
    ("cooking_lpg", (100, "L"), "173.06"),  # 100 L × 1.7306 /L
    ("cooking_lpg", (20, "kg"), "64.098"),  # 20 kg × 3.2049 /kg
    ("travel_car", (1000, "pkm"), "167"),  # 1000 × 0.167
    ("travel_motorbike", (1000, "pkm"), "114"),  # 1000 × 0.114
    ("travel_local_bus", (1000, "pkm"), "104"),  # 1000 × 0.104
    ("travel_coach", (10000, "pkm"), "280"),  # 10000 × 0.028
    ("travel_rail", (1000, "pkm"), "35"),  # 1000 × 0.035
    ("travel_flight_international", (20000, "pkm"), "2850"),  # 20000 × 0.1425 (with radiative forcing)
    ("accommodation", (50, "room_night"), "2170"),  # 50 × 43.4
    ("waste_general", (200, "kg"), "99.4"),  # 200 × 0.497
    ("waste_food", ("0.1", "t"), "64"),  # 100 kg × 0.64
    ("waste_food_composted", (50, "kg"), "8.5"),  # 50 × 0.17
]


@pytest.mark.parametrize(("source", "amount", "expected"), SOURCES)
def test_each_source_by_hand(factors, source, amount, expected):
    result = calc.compute_event_footprint({source: amount}, factors, EVENT_DAYS)
    assert result.emissions_kg_co2e == Decimal(expected)
    assert result.kg_co2e == Decimal(expected)  # no offsets: net = emissions
    assert not result.carbon_neutral


def test_each_source_is_its_own_named_step(factors):
    result = calc.compute_event_footprint({**FULL_EVENT, "offsets": (1, "tCO2e")}, factors, EVENT_DAYS)
    assert [(s.name, s.role, tuple(s.inputs), s.factor_key) for s in result.steps] == [
        ("event.venue_electricity", "emission", ("venue_electricity",), "electricity.grid_th"),
        ("event.generator_diesel", "emission", ("generator_diesel",), "fuel.diesel_stationary"),
        ("event.accommodation", "emission", ("accommodation",), "accommodation.hotel_th"),
        ("event.waste_general", "emission", ("waste_general",), "waste.residual_landfill"),
        ("event.waste_food", "emission", ("waste_food",), "waste.food_landfill"),
        ("event.waste_food_composted", "emission", ("waste_food_composted",), "waste.food_composted"),
        ("event.cooking_lpg", "emission", ("cooking_lpg",), "fuel.lpg_mobile_per_l"),
        ("event.travel_car", "emission", ("vehicle_distance",), "travel.car_average"),  # one per car
        ("event.travel_coach", "emission", ("travel_coach",), "travel.coach"),
        (
            "event.travel_flight_international",
            "emission",
            ("travel_flight_international",),
            "travel.flight_international_rf",
        ),
        ("event.offsets", "offset", ("offsets",), None),
    ]


def test_every_event_source_has_a_case():
    tested = {source for source, _, _ in SOURCES}
    assert tested | {"offsets"} == {f.name for f in calc.event_footprint_type().fields}


FULL_EVENT = {
    "venue_electricity": (2000, "kWh"),  # 999.8
    "generator_diesel": (100, "L"),  # 270.78
    "cooking_lpg": (100, "L"),  # 173.06
    "travel_car": (1000, "pkm"),  # 167
    "travel_coach": (10000, "pkm"),  # 280
    "travel_flight_international": (20000, "pkm"),  # 2850
    "accommodation": (50, "room_night"),  # 2170
    "waste_general": (200, "kg"),  # 99.4
    "waste_food": (100, "kg"),  # 64
    "waste_food_composted": (50, "kg"),  # 8.5
}
# 999.8 + 270.78 + 173.06 + 167 + 280 + 2850 + 2170 + 99.4 + 64 + 8.5 = 7082.54
FULL_EVENT_EMISSIONS = Decimal("7082.54")


@pytest.mark.parametrize(
    ("offsets", "offsets_kg", "net", "neutral"),
    [
        ((8, "tCO2e"), "8000", "-917.46", True),  # 7082.54 − 8 × 1000
        ((8000, "kgCO2e"), "8000", "-917.46", True),
        (("7.08254", "tCO2e"), "7082.54", "0", True),  # exactly offset
        ((5, "tCO2e"), "5000", "2082.54", False),  # 7082.54 − 5000
    ],
)
def test_offsets_and_net_balance(factors, offsets, offsets_kg, net, neutral):
    result = calc.compute_event_footprint({**FULL_EVENT, "offsets": offsets}, factors, EVENT_DAYS)
    assert result.emissions_kg_co2e == FULL_EVENT_EMISSIONS
    assert result.offsets_kg_co2e == Decimal(offsets_kg)
    assert result.kg_co2e == Decimal(net)
    assert result.carbon_neutral is neutral
    assert result.basis == "net_emissions"


def test_event_result_keeps_provenance_in_json(factors):
    result = calc.compute_event_footprint({**FULL_EVENT, "offsets": (8, "tCO2e")}, factors, EVENT_DAYS)
    data = json.loads(json.dumps(result.to_dict()))
    assert calc.Result.from_dict(data) == result
    assert {f["dataset"] for f in data["factors_used"]} == {"tgo-cfo-2022", "uk-desnz-2025", "epa-food-waste"}
    assert data["steps"][-1] == {
        "name": "event.offsets",
        "role": "offset",
        "inputs": {"offsets": {"value": "8", "unit": "tCO2e"}},
        "factor_key": None,
        "factor": None,
        "result": {"value": "8000", "unit": "kgCO2e"},
        "formula": "8 tCO2e = 8000 kgCO2e",
    }


def test_event_needs_at_least_one_emission_source(factors):
    with pytest.raises(InputError) as caught:
        calc.compute_event_footprint({"offsets": (1, "tCO2e")}, factors, EVENT_DAYS)
    assert caught.value.code == "missing_one_of"


def test_equivalences_are_for_messages_only(factors):
    trees, car = calc.equivalences(Decimal("1500"), factors, EVENT_DAYS)
    assert trees.key == "trees_for_a_year"
    assert trees.low == Decimal("100")  # 1500 ÷ 15 kg per tree per year
    assert trees.high.quantize(Decimal("0.01")) == Decimal("166.67")  # 1500 ÷ 9
    assert car.key == "car_km"
    assert car.low == car.high
    assert car.low.quantize(Decimal("0.01")) == Decimal("8982.04")  # 1500 ÷ 0.167 = 8982.035...
    for equivalence in (trees, car):
        assert equivalence.communication_only
        assert "not a LESS claim" in equivalence.note
        assert {f.confidence for f in equivalence.factors} == {"proxy"}
        assert json.dumps(equivalence.to_dict())


def test_equivalence_of_a_round_number(factors):
    [_, car] = calc.equivalences(1670, factors, EVENT_DAYS)
    assert car.low == Decimal("10000")  # 1670 ÷ 0.167

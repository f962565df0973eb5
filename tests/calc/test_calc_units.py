"""Unit codes and conversions (the chat's parser and the calc methods rely on these)."""

from decimal import Decimal

import pytest

from calc import units
from calc.errors import InputError, UnitError


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "substance", "expected"),
    [
        ("1.5", "t", "kg", None, "1500"),  # 1.5 × 1000
        ("2500", "kg", "t", None, "2.5"),  # 2500 ÷ 1000
        ("250", "g", "kg", None, "0.25"),  # 250 ÷ 1000
        ("3", "rai", "m2", None, "4800"),  # 3 × 1600
        ("4800", "m2", "rai", None, "3"),  # 4800 ÷ 1600
        ("3", "rai", "ha", None, "0.48"),  # 3 × 1600 ÷ 10000
        ("1", "ha", "rai", None, "6.25"),  # 10000 ÷ 1600
        ("1", "rai", "ngan", None, "4"),  # 1600 ÷ 400
        ("1", "ngan", "wa2", None, "100"),  # 400 ÷ 4
        ("2", "rai", "wa2", None, "800"),  # 2 × 1600 ÷ 4
        ("2", "MWh", "kWh", None, "2000"),  # 2 × 1000
        ("3", "km", "m", None, "3000"),  # 3 × 1000
        ("2", "tCO2e", "kgCO2e", None, "2000"),  # 2 × 1000
        ("100", "L", "kg", "lpg", "54"),  # 100 L × 0.54 kg/L
        ("54", "kg", "L", "lpg", "100"),  # 54 kg ÷ 0.54 kg/L
        ("0.054", "t", "L", "lpg", "100"),  # 54 kg ÷ 0.54 kg/L
        ("100", "L", "t", "lpg", "0.054"),  # 100 L × 0.54 kg/L = 54 kg = 0.054 t
        ("1000", "L", "g", "lpg", "540000"),  # 540 kg = 540,000 g
        ("500", "g", "L", "lpg", "0.9259259259259259259259259259"),  # 0.5 kg ÷ 0.54 kg/L
        ("7", "kg", "kg", "lpg", "7"),  # same unit: the substance changes nothing
    ],
)
def test_convert(value, from_unit, to_unit, substance, expected):
    assert units.convert(value, from_unit, to_unit, substance=substance) == Decimal(expected)


@pytest.mark.parametrize(
    ("from_unit", "to_unit", "substance", "code"),
    [
        ("kg", "kWh", None, "incompatible_units"),
        ("L", "kg", None, "incompatible_units"),  # only LPG has a known density
        ("L", "kg", "diesel", "incompatible_units"),
        ("rai", "km", None, "incompatible_units"),
        ("pkm", "km", None, "incompatible_units"),  # passenger-km is not a distance
        ("rais", "m2", None, "unknown_unit"),
        ("kg", "tonne", None, "unknown_unit"),
    ],
)
def test_convert_refuses_what_it_cannot_convert(from_unit, to_unit, substance, code):
    with pytest.raises(UnitError) as caught:
        units.convert(1, from_unit, to_unit, substance=substance)
    assert caught.value.code == code


def test_every_canonical_unit_code_has_a_dimension():
    canonical = [
        "kg",
        "t",
        "g",
        "kWh",
        "MWh",
        "L",
        "m2",
        "rai",
        "ngan",
        "wa2",
        "ha",
        "km",
        "m",
        "trees",
        "pkm",
    ]
    canonical += ["room_night", "year", "kgCO2e", "tCO2e"]
    assert set(canonical) == units.UNIT_CODES
    assert units.dimension("ngan") == units.dimension("ha") == "area"
    assert units.dimension("pkm") != units.dimension("km")


def test_quantity_converts_and_rejects_unknown_unit():
    assert units.Quantity("3", "rai").to("m2") == units.Quantity(Decimal("4800"), "m2")
    assert units.Quantity("100", "L").to("kg", substance="lpg") == units.Quantity(Decimal("54"), "kg")
    assert str(units.Quantity("1.50", "rai")) == "1.50 rai"


@pytest.mark.parametrize(
    ("value", "expected"), [("1.50", Decimal("1.50")), (0.1, Decimal("0.1")), (3, Decimal(3))]
)
def test_quantity_keeps_an_exact_decimal(value, expected):
    kept = units.Quantity(value, "kg").value
    assert isinstance(kept, Decimal) and kept == expected
    with pytest.raises(UnitError):
        units.Quantity(1, "ไร่")


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("kgCO2e/kWh", ("kgCO2e", ("kWh",))),
        ("tCO2e/rai/year", ("tCO2e", ("rai", "year"))),
        ("kgCO2e/room_night", ("kgCO2e", ("room_night",))),
        ("trees/rai", ("trees", ("rai",))),
    ],
)
def test_parse_factor_unit(unit, expected):
    assert units.parse_factor_unit(unit) == expected


@pytest.mark.parametrize("unit", ["kgCO2e", "kgCO2/kWh", "kgCO2e/kwh", "", "kgCO2e/"])
def test_parse_factor_unit_rejects(unit):
    with pytest.raises(UnitError):
        units.parse_factor_unit(unit)


@pytest.mark.parametrize(
    ("from_unit", "to_unit", "substance", "message"),
    [
        ("kg", "kWh", None, "cannot convert kg (mass) to kWh (energy)"),
        ("L", "kg", "diesel", "cannot convert L (volume) to kg (mass) of diesel"),
        ("rais", "m2", None, "unknown unit 'rais'"),
        ("kg", "tonne", None, "unknown unit 'tonne'"),
        (None, "kg", None, "unknown unit None"),
        ("kg", None, None, "unknown unit None"),
        (["kg"], "kg", None, "unknown unit ['kg']"),  # not a unit code at all, not a crash
        ("kg", ["kg"], None, "unknown unit ['kg']"),
    ],
)
def test_refusals_say_what_could_not_be_converted(from_unit, to_unit, substance, message):
    with pytest.raises(UnitError) as caught:
        units.convert(1, from_unit, to_unit, substance=substance)
    assert caught.value.field is None
    assert str(caught.value) == message


@pytest.mark.parametrize("unit", [None, "ไร่", ["kg"]])
def test_dimension_of_an_unknown_unit_is_a_unit_error(unit):
    with pytest.raises(UnitError) as caught:
        units.dimension(unit)
    assert (caught.value.code, caught.value.field) == ("unknown_unit", None)
    assert str(caught.value) == f"unknown unit {unit!r}"


def test_factor_unit_must_be_text():
    with pytest.raises(UnitError) as caught:
        units.parse_factor_unit(None)
    assert caught.value.code == "unknown_unit"
    assert str(caught.value) == "unknown factor unit None"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" 12.5 ", Decimal("12.5")), (3, Decimal(3)), (2.5, Decimal("2.5")), (Decimal("1E+3"), Decimal(1000))],
)
def test_numbers_in_any_plain_form(value, expected):
    number = units.to_decimal(value, "area")
    assert number == expected and isinstance(number, Decimal)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "True is not a number"),
        ("12 kg", "'12 kg' is not a number"),
        ("Infinity", "'Infinity' is not a finite number"),
        (float("inf"), "'inf' is not a finite number"),
        (None, "None is not a finite number"),
    ],
)
def test_what_is_not_a_number_is_named(value, message):
    with pytest.raises(InputError) as caught:
        units.to_decimal(value, "area")
    assert (caught.value.code, caught.value.field) == ("invalid_number", "area")
    assert str(caught.value) == f"area: {message}"


def test_numbers_are_exact():
    # A float goes through its shortest repr, so 0.1 stays 0.1 instead of 0.1000000000000000055...
    assert units.to_decimal(0.1) == Decimal("0.1")
    with pytest.raises(InputError) as caught:
        units.to_decimal("12 kg")
    assert caught.value.code == "invalid_number"
    with pytest.raises(InputError):
        units.to_decimal(float("nan"))

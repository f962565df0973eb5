"""Table tests for handlers.parsing.quantities: amounts with units as coordinators type them.

Every expected value is a literal worked out by hand (1 ไร่ = 4 งาน = 400 ตร.ว. = 1,600 m²).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.parsing import ParseError, Quantity, parse_quantity

D = Decimal

# ---------------------------------------------------------------------------------------------------
# Quantities
# ---------------------------------------------------------------------------------------------------

QUANTITIES_OK = [
    # text, field unit, value, entered unit
    ("๑,๒๕๐ กก.", "kg", D(1250), "kg"),
    ("1,250", "kWh", D(1250), None),
    ("200 ก.ก.", "kg", D(200), "kg"),
    ("200กก", "kg", D(200), "kg"),
    ("200 กิโลกรัม", "kg", D(200), "kg"),
    ("200KG", "kg", D(200), "kg"),
    ("200 kgs.", "kg", D(200), "kg"),
    ("กก. 200", "kg", D(200), "kg"),
    ("1.5ตัน", "kg", D(1500), "t"),
    ("1.5 ตัน", "t", D("1.5"), "t"),
    ("2,000 กก.", "t", D(2), "kg"),
    ("500 กรัม", "kg", D("0.5"), "g"),
    ("1 ตัน 200 กก.", "kg", D(1200), "t"),
    ("ตันครึ่ง", "kg", D(1500), "t"),
    ("50 กิโล", "kg", D(50), "kg"),
    ("50 กิโล", "km", D(50), "km"),
    ("50 โล", "m", D(50000), "km"),
    ("1,250 หน่วยค่ะ", "kWh", D(1250), "kWh"),
    ("1,250 หน่วยไฟ", "kWh", D(1250), "kWh"),
    ("350 ยูนิต", "kWh", D(350), "kWh"),
    ("๔๒๐ kWh", "kWh", D(420), "kWh"),
    ("1.2 MWh", "kWh", D(1200), "MWh"),
    ("2,500 kWh", "MWh", D("2.5"), "kWh"),
    ("50 ลิตร", "L", D(50), "L"),
    ("50 ลิตร.", "L", D(50), "L"),
    ("50L", "L", D(50), "L"),
    ("2 ลบ.ม.", "L", D(2000), "m3"),
    ("3 ไร่ 2 งาน", "m2", D(5600), "rai"),
    ("3 ไร่ 2 งาน 50 ตร.ว.", "rai", D("3.625"), "rai"),
    ("3-2-50", "rai", D("3.625"), "rai"),  # title-deed notation ไร่-งาน-ตารางวา
    ("3-2-50 ไร่", "m2", D(5800), "rai"),
    ("2 ไร่ครึ่ง", "rai", D("2.5"), "rai"),
    ("ไร่ครึ่ง", "m2", D(2400), "rai"),
    ("ครึ่งไร่", "m2", D(800), "rai"),
    ("400 ตารางวา", "rai", D(1), "wa2"),
    ("100 ตร.ว", "m2", D(400), "wa2"),
    ("100 ตรว", "ngan", D(1), "wa2"),
    ("5,600 ตร.ม.", "rai", D("3.5"), "m2"),
    ("160 m²", "rai", D("0.1"), "m2"),
    ("1 เฮกตาร์", "rai", D("6.25"), "ha"),
    ("2 ha", "m2", D(20000), "ha"),
    ("12.5 กม.", "km", D("12.5"), "km"),
    ("12.5 กม", "m", D(12500), "km"),
    ("800 เมตร", "km", D("0.8"), "m"),
    ("800 ม.", "km", D("0.8"), "m"),
    ("150 ต้น", "trees", D(150), "trees"),
    ("150 ต้นไม้ค่ะ", "trees", D(150), "trees"),
    ("12 คืน", "room_night", D(12), "room_night"),
    ("12 ห้อง-คืน", "room_night", D(12), "room_night"),
    ("3 ปี", "year", D(3), "year"),
    ("4,800 คน-กม.", "pkm", D(4800), "pkm"),
    ("2.5 tCO2e", "kgCO2e", D(2500), "tCO2e"),
    ("ยอดรวม 300 กก. ค่ะ", "kg", D(300), "kg"),
    ("1.2 แสน หน่วย", "kWh", D(120000), "kWh"),
    ("1,250 หน่วย (kWh)", "kWh", D(1250), "kWh"),  # copied from the bill with its unit twice
    ("2 ไร่ 3 งาน 45 ตารางวา", "rai", D("2.8625"), "rai"),
    ("ตัน 1.5", "kg", D(1500), "t"),
]


@pytest.mark.parametrize(("text", "unit", "value", "entered"), QUANTITIES_OK)
def test_parse_quantity_accepts(text: str, unit: str, value: Decimal, entered: str | None) -> None:
    q = parse_quantity(text, unit)
    assert (q.value, q.unit, q.entered_unit) == (value, unit, entered)
    assert not q.approximate


def test_parse_quantity_approximate() -> None:
    assert parse_quantity("ประมาณ 200 กิโล", "kg") == Quantity(D(200), "kg", "kg", approximate=True)
    assert parse_quantity("ราวๆ 1.2 ตัน", "kg") == Quantity(D(1200), "kg", "t", approximate=True)


QUANTITIES_REFUSED = [
    # text, field unit, code, params that must be present
    ("50 ลิตร", "kg", "unit.incompatible", {"entered": "L", "entered_text": "ลิตร", "expected": "kg"}),
    ("40 กก.", "L", "unit.incompatible", {"entered": "kg", "expected": "L"}),
    ("5 kW", "kWh", "unit.incompatible", {"entered": "kW", "expected": "kWh"}),
    ("12 ห้อง", "room_night", "unit.incompatible", {"entered": "room", "expected": "room_night"}),
    ("200 บาท", "kg", "unit.incompatible", {"entered": "THB"}),
    ("-5 ลิตร", "kg", "unit.incompatible", {"entered": "L"}),  # the unit is the bigger mistake
    ("50 กิโล", "kWh", "unit.ambiguous", {"candidates": ("kg", "km"), "expected": "kWh"}),
    ("200 ถุง", "kg", "unit.unknown", {"entered_text": "ถุง"}),
    ("200 มัด", "kg", "unit.unknown", {"entered_text": "มัด"}),
    ("3 ไร่ 2", "rai", "quantity.bad_compound", {}),
    ("2 งาน 3 ไร่", "rai", "quantity.bad_compound", {}),
    ("3 ไร่ 5 งาน", "rai", "quantity.bad_compound", {}),
    ("3-5-10", "rai", "quantity.bad_compound", {}),
    ("3-2-50", "kg", "number.range", {}),
    ("0 กก.", "kg", "number.zero", {}),
    ("-5 กก.", "kg", "number.negative", {}),
    ("1,500 กก.", "kg", "number.too_large", {"limit": D(1000), "unit": "kg"}),
    ("2 ตัน", "kg", "number.too_large", {"limit": D(1000)}),  # checked after conversion
    ("200 กว่ากิโล", "kg", "number.imprecise", {}),
    ("กก.", "kg", "number.not_a_number", {}),
    ("12,5 กก.", "kg", "number.ambiguous_decimal_comma", {}),
    ("1/2 ไร่", "rai", "number.not_a_number", {}),  # fractions are not accepted
    ("300 ลิตร/เดือน", "L", "unit.unknown", {"entered_text": "ลิตร/เดือน"}),
    ("500M", "kg", "unit.incompatible", {"entered": "m"}),  # M is metres, never million
]


@pytest.mark.parametrize(("text", "unit", "code", "params"), QUANTITIES_REFUSED)
def test_parse_quantity_refuses(text: str, unit: str, code: str, params: dict[str, object]) -> None:
    with pytest.raises(ParseError) as info:
        parse_quantity(text, unit, max_value=1000)
    assert info.value.code == code
    assert params.items() <= info.value.params.items()


def test_parse_quantity_zero_allowed() -> None:
    assert parse_quantity("0 กก.", "kg", allow_zero=True) == Quantity(D(0), "kg", "kg")


def test_parse_quantity_rejects_unknown_field_unit() -> None:
    with pytest.raises(ValueError, match="UNIT_CODES"):
        parse_quantity("5", "furlong")

"""Unit codes, the words people type for them, and exact conversion factors.

The canonical codes are shared with the ``calc`` package. Every factor is a power of 2 times a
power of 5, so every conversion is exact in ``Decimal`` (1 m² = 0.000625 ไร่).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class UnitInfo:
    """A unit's dimension and its size in that dimension's base unit (g, kWh, L, m², m, ...)."""

    code: str
    dimension: str
    factor: Decimal


def _u(code: str, dimension: str, factor: int | str) -> UnitInfo:
    return UnitInfo(code, dimension, Decimal(factor))


#: Canonical codes, shared with ``calc``; a field's unit is always one of these.
UNIT_CODES: tuple[str, ...] = (
    "kg", "t", "g", "kWh", "MWh", "L", "m2", "rai", "ngan", "wa2", "ha", "km", "m", "trees", "pkm",
    "room_night", "year", "kgCO2e", "tCO2e",
)  # fmt: skip

_UNITS = (
    _u("g", "mass", 1),
    _u("kg", "mass", 1000),
    _u("t", "mass", 1_000_000),
    _u("kWh", "energy", 1),
    _u("MWh", "energy", 1000),
    _u("L", "volume", 1),
    _u("m2", "area", 1),
    _u("wa2", "area", 4),
    _u("ngan", "area", 400),
    _u("rai", "area", 1600),
    _u("ha", "area", 10_000),
    _u("m", "length", 1),
    _u("km", "length", 1000),
    _u("trees", "trees", 1),
    _u("pkm", "passenger_distance", 1),
    _u("room_night", "room_nights", 1),
    _u("year", "time", 1),
    _u("kgCO2e", "emissions", 1),
    _u("tCO2e", "emissions", 1000),
    # Recognised but never a field's unit: they let a refusal name what the user typed ("kW is power,
    # the field wants kWh") instead of "unknown word". m³ converts exactly to litres.
    _u("m3", "volume", 1000),
    _u("kW", "power", 1),
    _u("THB", "money", 1),
    _u("room", "rooms", 1),
    _u("person", "persons", 1),
    # Counts a question may ask for that calc never measures ("remind me 7 days ahead").
    _u("day", "days", 1),
)
UNITS: dict[str, UnitInfo] = {u.code: u for u in _UNITS}
#: Units a question may ask a count in although no activity is measured in them (not in ``calc``).
COUNT_UNIT_CODES: tuple[str, ...] = ("day",)
#: Codes that may appear in ``Quantity.entered_unit`` or error params besides ``UNIT_CODES``.
EXTRA_UNIT_CODES: tuple[str, ...] = tuple(c for c in UNITS if c not in UNIT_CODES)

#: "กิโล"/"โล" on their own mean kg or km depending on what is being measured.
KILO = "kilo"
KILO_BY_DIMENSION = {"mass": "kg", "length": "km"}

# Words per unit, written without dots, spaces or hyphens: the matcher tolerates those between
# letters, so "ก.ก.", "ตร.ว", "ห้อง-คืน", "kw h" and "sq. m." need no entries of their own.
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "g": ("g", "gram", "grams", "กรัม"),
    "kg": ("kg", "kgs", "kilogram", "kilograms", "kilogramme", "kilo", "kilos", "กก", "กิโลกรัม", "กิโลกรม"),
    "t": ("t", "ton", "tons", "tonne", "tonnes", "ตัน"),
    "kWh": (
        "kwh",
        "หน่วย",
        "หน่วยไฟ",
        "หน่วยไฟฟ้า",
        "ยูนิต",
        "unit",
        "units",
        "กิโลวัตต์ชั่วโมง",
        "กิโลวัตต์ชม",
        "กิโลวัตชั่วโมง",
    ),
    "MWh": ("mwh", "เมกะวัตต์ชั่วโมง", "เมกกะวัตต์ชั่วโมง", "เมกะวัตต์ชม"),
    "L": ("l", "lt", "ltr", "liter", "liters", "litre", "litres", "ลิตร", "ลิต"),
    "m2": ("m2", "sqm", "ตารางเมตร", "ตรม", "ตารางเมต"),
    "wa2": ("ตารางวา", "ตรว", "ตรวา", "sqwa", "wa2"),
    "ngan": ("งาน", "ngan"),
    "rai": ("ไร่", "ไร", "rai"),
    "ha": ("ha", "hectare", "hectares", "เฮกตาร์", "เฮกเตอร์", "เฮคตาร์"),
    "km": ("km", "kms", "kilometre", "kilometres", "kilometer", "kilometers", "กม", "กิโลเมตร", "กิโลเมต"),
    "m": ("m", "metre", "metres", "meter", "meters", "ม", "เมตร", "เมต"),
    "trees": ("tree", "trees", "ต้น", "ต้นไม้", "ต้นกล้า"),
    "pkm": ("pkm", "passengerkm", "คนกม", "คนกิโลเมตร"),
    "room_night": ("คืน", "ห้องคืน", "roomnight", "roomnights", "night", "nights"),
    "year": ("ปี", "year", "years", "yr", "yrs"),
    "kgCO2e": ("kgco2e", "kgco2eq", "กิโลกรัมคาร์บอนไดออกไซด์เทียบเท่า"),
    "tCO2e": ("tco2e", "tco2eq", "ตันคาร์บอนไดออกไซด์เทียบเท่า"),
    "m3": ("m3", "cbm", "ลบม", "ลูกบาศก์เมตร", "คิว"),
    "kW": ("kw", "กิโลวัตต์", "กิโลวัต"),
    "THB": ("บาท", "฿", "baht", "thb"),
    "room": ("ห้อง", "room", "rooms"),
    "person": ("คน", "person", "persons", "people"),
    "day": ("วัน", "day", "days"),
    KILO: ("กิโล", "โล"),
}


def unit_info(code: str) -> UnitInfo:
    """The ``UnitInfo`` of a canonical or extra code; ``ValueError`` for a code nobody defined."""
    try:
        return UNITS[code]
    except KeyError:
        raise ValueError(f"unknown unit code {code!r}") from None

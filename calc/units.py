"""Canonical unit codes, their dimensions and exact conversions.

Every quantity that enters ``calc`` carries one of the unit codes below (the chat's input parser turns
"ไร่", "ตร.ว.", "หน่วย" and friends into them). Conversions are exact ``Decimal`` arithmetic so a result
computed twice is identical bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from calc.errors import InputError, UnitError

# unit code -> (dimension, size of one unit in the dimension's base unit)
_UNITS: dict[str, tuple[str, Decimal]] = {
    # mass, base kg
    "g": ("mass", Decimal("0.001")),
    "kg": ("mass", Decimal("1")),
    "t": ("mass", Decimal("1000")),
    # energy, base kWh
    "kWh": ("energy", Decimal("1")),
    "MWh": ("energy", Decimal("1000")),
    # volume, base L
    "L": ("volume", Decimal("1")),
    # area, base m2. Thai land units: 1 rai = 4 ngan = 400 square wa = 1,600 m2 (GLOSSARY.md);
    # 1 ha = 10,000 m2, so 1 rai = 0.16 ha (GHG.md).
    "m2": ("area", Decimal("1")),
    "wa2": ("area", Decimal("4")),
    "ngan": ("area", Decimal("400")),
    "rai": ("area", Decimal("1600")),
    "ha": ("area", Decimal("10000")),
    # length, base km
    "m": ("length", Decimal("0.001")),
    "km": ("length", Decimal("1")),
    # passenger-km is its own dimension: km travelled times people travelling
    "pkm": ("passenger_distance", Decimal("1")),
    "trees": ("tree_count", Decimal("1")),
    "room_night": ("room_nights", Decimal("1")),
    "year": ("time", Decimal("1")),
    # emissions, base kgCO2e
    "kgCO2e": ("emissions", Decimal("1")),
    "tCO2e": ("emissions", Decimal("1000")),
}

UNIT_CODES: frozenset[str] = frozenset(_UNITS)

# Densities that allow volume <-> mass for a named substance. LPG: 1 L = 0.54 kg, the density behind
# TGO's CFO LPG factors (1.7306 kgCO2e/L and 3.2049 kgCO2e/kg), as quoted in shared/domain/GHG.md.
DENSITY_KG_PER_L: dict[str, Decimal] = {"lpg": Decimal("0.54")}


@dataclass(frozen=True)
class Quantity:
    """A number with a canonical unit code, e.g. ``Quantity(Decimal("3"), "rai")``."""

    value: Decimal
    unit: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", to_decimal(self.value))
        dimension(self.unit)  # raises UnitError for an unknown code

    def to(self, unit: str, *, substance: str | None = None) -> Quantity:
        """Return this quantity converted to ``unit`` (see :func:`convert`)."""
        return Quantity(convert(self.value, self.unit, unit, substance=substance), unit)

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


def to_decimal(value: object, field: str | None = None) -> Decimal:
    """Turn an int, str, float or Decimal into a finite Decimal; floats go through their shortest repr.

    Raises :class:`~calc.errors.InputError` (code ``invalid_number``) for anything else.
    """
    if isinstance(value, bool):
        raise InputError("invalid_number", field, f"{value!r} is not a number")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | str | Decimal):
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise InputError("invalid_number", field, f"{value!r} is not a number") from None
        if number.is_finite():
            return number
    raise InputError("invalid_number", field, f"{value!r} is not a finite number")


def dimension(unit: str) -> str:
    """Return the dimension of a unit code ("mass", "area", ...); UnitError ``unknown_unit`` if unknown."""
    try:
        return _UNITS[unit][0]
    except (KeyError, TypeError):
        raise UnitError("unknown_unit", None, f"unknown unit {unit!r}") from None


def convert(value: object, from_unit: str, to_unit: str, *, substance: str | None = None) -> Decimal:
    """Convert ``value`` from one unit code to another of the same dimension.

    Volume and mass convert into each other only for a ``substance`` with a known density
    (``substance="lpg"``: 1 L = 0.54 kg). Anything else raises :class:`~calc.errors.UnitError` with code
    ``incompatible_units``.
    """
    number = to_decimal(value)
    from_dim, from_size = _UNITS.get(from_unit, (None, None)) if isinstance(from_unit, str) else (None, None)
    to_dim, to_size = _UNITS.get(to_unit, (None, None)) if isinstance(to_unit, str) else (None, None)
    if from_dim is None or from_size is None:
        raise UnitError("unknown_unit", None, f"unknown unit {from_unit!r}")
    if to_dim is None or to_size is None:
        raise UnitError("unknown_unit", None, f"unknown unit {to_unit!r}")
    if from_dim == to_dim:
        return number * from_size / to_size
    density = DENSITY_KG_PER_L.get(substance or "")
    if density is not None and {from_dim, to_dim} == {"volume", "mass"}:
        in_base = number * from_size  # litres or kilograms
        converted = in_base * density if from_dim == "volume" else in_base / density
        return converted / to_size
    hint = f" of {substance}" if substance else ""
    raise UnitError(
        "incompatible_units", None, f"cannot convert {from_unit} ({from_dim}) to {to_unit} ({to_dim}){hint}"
    )


def parse_factor_unit(unit: str) -> tuple[str, tuple[str, ...]]:
    """Split a factor unit such as ``"tCO2e/rai/year"`` into ``("tCO2e", ("rai", "year"))``.

    Raises UnitError ``unknown_unit`` if the text is not a known unit divided by one or more known units.
    """
    parts = unit.split("/") if isinstance(unit, str) else []
    if len(parts) < 2 or any(part not in _UNITS for part in parts):
        raise UnitError("unknown_unit", None, f"unknown factor unit {unit!r}")
    return parts[0], tuple(parts[1:])

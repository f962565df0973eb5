"""Everyday equivalents of an amount of CO2e, for messages only.

These help people picture a number ("like N trees growing for a year"). They are rules of thumb and
proxies: never part of a result, never a LESS claim (GHG.md: the 9-15 kgCO2 per tree per year figure
is "fine for 'equivalent to N trees' messages, not for LESS claims").
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from calc.datasets import Factor, FactorTable
from calc.methods import DECIMAL_CONTEXT, Period
from calc.units import convert, parse_factor_unit, to_decimal

COMMUNICATION_ONLY_NOTE = "For messages only: a rule of thumb, not a LESS claim and not part of any result."


@dataclass(frozen=True)
class Equivalence:
    """``low`` to ``high`` ``unit`` (equal when there is one figure), computed from ``factors``."""

    key: str
    label_th: str
    label_en: str
    low: Decimal
    high: Decimal
    unit: str
    factors: tuple[Factor, ...]
    communication_only: bool = True
    note: str = COMMUNICATION_ONLY_NOTE

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form; numbers are exact decimal strings (round them when displaying)."""
        return {
            "key": self.key,
            "label_th": self.label_th,
            "label_en": self.label_en,
            "low": str(self.low),
            "high": str(self.high),
            "unit": self.unit,
            "factors": [factor.to_dict() for factor in self.factors],
            "communication_only": self.communication_only,
            "note": self.note,
        }


def equivalences(
    kg_co2e: Decimal | int | str, factors: FactorTable, period: Period | tuple[date, date]
) -> tuple[Equivalence, ...]:
    """Trees-for-a-year and car-km equivalents of ``kg_co2e``; one whose factor is missing is left out.

    Communication only (see module doc). Values are unrounded; round them for display.
    """
    amount = to_decimal(kg_co2e, "kg_co2e")
    span = Period.of(period)
    found: list[Equivalence] = []
    with decimal.localcontext(DECIMAL_CONTEXT):
        # More uptake per tree means fewer trees: the high uptake gives the low tree count.
        uptake_high = factors.select("equivalence.tree_uptake_high", span.start, span.end).factor
        uptake_low = factors.select("equivalence.tree_uptake_low", span.start, span.end).factor
        if uptake_high is not None and uptake_low is not None:
            found.append(
                Equivalence(
                    "trees_for_a_year",
                    "ต้นไม้ที่เติบโตเป็นเวลา 1 ปี",
                    "Trees growing for one year",
                    low=amount / _per_unit_kg(uptake_high),
                    high=amount / _per_unit_kg(uptake_low),
                    unit="trees",
                    factors=(uptake_high, uptake_low),
                )
            )
        car = factors.select("travel.car_average", span.start, span.end).factor
        if car is not None:
            car_km = amount / _per_unit_kg(car)
            found.append(
                Equivalence(
                    "car_km",
                    "ระยะทางขับรถยนต์ส่วนบุคคล",
                    "Distance driven by an average car",
                    low=car_km,
                    high=car_km,
                    unit="km",
                    factors=(car,),
                )
            )
    return tuple(found)


def _per_unit_kg(factor: Factor) -> Decimal:
    """The factor's value in kgCO2e per one of its units (e.g. per tree per year, per km)."""
    numerator = parse_factor_unit(factor.unit)[0]
    return convert(factor.value, numerator, "kgCO2e")

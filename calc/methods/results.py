"""What a calculation gives back: the result, its steps and warnings, and the exact decimal context.

Every result has the LESS shape (GHG.md): reduction = baseline emissions - project emissions, each
activity data x emission factor. Each step records its inputs, the factor (key, dataset@version, value,
unit, confidence, source) and its sub-result, so a stored result shows where its number came from and
never changes when a new dataset version arrives. Arithmetic is exact Decimal in a fixed context, so the
same inputs and factors give the same result bit for bit. Round only for display.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from calc.datasets import Factor
from calc.errors import InputError
from calc.units import Quantity, convert

# A fixed context so results never depend on the caller's decimal settings; 34 digits (IEEE decimal128)
# is far more than any input carries, so only true divisions (tree count / density) are ever rounded.
DECIMAL_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

# How each step's sub-result counts towards kg_co2e. Reductions: baseline - project (+ removals, and
# avoided emissions that are already a difference). Event footprint: emissions - offsets.
ROLE_SIGNS: dict[str, int] = {
    "baseline": 1,
    "project": -1,
    "reduction": 1,
    "removal": 1,
    "emission": 1,
    "offset": -1,
    "intermediate": 0,
}

STATUS_OK = "ok"
STATUS_NEEDS_REVIEW = "needs_review"  # computed, with warnings staff should look at
STATUS_NEEDS_FACTOR = "needs_factor"  # no factor available: staff must supply one, no number is given


@dataclass(frozen=True)
class Period:
    """The dates an activity (or event) ran, both inclusive; chooses which factors apply."""

    start: date
    end: date

    @classmethod
    def of(cls, value: Period | tuple[date, date] | list[date]) -> Period:
        """Accept a Period or a ``(start, end)`` pair; InputError ``invalid_period`` otherwise."""
        if isinstance(value, Period):
            start, end = value.start, value.end
        elif isinstance(value, tuple | list) and len(value) == 2:
            start, end = value
        else:
            raise InputError("invalid_period", "period", "period must be (start date, end date)")
        if type(start) is not date or type(end) is not date:
            raise InputError("invalid_period", "period", "period start and end must be dates")
        if start > end:
            raise InputError("invalid_period", "period", f"period starts {start} after it ends {end}")
        return cls(start, end)

    def to_dict(self) -> dict[str, str]:
        """ISO dates."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class CalcWarning:
    """Something staff should look at; the result is still computed (unless status is needs_factor).

    Codes: ``out_of_bounds``, ``proxy_factor``, ``no_factor``, ``period_spans_factor_change``,
    ``no_reduction``, ``one_traveller_per_vehicle``, ``area_and_count_given`` (``field`` is the one whose
    result was used), ``area_used_no_density``, ``species_not_listed``.
    """

    code: str
    message: str
    field: str | None = None
    factor_key: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Plain JSON-able form."""
        return {
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "factor_key": self.factor_key,
        }


@dataclass(frozen=True)
class Step:
    """One line of the calculation: ``inputs x factor = result`` (a factor-less step records a given value).

    ``role`` says how ``result`` counts in the total (see ROLE_SIGNS). ``factor`` is None when the factor
    ``factor_key`` was not available; ``result`` is then None too.
    """

    name: str
    role: str
    inputs: dict[str, Quantity]
    factor_key: str | None
    factor: Factor | None
    result: Quantity | None

    def formula(self) -> str:
        """The step in symbols, e.g. ``1250 kWh × 0.4999 kgCO2e/kWh = 624.875 kgCO2e`` (unrounded)."""
        parts = [str(q) for q in self.inputs.values()]
        if self.factor is not None:
            parts.append(f"{self.factor.value} {self.factor.unit}")
        elif self.factor_key is not None:
            parts.append(f"[{self.factor_key}: no factor]")
        operator = " ÷ " if self.factor is not None and self.factor.unit.startswith("trees/") else " × "
        left = operator.join(parts)
        return f"{left} = {self.result}" if self.result is not None else left

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form; numbers are exact decimal strings."""
        return {
            "name": self.name,
            "role": self.role,
            "inputs": {name: _quantity_to_dict(q) for name, q in self.inputs.items()},
            "factor_key": self.factor_key,
            "factor": self.factor.to_dict() if self.factor else None,
            "result": _quantity_to_dict(self.result) if self.result else None,
            "formula": self.formula(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=data["name"],
            role=data["role"],
            inputs={name: _quantity_from_dict(q) for name, q in data["inputs"].items()},
            factor_key=data["factor_key"],
            factor=Factor.from_dict(data["factor"]) if data["factor"] else None,
            result=_quantity_from_dict(data["result"]) if data["result"] else None,
        )


@dataclass(frozen=True)
class Result:
    """The outcome of a calculation.

    ``kg_co2e`` is the reduction (basis ``"reduction"``) or the net emissions after offsets (basis
    ``"net_emissions"``, event footprints); it is None when status is ``needs_factor``, never a guess.
    """

    activity_key: str
    basis: str
    period: Period
    inputs: dict[str, Quantity | str]
    steps: tuple[Step, ...]
    warnings: tuple[CalcWarning, ...]
    status: str
    kg_co2e: Decimal | None

    @property
    def factors_used(self) -> tuple[Factor, ...]:
        """Every factor the steps used, once each, in order of first use."""
        seen: dict[tuple[str, str], Factor] = {}
        for step in self.steps:
            if step.factor is not None:
                seen.setdefault((step.factor.key, step.factor.ref), step.factor)
        return tuple(seen.values())

    @property
    def emissions_kg_co2e(self) -> Decimal | None:
        """Event footprints: gross emissions before offsets (None if a factor was missing)."""
        return self._sum_roles("emission")

    @property
    def offsets_kg_co2e(self) -> Decimal:
        """Event footprints: credits cancelled to offset, in kgCO2e."""
        return self._sum_roles("offset") or Decimal(0)

    @property
    def carbon_neutral(self) -> bool:
        """Event footprints: True when offsets cover all emissions (net <= 0)."""
        return self.kg_co2e is not None and self.kg_co2e <= 0

    def _sum_roles(self, role: str) -> Decimal | None:
        if self.status == STATUS_NEEDS_FACTOR and role != "offset":
            return None
        with decimal.localcontext(DECIMAL_CONTEXT):
            return sum(
                (kg(step.result) for step in self.steps if step.role == role and step.result is not None),
                Decimal(0),
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict for storage; :meth:`from_dict` rebuilds the same Result."""
        return {
            "activity_key": self.activity_key,
            "basis": self.basis,
            "period": self.period.to_dict(),
            "inputs": {
                name: value if isinstance(value, str) else _quantity_to_dict(value)
                for name, value in self.inputs.items()
            },
            "kg_co2e": str(self.kg_co2e) if self.kg_co2e is not None else None,
            "status": self.status,
            "steps": [step.to_dict() for step in self.steps],
            "factors_used": [factor.to_dict() for factor in self.factors_used],
            "warnings": [warning.to_dict() for warning in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """Rebuild a stored result (``factors_used`` is derived from the steps)."""
        return cls(
            activity_key=data["activity_key"],
            basis=data["basis"],
            period=Period(
                date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"])
            ),
            inputs={
                name: value if isinstance(value, str) else _quantity_from_dict(value)
                for name, value in data["inputs"].items()
            },
            steps=tuple(Step.from_dict(step) for step in data["steps"]),
            warnings=tuple(CalcWarning(**warning) for warning in data["warnings"]),
            status=data["status"],
            kg_co2e=Decimal(data["kg_co2e"]) if data["kg_co2e"] is not None else None,
        )


def kg(quantity: Quantity) -> Decimal:
    """A step's result in kgCO2e."""
    return convert(quantity.value, quantity.unit, "kgCO2e")


def _quantity_to_dict(quantity: Quantity) -> dict[str, str]:
    return {"value": str(quantity.value), "unit": quantity.unit}


def _quantity_from_dict(data: dict[str, str]) -> Quantity:
    return Quantity(Decimal(data["value"]), data["unit"])

"""One calculation in progress: the steps a method adds, the factors it looks up and the warnings."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from calc.activities import ActivityType
from calc.datasets import Factor, FactorTable
from calc.errors import UnitError
from calc.methods.inputs import normalise
from calc.methods.results import (
    DECIMAL_CONTEXT,
    ROLE_SIGNS,
    STATUS_NEEDS_FACTOR,
    STATUS_NEEDS_REVIEW,
    STATUS_OK,
    CalcWarning,
    Period,
    Result,
    Step,
    kg,
)
from calc.units import Quantity, convert, dimension, parse_factor_unit


class Run:
    """One calculation in progress: normalised inputs, steps and warnings collected by a method."""

    def __init__(
        self, activity: ActivityType, inputs: Mapping[str, Any], factors: FactorTable, period: Period
    ):
        self.activity = activity
        self.factors = factors
        self.period = period
        self.inputs = normalise(activity, inputs)
        self.steps: list[Step] = []
        self.warnings: list[CalcWarning] = []
        self.missing_factor = False
        self._looked_up: set[str] = set()
        self._check_bounds()

    def quantity(self, name: str) -> Quantity | None:
        value = self.inputs.get(name)
        return value if isinstance(value, Quantity) else None

    def choice(self, name: str) -> str:
        value = self.inputs[name]
        assert isinstance(value, str)
        return value

    def warn(self, code: str, message: str, field: str | None = None, factor_key: str | None = None) -> None:
        warning = CalcWarning(code, message, field, factor_key)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def factor(self, key: str) -> Factor | None:
        """The factor for this run's period; warns once per key about missing, proxy or period problems."""
        selection = self.factors.select(key, self.period.start, self.period.end)
        if key not in self._looked_up:
            self._looked_up.add(key)
            factor = selection.factor
            if factor is None:
                self.warn(
                    "no_factor",
                    f"no emission factor {key!r} is available for {self.period.start} to {self.period.end};"
                    " staff must add a factor dataset before this can be computed",
                    factor_key=key,
                )
            else:
                if factor.confidence == "proxy":
                    self.warn(
                        "proxy_factor",
                        f"{key} = {factor.value} {factor.unit} from {factor.ref} is a proxy"
                        f" ({factor.source.title}), not a Thai official value; review before claiming",
                        factor_key=key,
                    )
                if selection.spans_change:
                    self.warn(
                        "period_spans_factor_change",
                        f"the period {self.period.start} to {self.period.end} spans a change of {key};"
                        f" used the value valid on {self.period.end}. Split the report at the change",
                        factor_key=key,
                    )
        return selection.factor

    def first_available(self, keys: tuple[str, ...], quantity: Quantity) -> str:
        """Of several factor keys, the one per the quantity's dimension, else the first with a factor."""
        found = []
        for key in keys:
            factor = self.factors.select(key, self.period.start, self.period.end).factor
            if factor is not None:
                per_unit = parse_factor_unit(factor.unit)[1][0]
                if dimension(per_unit) == dimension(quantity.unit):
                    return key
                found.append(key)
        return found[0] if found else keys[0]

    def add_step(
        self,
        name: str,
        role: str,
        inputs: dict[str, Quantity],
        factor_key: str | None,
        factor: Factor | None,
        result: Quantity | None,
    ) -> None:
        if factor_key is not None and factor is None:
            self.missing_factor = True
        self.steps.append(Step(name, role, inputs, factor_key, factor, result))

    def multiply(
        self, name: str, role: str, factor_key: str, inputs: dict[str, Quantity], substance: str | None = None
    ) -> Quantity | None:
        """Add the step ``inputs x factor``; each input is converted to the unit the factor is per."""
        factor = self.factor(factor_key)
        if factor is None:
            self.add_step(name, role, inputs, factor_key, None, None)
            return None
        numerator, per_units = parse_factor_unit(factor.unit)
        value = factor.value
        pending = dict(inputs)
        for per_unit in per_units:
            match = next((n for n, q in pending.items() if _convertible(q.unit, per_unit, substance)), None)
            if match is None:
                field = next(iter(pending), None)
                got = f"; got {pending[field].unit}" if field else ""
                raise UnitError("wrong_unit", field, f"{factor_key} is per {per_unit}{got}")
            quantity = pending.pop(match)
            value *= convert(quantity.value, quantity.unit, per_unit, substance=substance)
        if pending:
            field = next(iter(pending))
            raise UnitError(
                "wrong_unit", field, f"{factor_key} ({factor.unit}) has no use for {pending[field].unit}"
            )
        result = Quantity(value, numerator)
        self.add_step(name, role, inputs, factor_key, factor, result)
        return result

    def _check_bounds(self) -> None:
        for field in self.activity.fields:
            quantity = self.quantity(field.name)
            if quantity is None:
                continue
            for bounds in field.bounds:
                if not _convertible(quantity.unit, bounds.unit, field.substance):
                    continue
                value = convert(quantity.value, quantity.unit, bounds.unit, substance=field.substance)
                if not bounds.minimum <= value <= bounds.maximum:
                    self.warn(
                        "out_of_bounds",
                        f"{quantity} is outside the plausible range {bounds.minimum} to {bounds.maximum}"
                        f" {bounds.unit}; please check it",
                        field=field.name,
                    )
                break


def calculate(
    activity: ActivityType,
    method: Callable[[Run], None],
    inputs: Mapping[str, Any],
    factors: FactorTable,
    period: Period | tuple[date, date],
) -> Result:
    """Run ``method`` on the inputs in the fixed decimal context; the total is the signed sum of its steps."""
    with decimal.localcontext(DECIMAL_CONTEXT):
        run = Run(activity, inputs, factors, Period.of(period))
        method(run)
        if run.missing_factor:
            kg_co2e = None
            status = STATUS_NEEDS_FACTOR
        else:
            kg_co2e = sum(
                (
                    ROLE_SIGNS[s.role] * kg(s.result)
                    for s in run.steps
                    if s.result is not None and ROLE_SIGNS[s.role]
                ),
                Decimal(0),
            )
            status = STATUS_NEEDS_REVIEW if run.warnings else STATUS_OK
    return Result(
        activity_key=activity.key,
        basis=activity.basis,
        period=run.period,
        inputs=run.inputs,
        steps=tuple(run.steps),
        warnings=tuple(run.warnings),
        status=status,
        kg_co2e=kg_co2e,
    )


def _convertible(from_unit: str, to_unit: str, substance: str | None) -> bool:
    try:
        convert(0, from_unit, to_unit, substance=substance)
    except UnitError:
        return False
    return True

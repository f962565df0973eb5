"""Reported inputs checked against an activity's field definitions, before any arithmetic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calc.activities import ActivityType, Field
from calc.errors import InputError, UnitError
from calc.units import Quantity, to_decimal

MAX_FREE_TEXT = 100  # a species name typed in the chat


def normalise(activity: ActivityType, inputs: Mapping[str, Any]) -> dict[str, Quantity | str]:
    """Check inputs against the field definitions; returns them in field order."""
    if not isinstance(inputs, Mapping):
        raise InputError("invalid_inputs", None, "inputs must be a mapping of field name to value")
    names = {field.name for field in activity.fields}
    for name in inputs:
        if name not in names:
            raise InputError("unknown_field", str(name), f"{activity.key} has no field {name!r}")
    normalised: dict[str, Quantity | str] = {}
    for field in activity.fields:
        raw = inputs.get(field.name)
        if raw is None or raw == "":
            if field.required:
                raise InputError("missing_field", field.name, f"{field.label_en} is required")
            continue
        if field.kind == "choice":
            normalised[field.name] = _choice(field, raw)
        elif field.kind == "text":
            normalised[field.name] = _free_text(field, raw)
        else:
            normalised[field.name] = _quantity(field, raw)
    for group in activity.one_of:
        if not any(name in normalised for name in group):
            raise InputError("missing_one_of", ",".join(group), f"give at least one of: {', '.join(group)}")
    return normalised


def _choice(field: Field, raw: object) -> str:
    if not isinstance(raw, str) or field.choice(raw) is None:
        allowed = ", ".join(c.key for c in field.choices)
        raise InputError("invalid_choice", field.name, f"{raw!r} is not one of: {allowed}")
    return raw


def _free_text(field: Field, raw: object) -> str:
    if not isinstance(raw, str) or len(raw.strip()) > MAX_FREE_TEXT:
        raise InputError(
            "invalid_text", field.name, f"{field.label_en}: at most {MAX_FREE_TEXT} characters of text"
        )
    return raw.strip()


def _quantity(field: Field, raw: object) -> Quantity:
    if isinstance(raw, tuple | list) and len(raw) == 2:
        value, unit = raw
    elif isinstance(raw, Mapping) and "value" in raw:
        value, unit = raw["value"], raw.get("unit")
    elif hasattr(raw, "value") and hasattr(raw, "unit"):  # calc's Quantity or the chat parser's
        value, unit = raw.value, raw.unit
    else:
        value, unit = raw, None  # a bare number: no unit given
    if unit is None:
        raise UnitError(
            "missing_unit", field.name, f"give {field.label_en} with a unit such as {field.units[0]}"
        )
    try:
        accepted = field.accepts_unit(unit)
    except UnitError:
        raise UnitError("unknown_unit", field.name, f"unknown unit {unit!r}") from None
    if not accepted:
        raise UnitError(
            "wrong_unit",
            field.name,
            f"{field.label_en} must be in {' or '.join(field.units)} (or alike), not {unit}",
        )
    quantity = Quantity(to_decimal(value, field.name), unit)
    if not field.within_limit(quantity.value, quantity.unit):
        raise InputError(
            "beyond_limit",
            field.name,
            f"{quantity} is more than possible for {field.label_en} (at most {field.most} {field.units[0]})",
        )
    return quantity

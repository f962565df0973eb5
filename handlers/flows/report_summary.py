"""The report summary shown before confirming: a Flex bubble within LINE's limits (≤ 30 KB, alt text
≤ 400 characters) with every answer, the result, the calculation in words, warnings and one
communication equivalence. Numbers are rounded here only, for display; what is stored is exact.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import calc
from handlers.catalog import t
from handlers.parsing import format_number, format_period_en, format_period_th
from handlers.parsing.periods import Period
from handlers.reports import compute, factor_table

if TYPE_CHECKING:
    from handlers.engine import Turn
    from handlers.reports import Draft

MAX_BUBBLE_BYTES = 30_000
MAX_ALT_TEXT = 400


def field_label(field: calc.Field, language: str) -> str:
    return field.label_th if language == "th" else field.label_en


def unit_text(unit: str, language: str) -> str:
    from handlers.catalog import default_catalog

    return t(f"unit.{unit}", language) if default_catalog().has(f"unit.{unit}") else unit


def quantity_text(value: dict[str, str], language: str, max_decimals: int = 3) -> str:
    """1,250 กิโลวัตต์ชั่วโมง (หน่วย)."""
    amount = format_number(Decimal(value["value"]), max_decimals=max_decimals)
    return f"{amount} {unit_text(value['unit'], language)}"


def period_text(period: dict[str, str], language: str) -> str:
    """A stored period as people say it (มิ.ย. 2567, ม.ค.-มี.ค. 2567), Buddhist-era years in Thai:
    whole months are said as months, whatever precision the coordinator typed."""
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
    shown = Period(start, end, "month" if whole_months else "day")
    return format_period_th(shown) if language == "th" else format_period_en(shown)


def tonnes_text(kg: Decimal) -> str:
    return format_number(kg / 1000, max_decimals=3)


def kg_text(kg: Decimal) -> str:
    return format_number(kg, max_decimals=2)


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": text or " ", "wrap": True, "size": style.pop("size", "sm"), **style}


def _row(label: str, value: str) -> dict[str, Any]:
    return {
        "type": "box",
        "layout": "baseline",
        "spacing": "sm",
        "contents": [
            _text(label, color="#666666", flex=4),
            _text(value, flex=6),
        ],
    }


def step_text(step: calc.Step, language: str) -> list[str]:
    """One calculation step in words: data × factor = sub-result, then where the factor comes from."""
    # The inputs multiply (area × years); a density factor divides (calc.Step.formula).
    data = " × ".join(quantity_text(_qd(q), language) for q in step.inputs.values())
    if step.factor is None:
        if step.factor_key is None:
            return [t("reporting.summary.step_given", language, data=data)]
        return [t("reporting.summary.step_no_factor", language, data=data, key=step.factor_key)]
    factor = step.factor
    result = quantity_text(_qd(step.result), language) if step.result is not None else "-"
    lines = [
        t(
            "reporting.summary.step_divide" if factor.unit.startswith("trees/") else "reporting.summary.step",
            language,
            data=data,
            factor=f"{format_number(factor.value, max_decimals=6)} {factor.unit}",
            result=result,
        ),
        t(
            "reporting.summary.source",
            language,
            ref=factor.ref,
            source=factor.source.title,
            confidence=t(f"reporting.confidence.{factor.confidence}", language)
            if _has(f"reporting.confidence.{factor.confidence}")
            else factor.confidence,
        ),
    ]
    if factor.confidence == "proxy":
        lines.append(t("reporting.summary.proxy", language))
    return lines


def _has(key: str) -> bool:
    from handlers.catalog import default_catalog

    return default_catalog().has(key)


def _qd(quantity: calc.Quantity) -> dict[str, str]:
    return {"value": str(quantity.value), "unit": quantity.unit}


def warning_text(warning: calc.CalcWarning, kind: calc.ActivityType, language: str) -> str:
    params: dict[str, object] = {"field": "", "key": warning.factor_key or ""}
    if warning.field:
        try:
            params["field"] = field_label(kind.field(warning.field), language)
        except KeyError:
            params["field"] = warning.field
    key = f"reporting.warning.{warning.code}"
    return t(key if _has(key) else "reporting.warning.other", language, **params)


def answer_rows(turn: Turn, draft: Draft, kind: calc.ActivityType) -> list[dict[str, Any]]:
    language = turn.language
    rows = [
        _row(t("reporting.summary.activity", language), kind.label_th if language == "th" else kind.label_en)
    ]
    for field in kind.fields:
        value = draft.inputs.get(field.name)
        if value is None:
            continue
        if isinstance(value, str):
            choice = field.choice(value)
            shown = (choice.label_th if language == "th" else choice.label_en) if choice else value
        else:
            shown = quantity_text(value, language)
        rows.append(_row(field_label(field, language), shown))
    shown_period = period_text(
        {"start": draft.start.isoformat(), "end": draft.end.isoformat()},
        language,
    )
    rows.append(_row(t("reporting.period_label", language), shown_period))
    rows.append(_row(t("reporting.photos_label", language), str(len(draft.photo_ids))))
    place = draft.place or {}
    if place.get("lat") is not None:
        where = place.get("address") or f"{place['lat']:.5f}, {place['lon']:.5f}"
        rows.append(_row(t("reporting.place_label", language), where))
    return rows


def summary_card(turn: Turn, draft: Draft) -> tuple[dict[str, Any], str]:
    """(bubble contents, alt text) for the draft, computed now with the factors valid in its period."""
    language = turn.language
    kind = calc.activity_type(draft.activity_key)
    result = compute(draft.activity_key, draft.inputs, draft.start, draft.end)
    body: list[dict[str, Any]] = [*answer_rows(turn, draft, kind), {"type": "separator", "margin": "md"}]
    if result.kg_co2e is None:
        headline = t("reporting.summary.needs_factor", language)
    else:
        key = "reporting.summary.result" if result.basis == "reduction" else "reporting.summary.net"
        headline = t(key, language, tonnes=tonnes_text(result.kg_co2e), kg=kg_text(result.kg_co2e))
    body.append(_text(headline, weight="bold", size="md", margin="md"))
    how: list[dict[str, Any]] = [_text(t("reporting.summary.how", language), weight="bold", margin="md")]
    for step in result.steps:
        for line in step_text(step, language):
            how.append(_text(line, size="xs", color="#444444"))
    warnings = [warning_text(w, kind, language) for w in result.warnings if w.code != "proxy_factor"]
    notes: list[dict[str, Any]] = []
    if warnings:
        notes.append(
            _text(t("reporting.summary.warnings", language), weight="bold", margin="md", color="#B00020")
        )
        notes += [_text(f"• {w}", size="xs", color="#B00020") for w in dict.fromkeys(warnings)]
    if result.kg_co2e is not None and result.kg_co2e > 0:
        found = calc.equivalences(result.kg_co2e, factor_table(), (draft.start, draft.end))
        if found:
            eq = found[0]
            low, high = format_number(eq.low, max_decimals=0), format_number(eq.high, max_decimals=0)
            amount = low if low == high else f"{low}–{high}"
            label = eq.label_th if language == "th" else eq.label_en
            notes.append(
                _text(t("reporting.summary.equivalence", language, amount=amount, what=label), margin="md")
            )
    bubble = _bubble(language, body, how, notes)
    if len(json.dumps(bubble, ensure_ascii=False).encode()) > MAX_BUBBLE_BYTES:
        # Very many steps: keep the answers, the result and the warnings; staff see every step.
        how = [*how[:20], _text(t("reporting.summary.more_steps", language), size="xs")]
        bubble = _bubble(language, body, how, notes)
    alt = t("reporting.summary.alt", language, result=headline)[:MAX_ALT_TEXT]
    return bubble, alt


def _bubble(language: str, body: list, how: list, notes: list) -> dict[str, Any]:
    return {
        "type": "bubble",
        "size": "giga",
        "header": {
            "type": "box",
            "layout": "vertical",
            "contents": [_text(t("reporting.summary.title", language), weight="bold", size="lg")],
        },
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [*body, *how, *notes]},
    }

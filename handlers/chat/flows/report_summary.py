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
from handlers.catalog import label, t
from handlers.chat.cards import MAX_ALT_TEXT, bubble, card_row, card_text
from handlers.parsing import format_number, format_period
from handlers.parsing.periods import Period
from handlers.services.reports import compute, factor_table

if TYPE_CHECKING:
    from handlers.chat.engine import Turn
    from handlers.services.reports import Draft

MAX_BUBBLE_BYTES = 30_000
SMALLER_RESULT = "tree_planting.smaller_result"


def unit_text(unit: str, language: str, short: bool = False) -> str:
    """A unit in words: "กิโลกรัม (กก.)", or in a calculation line the short form ("กก.")."""
    for key in ((f"reporting.unit_short.{unit}",) if short else ()) + (f"unit.{unit}",):
        if _has(key):
            return t(key, language)
    return unit


def quantity_text(value: dict[str, str], language: str, max_decimals: int = 3, short: bool = False) -> str:
    """1,250 กิโลวัตต์ชั่วโมง (หน่วย)."""
    amount = format_number(Decimal(value["value"]), max_decimals=max_decimals)
    return f"{amount} {unit_text(value['unit'], language, short)}"


def period_text(period: dict[str, str], language: str) -> str:
    """A stored period as people say it (มิ.ย. 2567, ม.ค.-มี.ค. 2567), Buddhist-era years in Thai:
    whole months are said as months, whatever precision the coordinator typed."""
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
    shown = Period(start, end, "month" if whole_months else "day")
    return format_period(shown, language)


def answer_text(field: calc.Field, value: object, language: str) -> str:
    """An answer as the question's buttons name it (a choice's label, a figure with its unit)."""
    if isinstance(value, str):
        choice = field.choice(value)
        return label(choice, language) if choice else value
    return quantity_text(value, language)  # type: ignore[arg-type]


def tonnes_text(kg: Decimal) -> str:
    return format_number(kg / 1000, max_decimals=3)


def kg_text(kg: Decimal) -> str:
    return format_number(kg, max_decimals=2)


def step_text(step: calc.Step, kind: calc.ActivityType, language: str) -> str:
    """One calculation step in words, named: "แก้ว: 500 กก. × 0.31 กก.CO2e ต่อ กก. = 155 กก.CO2e"."""
    # The inputs multiply (area × years); a density factor divides (calc.Step.formula).
    data = " × ".join(_short(q, language) for q in step.inputs.values())
    what = step_name(step, kind, language)
    if step.name == SMALLER_RESULT and step.result is not None:
        by_area, by_count = (_short(q, language) for q in step.inputs.values())
        used = _short(step.result, language)
        return t("reporting.summary.step_smaller", language, area=by_area, count=by_count, result=used)
    if step.factor is None:
        if step.factor_key is None:
            return t("reporting.summary.step_given", language, what=what, data=data)
        return t("reporting.summary.step_no_factor", language, what=what, data=data)
    result = _short(step.result, language) if step.result is not None else "-"
    template = (
        "reporting.summary.step_divide" if step.factor.unit.startswith("trees/") else "reporting.summary.step"
    )
    return t(
        template, language, what=what, data=data, factor=factor_text(step.factor, language), result=result
    )


def step_name(step: calc.Step, kind: calc.ActivityType, language: str) -> str:
    """What a step is: its catalog name, else the field it is about (a recycled material)."""
    key = f"reporting.step_name.{step.name}"
    if _has(key):
        return t(key, language)
    field = step.name.rpartition(".")[2]
    try:
        return label(kind.field(field), language)
    except KeyError:
        return field


def factor_text(factor: calc.Factor, language: str) -> str:
    """0.4999 กก.CO2e ต่อ หน่วย (kWh); 6.09 ตัน CO2e ต่อ ไร่ ต่อ ปี."""
    numerator, per = calc.units.parse_factor_unit(factor.unit)
    words = [unit_text(numerator, language, short=True)]
    words += [f"{t('reporting.summary.per', language)} {_per(unit, language)}" for unit in per]
    return f"{format_number(factor.value, max_decimals=6)} {' '.join(words)}"


def source_lines(result: calc.Result, language: str) -> list[str]:
    """One line per dataset the factors came from, in the reader's language, then one proxy note."""
    lines: dict[str, str] = {}
    for factor in result.factors_used:
        name_key = f"reporting.source_name.{factor.dataset}"
        name = t(name_key, language) if _has(name_key) else factor.source.title
        confidence_key = f"reporting.confidence.{factor.confidence}"
        confidence = t(confidence_key, language) if _has(confidence_key) else factor.confidence
        lines.setdefault(
            factor.ref,
            t("reporting.summary.source", language, source=name, ref=factor.ref, confidence=confidence),
        )
    if any(factor.confidence == "proxy" for factor in result.factors_used):
        return [*lines.values(), t("reporting.summary.proxy", language)]
    return list(lines.values())


def difference_line(result: calc.Result, language: str) -> list[str]:
    """ "baseline − project = reduction", written out when the result has both."""
    baseline = [s for s in result.steps if s.role == "baseline" and s.result is not None]
    project = [s for s in result.steps if s.role == "project" and s.result is not None]
    if not baseline or not project or result.kg_co2e is None:
        return []
    before = sum((s.result.to("kgCO2e").value for s in baseline), Decimal(0))  # type: ignore[union-attr]
    after = sum((s.result.to("kgCO2e").value for s in project), Decimal(0))  # type: ignore[union-attr]
    return [
        t("reporting.summary.difference", language, baseline=kg_text(before), project=kg_text(after),
          result=kg_text(result.kg_co2e))
    ]  # fmt: skip


def _per(unit: str, language: str) -> str:
    key = f"reporting.unit_per.{unit}"
    return t(key, language) if _has(key) else unit_text(unit, language, short=True)


def _short(quantity: calc.Quantity, language: str) -> str:
    return quantity_text(_qd(quantity), language, short=True)


def _has(key: str) -> bool:
    from handlers.catalog import default_catalog

    return default_catalog().has(key)


def _qd(quantity: calc.Quantity) -> dict[str, str]:
    return {"value": str(quantity.value), "unit": quantity.unit}


def warning_text(warning: calc.CalcWarning, kind: calc.ActivityType, language: str, name: str = "") -> str:
    """A calc warning in the reader's language; ``name`` is the species typed by name, if any."""
    params: dict[str, object] = {"field": "", "key": warning.factor_key or "", "name": name}
    if warning.field:
        try:
            params["field"] = label(kind.field(warning.field), language)
        except KeyError:
            params["field"] = warning.field
    key = f"reporting.warning.{warning.code}"
    return t(key if _has(key) else "reporting.warning.other", language, **params)


def answer_rows(turn: Turn, draft: Draft, kind: calc.ActivityType) -> list[dict[str, Any]]:
    language = turn.language
    rows = [card_row(t("reporting.summary.activity", language), label(kind, language))]
    for field in kind.fields:
        value = draft.inputs.get(field.name)
        if value is not None:
            rows.append(card_row(label(field, language), answer_text(field, value, language)))
    shown_period = period_text(
        {"start": draft.start.isoformat(), "end": draft.end.isoformat()},
        language,
    )
    rows.append(card_row(t("reporting.period_label", language), shown_period))
    photos = t("reporting.summary.photos_count", language, count=len(draft.photo_ids))
    rows.append(card_row(t("reporting.photos_label", language), photos))
    place = draft.place or {}
    if place.get("lat") is not None:
        where = place.get("address") or f"{place['lat']:.5f}, {place['lon']:.5f}"
        rows.append(card_row(t("reporting.place_label", language), where))
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
    body.append(card_text(headline, weight="bold", size="md", margin="md"))
    how: list[dict[str, Any]] = [card_text(t("reporting.summary.how", language), weight="bold", margin="md")]
    lines = [step_text(step, kind, language) for step in result.steps] + difference_line(result, language)
    how += [card_text(line, size="xs", color="#444444") for line in lines]
    sources = source_lines(result, language)
    if sources:
        how.append(card_text(t("reporting.summary.sources", language), size="xs", weight="bold", margin="sm"))
        how += [card_text(f"• {line}", size="xs", color="#666666") for line in sources]
    shown = [w for w in result.warnings if w.code != "proxy_factor"]
    if any(w.code == "species_not_listed" for w in shown):  # says it in words; the missing rate is why
        shown = [w for w in shown if w.code != "no_factor"]
    name = str(draft.inputs.get("species_name") or "")
    warnings = [warning_text(w, kind, language, name) for w in shown]
    notes: list[dict[str, Any]] = []
    if warnings:
        notes.append(
            card_text(t("reporting.summary.warnings", language), weight="bold", margin="md", color="#B00020")
        )
        notes += [card_text(f"• {w}", size="xs", color="#B00020") for w in dict.fromkeys(warnings)]
    if result.kg_co2e is not None and result.kg_co2e > 0:
        found = calc.equivalences(result.kg_co2e, factor_table(), (draft.start, draft.end))
        if found:
            eq = found[0]
            low, high = format_number(eq.low, max_decimals=0), format_number(eq.high, max_decimals=0)
            amount = low if low == high else f"{low}–{high}"
            unit = unit_text(eq.unit, language, short=True)
            notes.append(
                card_text(
                    t(
                        "reporting.summary.equivalence",
                        language,
                        amount=amount,
                        unit=unit,
                        what=label(eq, language),
                    ),
                    margin="md",
                )
            )
    title = t("reporting.summary.title", language)
    card = bubble(title, [*body, *how, *notes])
    if len(json.dumps(card, ensure_ascii=False).encode()) > MAX_BUBBLE_BYTES:
        # Very many steps: keep the answers, the result and the warnings; staff see every step.
        how = [*how[:20], card_text(t("reporting.summary.more_steps", language), size="xs")]
        card = bubble(title, [*body, *how, *notes])
    alt = t("reporting.summary.alt", language, result=headline)[:MAX_ALT_TEXT]
    return card, alt

"""The report flow's words: short button labels with their long names in the question, a hint per
quantity question, and answers typed in people's own words (a label's distinctive word, a species not
in the list, a material and its weight in one message), each said back before it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import calc
from handlers.catalog import default_catalog, label, t
from handlers.chat.engine import Choice, Outcome, Question, Turn, match_choice, understood_choice
from handlers.chat.flows.report_summary import quantity_text
from handlers.parsing import ParseError, parse_quantity

OTHER_PREFIX = "other:"  # a species typed by name, said back: "other:ยางนา"
MATERIAL_PREFIX = "m:"  # a material and its amount, said back: "m:corrugated_cardboard:2000:kg"
_FIRST_DIGIT = re.compile(r"\d")  # any script's digits: 2 or ๒

Labelled = calc.Choice | calc.Field | calc.ActivityType


def button(item: Labelled, language: str) -> Choice:
    """A button with the short label; the long names in both languages count when typed."""
    names = (item.label_th, item.label_en, item.short_th, item.short_en)
    value = item.name if isinstance(item, calc.Field) else item.key
    return Choice(value, label=item.button(language), also=tuple(n for n in names if n))


def names_note(items: Sequence[Labelled], language: str) -> str:
    """ "\\n• short: long name" for each item whose button is shortened ("" when none is)."""
    lines = [f"• {i.button(language)}: {label(i, language)}" for i in items
             if i.button(language) != label(i, language)]  # fmt: skip
    return "".join(f"\n{line}" for line in lines)


def field_question(turn: Turn, field: calc.Field, skip: list[Choice]) -> Question:
    """A field's question: short buttons with the long names beneath, or a figure with its example."""
    name = label(field, turn.language)
    if field.kind == "choice":
        key = "reporting.ask_species" if field.choice(calc.OTHER_SPECIES) else "reporting.ask_choice"
        text = turn.t(key, label=name) + names_note(field.choices, turn.language)
        return Question(text, [*(button(c, turn.language) for c in field.choices), *skip])
    units = " / ".join(turn.t(f"unit.{unit}") for unit in field.units)
    optional = turn.t("reporting.optional") if skip else ""
    hint = quantity_hint(field, turn.language)
    return Question(
        turn.t("reporting.ask_quantity", label=name, units=units, optional=optional, hint=hint), skip
    )


def beyond_limit(turn: Turn, field: calc.Field, value: object) -> str | None:
    """The polite refusal of a figure more than possible for the field (calc's ``most``), else None."""
    if not isinstance(value, dict) or field.within_limit(Decimal(value["value"]), value["unit"]):
        return None
    most = quantity_text({"value": str(field.most), "unit": field.units[0]}, turn.language)
    shown = quantity_text(value, turn.language)
    return turn.t("reporting.beyond_limit", label=label(field, turn.language), value=shown, most=most)


def keep_material(turn: Turn, group: Sequence[str], value: str) -> bool:
    """Keep a confirmed "material and amount" answer (``m:material:amount:unit``); False if it is none."""
    if not value.startswith(MATERIAL_PREFIX):
        return False
    _, material, amount, unit = value.split(":", 3)
    if material not in group:
        return False
    turn.answers.setdefault("inputs", {})[material] = {"value": amount, "unit": unit}
    return True


def quantity_hint(field: calc.Field, language: str) -> str:
    """An example for this question: the field's own, else one in the unit it is asked in."""
    for key in (f"reporting.hint.{field.name}", f"reporting.hint.{field.units[0]}"):
        if default_catalog().has(key):
            return t(key, language)
    return ""


def choice_understood(turn: Turn, field: calc.Field, text: str) -> Outcome | None:
    """Typed words at a choice question that do not repeat a button: the button they mean, or for
    tree species any other species by name; said back with yes / no before it is kept. None: they
    mean no button."""
    choices = [button(c, turn.language) for c in field.choices]
    guess = understood_choice(text, choices)
    if guess is not None and guess.value != calc.OTHER_SPECIES:
        return Outcome.check(guess.value, turn.t("conv.understood_check", answer=guess.text(turn.language)))
    if field.choice(calc.OTHER_SPECIES) is not None:
        name = " ".join(text.split())[: calc.MAX_FREE_TEXT]
        if name and not _FIRST_DIGIT.search(name):
            return Outcome.check(OTHER_PREFIX + name, turn.t("reporting.species_other_check", name=name))
    return None


def material_and_amount(turn: Turn, kind: calc.ActivityType, group: Sequence[str], text: str) -> Outcome:
    """A material typed at the "which material" question, with or without its weight
    ("กระดาษลัง 2 ตัน"): said back before it is kept."""
    fields = [kind.field(name) for name in group]
    choices = [button(f, turn.language) for f in fields]
    digit = _FIRST_DIGIT.search(text)
    said, amount = (text[: digit.start()], text[digit.start() :]) if digit else (text, "")
    found = match_choice(said, choices) or understood_choice(said, choices)
    if found is None:
        return Outcome.again(turn.t("reporting.material_unknown"))
    field = kind.field(found.value)
    material_only = Outcome.check(
        found.value, turn.t("conv.understood_check", answer=label(field, turn.language))
    )
    if not amount:
        return material_only
    try:
        quantity = parse_quantity(amount, field.units[0])
    except ParseError:
        return material_only  # the question for its weight follows, with the unit hint
    value = {"value": str(quantity.value), "unit": quantity.unit}
    shown = quantity_text(value, turn.language)
    return Outcome.check(
        f"{MATERIAL_PREFIX}{found.value}:{value['value']}:{value['unit']}",
        turn.t("reporting.material_check", material=label(field, turn.language), amount=shown),
    )

"""Reporting an activity (รายงานกิจกรรม), generated from `calc.activity_types()`: no per-type code.

Only coordinators of an approved agency report (handlers.services.authz). The flow asks, in order: the
activity type (those the active campaign enables), each `Field` of that type (a choice, or a
quantity typed with its unit; optional fields skippable; a `one_of` group of more than two fields
is a "pick one, give its amount, pick another or done" loop, recycling's materials), the period,
photos and the place (handlers/chat/flows/report_photos.py: the campaign's photo limits, a photo's
GPS as the place, a photo after a long break), then a summary card with confirm / change one
answer / cancel. Confirming checks the photo count against the campaign and stores the report
once (handlers.services.reports.submit_report, idempotent on a key made when the draft started), or the
corrected report (resubmit_report).

Answers kept in the conversation: key, activity, inputs {field: {"value", "unit"} | choice key},
skipped [fields], groups_done [group index], period {"start", "end"}, photos [photo ids], dup,
photos_done, place, place_done, changing (the one field being changed from the summary),
report_id + fix (a report being corrected: "my reports" or staff's "needs fix").
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

import calc
from handlers.catalog import label
from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn, parse_error_text, refusal_text
from handlers.chat.flows import report_photos
from handlers.chat.flows.report_draft import (
    DONE,
    PICK_GROUP_MIN,
    SKIP,
    activity,
    advance,
    next_state,
    pick_group,
    state_for,
)
from handlers.chat.flows.report_summary import answer_text, period_text, quantity_text, summary_card
from handlers.chat.flows.report_words import (
    OTHER_PREFIX,
    beyond_limit,
    button,
    choice_understood,
    field_question,
    keep_material,
    material_and_amount,
    names_note,
)
from handlers.parsing import ParseError, format_number, parse_period, parse_quantity
from handlers.services.authz import require_coordinator
from handlers.services.campaigns import active_campaign
from handlers.services.reports import (
    Draft,
    ReportRefused,
    campaign_window,
    check_photo_count,
    enabled_activity_types,
    reference,
    resubmit_report,
    submit_report,
)

CONFIRM, CHANGE = "_confirm_report", "_change"


def skippable(turn: Turn, field: calc.Field) -> bool:
    """Optional, and not the last chance to give one of its (small) one_of group."""
    if field.required:
        return False
    kind, answers = activity(turn), turn.answers
    if pick_group(kind, field.name) is not None:
        return False  # picked from a list on purpose: "back" returns to the list
    inputs, skipped = answers.get("inputs", {}), answers.get("skipped", [])
    for group in kind.one_of:
        if field.name in group:
            others = [name for name in group if name != field.name]
            given = any(name in inputs for name in others)
            still_to_ask = any(name not in inputs and name not in skipped for name in others)
            return given or still_to_ask
    return True


# --- entering -----------------------------------------------------------------------------------
def on_enter(turn: Turn) -> Outcome:
    require_coordinator(turn.session, turn.line_user_id)
    turn.answers["key"] = secrets.token_hex(12)
    return Outcome.go("report:type")


# --- the activity type --------------------------------------------------------------------------
def ask_type(turn: Turn) -> Question:
    kinds = enabled_activity_types(turn.session, turn.now)
    text = turn.t("reporting.ask_type") + names_note(kinds, turn.language)
    return Question(text, [button(k, turn.language) for k in kinds])


def type_choices(turn: Turn) -> list[Choice]:
    """The activity types the active campaign enables, without the question's words."""
    return [button(k, turn.language) for k in enabled_activity_types(turn.session, turn.now)]


def choose_type(turn: Turn, value: str) -> Outcome:
    if turn.answers.get("activity") != value:
        for key in ("inputs", "skipped", "groups_done"):
            turn.answers.pop(key, None)
    turn.answers["activity"] = value
    return Outcome.go(next_state(turn))


# --- one field ----------------------------------------------------------------------------------
def field_step(name: str) -> Step:
    def field(turn: Turn) -> calc.Field:
        return activity(turn).field(name)

    def skip(turn: Turn, f: calc.Field) -> list[Choice]:
        return (
            [Choice(SKIP, label_key="reporting.skip", words_key="words.skip")] if skippable(turn, f) else []
        )

    def ask(turn: Turn) -> Question:
        f = field(turn)
        return field_question(turn, f, skip(turn, f))

    def choices(turn: Turn) -> list[Choice]:
        f = field(turn)
        return [*(button(c, turn.language) for c in f.choices), *skip(turn, f)]

    def keep(turn: Turn, value: object, **also: str) -> Outcome:
        f = field(turn)
        refusal = beyond_limit(turn, f, value)
        if refusal:
            return Outcome.again(refusal)
        inputs = turn.answers.setdefault("inputs", {})
        inputs[name] = value
        if f.choice(calc.OTHER_SPECIES) is not None and value != calc.OTHER_SPECIES:
            inputs.pop("species_name", None)  # a species' name goes with "other species" only
        inputs.update(also)
        if name in turn.answers.setdefault("skipped", []):
            turn.answers["skipped"].remove(name)
        return advance(turn, answered=name)

    def on_choice(turn: Turn, value: str) -> Outcome | None:
        f = field(turn)
        if value == SKIP and skippable(turn, f):
            turn.answers.setdefault("inputs", {}).pop(name, None)
            if name not in turn.answers.setdefault("skipped", []):
                turn.answers["skipped"].append(name)
            return advance(turn, answered=name)
        if f.kind == "choice" and value == calc.OTHER_SPECIES:
            return Outcome.again(turn.t("reporting.species_other_ask"))
        if f.kind == "choice" and value.startswith(OTHER_PREFIX):  # a species named and confirmed
            return keep(turn, calc.OTHER_SPECIES, species_name=value.removeprefix(OTHER_PREFIX))
        if f.kind == "choice" and f.choice(value) is not None:
            return keep(turn, value)
        if f.kind == "quantity" and value.startswith("q:"):  # a figure said back and confirmed
            _, amount, unit = value.split(":", 2)
            return keep(turn, {"value": amount, "unit": unit})
        return None

    def on_text(turn: Turn, text: str) -> Outcome | None:
        f = field(turn)
        if f.kind == "choice":
            return choice_understood(turn, f, text)
        found, error = None, None
        for unit in f.units:
            try:
                found = parse_quantity(text, unit)
                break
            except ParseError as refused:
                error = error or refused
        if found is None:
            assert error is not None
            return Outcome.again(parse_error_text(error, turn.language))
        value = str(found.value)
        if found.entered_unit is None:  # no unit typed: say it back in the field's unit first
            shown = quantity_text({"value": value, "unit": found.unit}, turn.language)
            return Outcome.check(f"q:{value}:{found.unit}", turn.t("reporting.unit_check", value=shown))
        return keep(turn, {"value": value, "unit": found.unit})

    def describe(turn: Turn) -> str | None:
        inputs = turn.answers.get("inputs", {})
        value = inputs.get(name)
        if value is None:
            return None
        if value == calc.OTHER_SPECIES and inputs.get("species_name"):
            return inputs["species_name"]
        return answer_text(activity(turn).field(name), value, turn.language)

    return Step(
        ask=ask,
        help_key="reporting.help_field",
        on_choice=on_choice,
        on_text=on_text,
        choices=choices,
        describe=describe,
    )


# --- a pick loop (recycling's materials) --------------------------------------------------------
def pick_step(kind_key: str, index: int) -> Step:
    def group(turn: Turn) -> tuple[str, ...]:
        return calc.activity_type(kind_key).one_of[index]

    def ask(turn: Turn) -> Question:
        kind, inputs = calc.activity_type(kind_key), turn.answers.get("inputs", {})
        given = [f"{label(kind.field(n), turn.language)} {quantity_text(inputs[n], turn.language)}"
                 for n in group(turn) if n in inputs]  # fmt: skip
        choices = [button(kind.field(n), turn.language) for n in group(turn)]
        if given:
            text = turn.t("reporting.pick_more", given="\n".join(f"• {g}" for g in given))
            return Question(
                text, [Choice(DONE, label_key="reporting.done", words_key="words.confirm"), *choices]
            )
        return Question(turn.t("reporting.pick_first"), choices)

    def on_choice(turn: Turn, value: str) -> Outcome | None:
        inputs = turn.answers.get("inputs", {})
        if value == DONE and any(n in inputs for n in group(turn)):
            turn.answers.setdefault("groups_done", []).append(index)
            return advance(turn)
        if value in group(turn):
            return Outcome.go(f"report:field:{value}")
        if keep_material(turn, group(turn), value):  # a material and its amount, typed together
            return Outcome.go(f"report:pick:{kind_key}:{index}")
        return None

    def on_text(turn: Turn, text: str) -> Outcome:
        return material_and_amount(turn, calc.activity_type(kind_key), group(turn), text)

    return Step(ask=ask, help_key="reporting.help_pick", on_choice=on_choice, on_text=on_text)


# --- the period ---------------------------------------------------------------------------------
def ask_period(turn: Turn) -> Question:
    return Question(
        turn.t("reporting.ask_period"),
        [
            Choice("last_month", label_key="reporting.last_month"),
            Choice("this_month", label_key="reporting.this_month"),
        ],
    )


def keep_period(turn: Turn, text: str) -> Outcome:
    try:
        period = parse_period(text, today=turn.today)
    except ParseError as refused:
        return Outcome.again(parse_error_text(refused, turn.language))
    turn.answers["period"] = {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    window = campaign_window(active_campaign(turn.session, turn.now))
    if window is not None and (period.start < window[0] or period.end > window[1]):
        return advance(turn, turn.t("reporting.outside_campaign"), answered="period")
    return advance(turn, answered="period")


def period_step() -> Step:
    def on_choice(turn: Turn, value: str) -> Outcome:
        return keep_period(turn, turn.t(f"reporting.{value}"))

    def describe(turn: Turn) -> str | None:
        period = turn.answers.get("period")
        return period_text(period, turn.language) if period else None

    return Step(ask=ask_period, help_key="reporting.help_period", on_choice=on_choice, on_text=keep_period,
                describe=describe)  # fmt: skip


# --- summary, change, confirm -------------------------------------------------------------------
def draft_of(turn: Turn) -> Draft:
    period = turn.answers["period"]
    return Draft(
        submit_key=turn.answers["key"],
        activity_key=turn.answers["activity"],
        inputs=turn.answers.get("inputs", {}),
        start=date.fromisoformat(period["start"]),
        end=date.fromisoformat(period["end"]),
        photo_ids=tuple(report_photos.live_photos(turn)),
        duplicate_photo=bool(turn.answers.get("dup")),
        place=turn.answers.get("place"),
    )


SUMMARY_CHOICES = (
    Choice(CONFIRM, label_key="reporting.confirm", words_key="words.confirm"),
    Choice(CHANGE, label_key="reporting.change"),
)


def ask_summary(turn: Turn) -> Question:
    card, alt = summary_card(turn, draft_of(turn))
    return Question(alt, SUMMARY_CHOICES, flex=card, alt_text=alt)


def summary_choice(turn: Turn, value: str) -> Outcome:
    if value == CHANGE:
        return Outcome.go("report:change")
    draft = draft_of(turn)
    try:
        check_photo_count(turn.session, len(draft.photo_ids), turn.now)
        if turn.answers.get("report_id"):
            report = resubmit_report(
                turn.session, turn.line_user_id, turn.answers["report_id"], draft, turn.now
            )
        else:
            report, _ = submit_report(turn.session, turn.line_user_id, draft, turn.now)
    except ReportRefused as refusal:
        if refusal.code != "photo_count":
            raise
        # Not enough (or too many) photos: the reason, then the photo question, the draft kept.
        turn.answers.update(changing="photos", photos_done=False)
        return Outcome.go("report:photos", refusal_text(refusal, turn.language))
    if report.kg_co2e is None:
        return Outcome.end(turn.t("reporting.stored_needs_factor", ref=reference(report)))
    shown = format_number(Decimal(report.kg_co2e), max_decimals=2)
    return Outcome.end(turn.t("reporting.stored", ref=reference(report), kg=shown))


def ask_change(turn: Turn) -> Question:
    kind, inputs = activity(turn), turn.answers.get("inputs", {})
    fields = [f for f in kind.fields
              if f.kind != "text" and (f.name in inputs or skippable(turn, f) or f.required)]  # fmt: skip
    choices = [button(f, turn.language) for f in fields]
    choices += [
        Choice("photos", label_key="reporting.photos_label"),
        Choice("place", label_key="reporting.place_label"),
    ]
    return Question(
        turn.t("reporting.ask_change") + names_note(fields, turn.language),
        [Choice("period", label_key="reporting.period_label"), *choices],
    )


def change_choice(turn: Turn, value: str) -> Outcome:
    turn.answers["changing"] = value
    if value == "photos":
        turn.answers["photos_done"] = False
    return Outcome.go(state_for(turn, value))


def _steps() -> dict[str, Step]:
    steps: dict[str, Step] = {
        "report:type": Step(
            ask=ask_type, help_key="reporting.help_type", on_choice=choose_type, choices=type_choices
        ),
        "report:period": period_step(),
        **report_photos.steps(),
        "report:summary": Step(
            ask=ask_summary,
            help_key="reporting.help_summary",
            on_choice=summary_choice,
            choices=lambda turn: SUMMARY_CHOICES,
        ),
        "report:change": Step(ask=ask_change, help_key="reporting.help_summary", on_choice=change_choice),
    }
    for kind in calc.activity_types():
        for field in kind.fields:
            if field.kind != "text":  # a text field is given with another answer, never asked
                steps.setdefault(f"report:field:{field.name}", field_step(field.name))
        for index, group in enumerate(kind.one_of):
            if len(group) >= PICK_GROUP_MIN:
                steps[f"report:pick:{kind.key}:{index}"] = pick_step(kind.key, index)
    return steps


FLOW = Flow(
    name="report",
    title_key="report.title",
    words_key="report.words",
    start="report:type",
    steps=_steps(),
    keeps_draft=True,
    on_enter=on_enter,
    menu_roles=("coordinator",),
)

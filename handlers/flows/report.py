"""Reporting an activity (รายงานกิจกรรม), generated from `calc.activity_types()`: no per-type code.

Only coordinators of an approved agency report (handlers.authz). The flow asks, in order: the
activity type (those the active campaign enables), each `Field` of that type (a choice, or a
quantity typed with its unit; optional fields skippable; a `one_of` group of more than two fields
is a "pick one, give its amount, pick another or done" loop, recycling's materials), the period,
photos (the campaign's photos_min..photos_max, default 1..10; the step accepts images, so the
executor stores them before the event's transaction), an optional place (LINE's location button),
then a summary card with confirm / change one answer / cancel. Confirming stores the report once
(handlers.reports.submit_report, idempotent on a key made when the draft started).

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
from handlers.authz import require_coordinator
from handlers.campaigns import active_campaign, photo_limits
from handlers.engine import (
    Choice,
    Flow,
    Incoming,
    Outcome,
    Question,
    Step,
    Turn,
    match_choice,
    parse_error_text,
)
from handlers.flows.common import refusal_text
from handlers.flows.report_summary import field_label, period_text, quantity_text, summary_card
from handlers.parsing import ParseError, format_number, parse_period, parse_quantity
from handlers.refusals import Refused
from handlers.reports import (
    Draft,
    campaign_window,
    enabled_activity_types,
    reference,
    resubmit_report,
    submit_report,
)

SKIP, DONE, CONFIRM, CHANGE = "_skip", "_done", "_confirm_report", "_change"
PICK_GROUP_MIN = 3  # a one_of group this big is a pick loop; a smaller one is asked field by field


# --- where the draft stands -------------------------------------------------------------------
def activity(turn: Turn) -> calc.ActivityType:
    return calc.activity_type(turn.answers["activity"])


def pick_group(kind: calc.ActivityType, name: str) -> int | None:
    """The index of the big one_of group `name` belongs to (asked as a pick loop), if any."""
    for index, group in enumerate(kind.one_of):
        if name in group and len(group) >= PICK_GROUP_MIN:
            return index
    return None


def next_state(turn: Turn) -> str:
    """The first thing the draft still lacks (the summary when nothing is missing)."""
    answers, kind = turn.answers, activity(turn)
    for field in kind.fields:
        group = pick_group(kind, field.name)
        if group is not None:
            if group not in answers.setdefault("groups_done", []):
                return f"report:pick:{kind.key}:{group}"
            continue
        if field.name not in answers.setdefault("inputs", {}) and field.name not in answers.setdefault(
            "skipped", []
        ):
            return f"report:field:{field.name}"
    if "period" not in answers:
        return "report:period"
    if not answers.get("photos_done"):
        return "report:photos"
    if not answers.get("place_done"):
        return "report:place"
    return "report:summary"


def advance(turn: Turn, *say: str) -> Outcome:
    """Where to go after an answer: back to the summary when one answer was being changed."""
    changing = turn.answers.pop("changing", None)
    fixing = turn.answers.get("fix") or []
    if changing in fixing:
        fixing.remove(changing)
        if fixing:  # staff asked for more than one field: the next of them
            turn.answers["changing"] = fixing[0]
            return Outcome.go(state_for(turn, fixing[0]), *say)
    if changing is not None:
        return Outcome.go("report:summary", *say)
    return Outcome.go(next_state(turn), *say)


def state_for(turn: Turn, name: str) -> str:
    return {"period": "report:period", "photos": "report:photos", "place": "report:place"}.get(
        name, f"report:field:{name}"
    )


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
    try:
        require_coordinator(turn.session, turn.line_user_id)
    except Refused as refusal:
        return Outcome.end(refusal_text(turn, refusal))
    turn.answers["key"] = secrets.token_hex(12)
    return Outcome.go("report:type")


# --- the activity type --------------------------------------------------------------------------
def ask_type(turn: Turn) -> Question:
    kinds = enabled_activity_types(turn.session, turn.now)
    return Question(
        turn.t("reporting.ask_type"),
        [Choice(k.key, label=k.label_th if turn.language == "th" else k.label_en) for k in kinds],
    )


def choose_type(turn: Turn, value: str) -> Outcome:
    if value not in {k.key for k in enabled_activity_types(turn.session, turn.now)}:
        return Outcome.again(turn.t("conv.choose_button"))
    if turn.answers.get("activity") != value:
        for key in ("inputs", "skipped", "groups_done"):
            turn.answers.pop(key, None)
    turn.answers["activity"] = value
    return Outcome.go(next_state(turn))


# --- one field ----------------------------------------------------------------------------------
def field_step(name: str) -> Step:
    def field(turn: Turn) -> calc.Field:
        return activity(turn).field(name)

    def ask(turn: Turn) -> Question:
        f = field(turn)
        label = field_label(f, turn.language)
        skip = (
            [Choice(SKIP, label_key="reporting.skip", words_key="words.skip")] if skippable(turn, f) else []
        )
        if f.kind == "choice":
            choices = [
                Choice(c.key, label=c.label_th if turn.language == "th" else c.label_en) for c in f.choices
            ]
            return Question(turn.t("reporting.ask_choice", label=label), [*choices, *skip])
        units = " / ".join(turn.t(f"unit.{unit}") for unit in f.units)
        optional = turn.t("reporting.optional") if skip else ""
        return Question(turn.t("reporting.ask_quantity", label=label, units=units, optional=optional), skip)

    def keep(turn: Turn, value: object) -> Outcome:
        inputs = turn.answers.setdefault("inputs", {})
        inputs[name] = value
        if name in turn.answers.setdefault("skipped", []):
            turn.answers["skipped"].remove(name)
        return advance(turn)

    def on_choice(turn: Turn, value: str) -> Outcome:
        f = field(turn)
        if value == SKIP and skippable(turn, f):
            turn.answers.setdefault("inputs", {}).pop(name, None)
            if name not in turn.answers.setdefault("skipped", []):
                turn.answers["skipped"].append(name)
            return advance(turn)
        if f.kind == "choice" and f.choice(value) is not None:
            return keep(turn, value)
        if f.kind == "quantity" and value.startswith("q:"):  # a figure said back and confirmed
            _, amount, unit = value.split(":", 2)
            return keep(turn, {"value": amount, "unit": unit})
        return Outcome.again(turn.t("conv.choose_button"))

    def on_text(turn: Turn, text: str) -> Outcome:
        f = field(turn)
        if f.kind == "choice":
            return Outcome.again(turn.t("conv.choose_button"))
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
        value = turn.answers.get("inputs", {}).get(name)
        if value is None:
            return None
        return answer_text(activity(turn).field(name), value, turn.language)

    return Step(
        ask=ask, help_key="reporting.help_field", on_choice=on_choice, on_text=on_text, describe=describe
    )


def answer_text(field: calc.Field, value: object, language: str) -> str:
    if isinstance(value, str):
        choice = field.choice(value)
        return (choice.label_th if language == "th" else choice.label_en) if choice else value
    return quantity_text(value, language)  # type: ignore[arg-type]


# --- a pick loop (recycling's materials) --------------------------------------------------------
def pick_step(kind_key: str, index: int) -> Step:
    def group(turn: Turn) -> tuple[str, ...]:
        return calc.activity_type(kind_key).one_of[index]

    def ask(turn: Turn) -> Question:
        kind, inputs = calc.activity_type(kind_key), turn.answers.get("inputs", {})
        given = [f"{field_label(kind.field(n), turn.language)} {quantity_text(inputs[n], turn.language)}"
                 for n in group(turn) if n in inputs]  # fmt: skip
        choices = [Choice(n, label=field_label(kind.field(n), turn.language)) for n in group(turn)]
        if given:
            text = turn.t("reporting.pick_more", given="\n".join(f"• {g}" for g in given))
            return Question(
                text, [Choice(DONE, label_key="reporting.done", words_key="words.confirm"), *choices]
            )
        return Question(turn.t("reporting.pick_first"), choices)

    def on_choice(turn: Turn, value: str) -> Outcome:
        inputs = turn.answers.get("inputs", {})
        if value == DONE and any(n in inputs for n in group(turn)):
            turn.answers.setdefault("groups_done", []).append(index)
            return advance(turn)
        if value in group(turn):
            return Outcome.go(f"report:field:{value}")
        return Outcome.again(turn.t("conv.choose_button"))

    return Step(ask=ask, help_key="reporting.help_pick", on_choice=on_choice)


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
        return advance(turn, turn.t("reporting.outside_campaign"))
    return advance(turn)


def period_step() -> Step:
    def on_choice(turn: Turn, value: str) -> Outcome:
        return keep_period(turn, turn.t(f"reporting.{value}"))

    def describe(turn: Turn) -> str | None:
        period = turn.answers.get("period")
        return period_text(period, turn.language) if period else None

    return Step(ask=ask_period, help_key="reporting.help_period", on_choice=on_choice, on_text=keep_period,
                describe=describe)  # fmt: skip


# --- photos -------------------------------------------------------------------------------------
def limits(turn: Turn) -> tuple[int, int]:
    return photo_limits(active_campaign(turn.session, turn.now))


def ask_photos(turn: Turn) -> Question:
    count, (least, most) = len(turn.answers.get("photos", [])), limits(turn)
    if count == 0:
        if least > 1:
            return Question(turn.t("reporting.ask_photos_range", least=least, most=most))
        return Question(turn.t("reporting.ask_photos", most=most))
    if count < least:  # no "done" yet: the campaign asks for more
        return Question(turn.t("reporting.photos_more", count=count, more=least - count, most=most))
    done = Choice(DONE, label_key="reporting.done", words_key="words.confirm")
    return Question(turn.t("reporting.photos_so_far", count=count, most=most), [done])


def photo_received(turn: Turn, incoming: Incoming) -> Outcome:
    # handlers.media_steps reads the flows (which step takes photos): imported here, not at the top.
    from handlers.media_steps import received_text, reuse_note
    from handlers.media_steps import refusal_text as photo_refusal_text

    photo = turn.photo
    if photo is None or photo.kind == "removed":
        return Outcome.again(turn.t("reporting.photo_not_kept"))
    if photo.kind == "refused":
        return Outcome.again(photo_refusal_text(photo.refusal or "unreadable", turn.language))
    photos = turn.answers.setdefault("photos", [])
    if photo.photo_id in photos:
        return Outcome.again()
    most = limits(turn)[1]
    if len(photos) >= most:
        return Outcome.again(turn.t("reporting.photos_full", most=most))
    photos.append(photo.photo_id)
    say = [received_text(photo, turn.language)]
    if photo.reused is not None:
        turn.answers["dup"] = True
        say.append(reuse_note(turn.language))
    return Outcome.again(*say)


def photos_choice(turn: Turn, value: str) -> Outcome:
    if value != DONE:
        return Outcome.again(turn.t("conv.choose_button"))
    count, least = len(turn.answers.get("photos", [])), limits(turn)[0]
    if count == 0:
        return Outcome.again(turn.t("reporting.photos_needed", least=least))
    if count < least:
        return Outcome.again()  # the question says how many more
    turn.answers["photos_done"] = True
    return advance(turn)


def photos_text(turn: Turn, text: str) -> Outcome:
    """Typed words at the photo question: "done" (even before the button shows), or a reminder."""
    if match_choice(text, [Choice(DONE, label_key="reporting.done", words_key="words.confirm")]):
        return photos_choice(turn, DONE)
    return Outcome.again(turn.t("conv.expect.image"))


# --- place --------------------------------------------------------------------------------------
def ask_place(turn: Turn) -> Question:
    skip = Choice(SKIP, label_key="reporting.skip", words_key="words.skip")
    return Question(turn.t("reporting.ask_place"), [skip], location_key="reporting.share_place")


def place_received(turn: Turn, incoming: Incoming) -> Outcome:
    turn.answers["place"] = {"lat": incoming.latitude, "lon": incoming.longitude, "address": incoming.address}
    turn.answers["place_done"] = True
    return advance(turn)


def place_choice(turn: Turn, value: str) -> Outcome:
    if value != SKIP:
        return Outcome.again(turn.t("conv.choose_button"))
    turn.answers["place"], turn.answers["place_done"] = None, True
    return advance(turn)


# --- summary, change, confirm -------------------------------------------------------------------
def draft_of(turn: Turn) -> Draft:
    period = turn.answers["period"]
    return Draft(
        submit_key=turn.answers["key"],
        activity_key=turn.answers["activity"],
        inputs=turn.answers.get("inputs", {}),
        start=date.fromisoformat(period["start"]),
        end=date.fromisoformat(period["end"]),
        photo_ids=tuple(turn.answers.get("photos", [])),
        duplicate_photo=bool(turn.answers.get("dup")),
        place=turn.answers.get("place"),
    )


def ask_summary(turn: Turn) -> Question:
    draft = draft_of(turn)
    card, alt = summary_card(turn, draft)
    choices = [
        Choice(CONFIRM, label_key="reporting.confirm", words_key="words.confirm"),
        Choice(CHANGE, label_key="reporting.change"),
    ]
    return Question(alt, choices, flex=card, alt_text=alt)


def summary_choice(turn: Turn, value: str) -> Outcome:
    if value == CHANGE:
        return Outcome.go("report:change")
    if value != CONFIRM:
        return Outcome.again(turn.t("conv.choose_button"))
    draft = draft_of(turn)
    try:
        if turn.answers.get("report_id"):
            report = resubmit_report(turn.session, turn.line_user_id, turn.answers["report_id"], draft.inputs,
                                     draft.start, draft.end, turn.now)  # fmt: skip
        else:
            report, _ = submit_report(turn.session, turn.line_user_id, draft, turn.now)
    except Refused as refusal:
        return Outcome.end(refusal_text(turn, refusal))
    if report.kg_co2e is None:
        return Outcome.end(turn.t("reporting.stored_needs_factor", ref=reference(report)))
    shown = format_number(Decimal(report.kg_co2e), max_decimals=2)
    return Outcome.end(turn.t("reporting.stored", ref=reference(report), kg=shown))


def ask_change(turn: Turn) -> Question:
    kind, inputs = activity(turn), turn.answers.get("inputs", {})
    choices = [Choice(f.name, label=field_label(f, turn.language)) for f in kind.fields
               if f.name in inputs or skippable(turn, f) or f.required]  # fmt: skip
    if not turn.answers.get("report_id"):
        choices += [
            Choice("photos", label_key="reporting.photos_label"),
            Choice("place", label_key="reporting.place_label"),
        ]
    return Question(
        turn.t("reporting.ask_change"), [Choice("period", label_key="reporting.period_label"), *choices]
    )


def change_choice(turn: Turn, value: str) -> Outcome:
    names = {c.value for c in ask_change(turn).choices}
    if value not in names:
        return Outcome.again(turn.t("conv.choose_button"))
    turn.answers["changing"] = value
    if value == "photos":
        turn.answers["photos_done"] = False
    return Outcome.go(state_for(turn, value))


def _steps() -> dict[str, Step]:
    steps: dict[str, Step] = {
        "report:type": Step(ask=ask_type, help_key="reporting.help_type", on_choice=choose_type),
        "report:period": period_step(),
        "report:photos": Step(
            ask=ask_photos,
            help_key="reporting.help_photos",
            on_choice=photos_choice,
            on_text=photos_text,
            on_media=photo_received,
            accepts=frozenset({"text", "postback", "image"}),
        ),
        "report:place": Step(
            ask=ask_place,
            help_key="reporting.help_place",
            on_choice=place_choice,
            on_media=place_received,
            accepts=frozenset({"text", "postback", "location"}),
        ),
        "report:summary": Step(ask=ask_summary, help_key="reporting.help_summary", on_choice=summary_choice),
        "report:change": Step(ask=ask_change, help_key="reporting.help_summary", on_choice=change_choice),
    }
    for kind in calc.activity_types():
        for field in kind.fields:
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

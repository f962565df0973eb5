"""Leaving one's agency (ออกจากหน่วยงาน), after a confirmation; the last coordinator of an approved
agency is refused by handlers.services.agencies.leave_agency."""

from __future__ import annotations

from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn
from handlers.services.agencies import leave_agency
from handlers.services.authz import current_membership

CHOICES = (
    Choice("yes", label_key="leave.yes", words_key="words.yes"),
    Choice("no", label_key="leave.no", words_key="words.no"),
)


def on_enter(turn: Turn) -> Outcome:
    if current_membership(turn.session, turn.line_user_id) is None:
        return Outcome.end(turn.t("agency.refused.not_registered"))
    return Outcome.go("leave:confirm")


def ask(turn: Turn) -> Question:
    membership = current_membership(turn.session, turn.line_user_id)
    name = membership[1].name if membership else "-"
    return Question(turn.t("leave.ask", agency=name), CHOICES)


def on_choice(turn: Turn, value: str) -> Outcome:
    if value == "no":
        return Outcome.end(turn.t("leave.kept"))
    agency = leave_agency(turn.session, turn.line_user_id, turn.now)
    return Outcome.end(turn.t("leave.done", agency=agency.name))


FLOW = Flow(
    name="leave",
    title_key="leave.title",
    words_key="leave.words",
    start="leave:confirm",
    in_menu=False,
    on_enter=on_enter,
    steps={"leave:confirm": Step(ask, "leave.help", on_choice=on_choice)},
)

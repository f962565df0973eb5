"""Joining an agency with an invitation code (ใส่รหัสเชิญ): type the code, see the agency's name,
confirm, give name, position and mobile, and become its coordinator.

The code is checked by handlers.services.invitations at each step (a code may expire or be revoked while the
person is answering); unknown, expired, revoked and used-up codes are each refused with their own
sentence, keeping the person at the code question.
"""

from __future__ import annotations

from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn, refusal_text
from handlers.chat.flows.common import person_steps
from handlers.services.agencies import Person
from handlers.services.authz import current_membership
from handlers.services.invitations import (
    accept_invitation,
    check_invitation,
    fold_code,
    invitation_agency_name,
)
from handlers.services.refusals import InvitationRefused

START = "join:code"


def on_enter(turn: Turn) -> Outcome:
    membership = current_membership(turn.session, turn.line_user_id)
    if membership is not None and membership[1].status != "rejected":
        return Outcome.end(turn.t("agency.refused.already_member"))
    return Outcome.go(START)


def on_code(turn: Turn, text: str) -> Outcome:
    try:
        invitation = check_invitation(turn.session, text, turn.now)
    except InvitationRefused as refusal:
        return Outcome.again(refusal_text(refusal, turn.language))
    turn.answers["code"] = fold_code(text)
    turn.answers["agency_name"] = invitation_agency_name(turn.session, invitation)
    return Outcome.go("join:confirm")


CONFIRM = (
    Choice("yes", label_key="join.confirm_yes", words_key="words.yes"),
    Choice("no", label_key="join.confirm_no", words_key="words.no"),
)


def ask_confirm(turn: Turn) -> Question:
    return Question(turn.t("join.ask_confirm", agency=turn.answers.get("agency_name", "-")), CONFIRM)


def on_confirm(turn: Turn, value: str) -> Outcome:
    if value == "no":
        return Outcome.end(turn.t("join.not_joined"))
    return Outcome.go("join:person_name")


def finish(turn: Turn) -> Outcome:
    a = turn.answers
    person = Person(a["person_name"], a["position"], a["phone"])
    agency = accept_invitation(turn.session, turn.line_user_id, a["code"], person, turn.now)
    return Outcome.end(turn.t("join.done", agency=agency.name))


FLOW = Flow(
    name="join",
    title_key="join.title",
    words_key="join.words",
    start=START,
    on_enter=on_enter,
    steps={
        START: Step(lambda turn: Question(turn.t("join.ask_code")), "join.help_code", on_text=on_code),
        "join:confirm": Step(ask_confirm, "join.help_confirm", on_choice=on_confirm),
        **person_steps("join", act=finish),
    },
    menu_roles=("subscriber",),
)

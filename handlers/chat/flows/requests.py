"""Answering requests to join (คำขอเข้าร่วม): an approved coordinator sees the pending requests for
their own agency, one at a time, and accepts or declines each (handlers.services.agencies.decide_join_request,
which checks the decider again). The requests are read from the database for the coordinator's
agency; a button only says "accept" or "decline" for the request the conversation is showing."""

from __future__ import annotations

from sqlalchemy import select

from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn
from handlers.services.agencies import decide_join_request
from handlers.services.authz import require_coordinator
from storage.models.program import JoinRequest

STATE = "requests:decide"
CHOICES = (
    Choice("accept", label_key="requests.accept", words_key="requests.accept_words"),
    Choice("decline", label_key="requests.decline", words_key="requests.decline_words"),
    Choice("later", label_key="requests.later"),
)


def pending_ids(turn: Turn) -> list[int]:
    agency = require_coordinator(turn.session, turn.line_user_id)
    query = (
        select(JoinRequest.id)
        .where(JoinRequest.agency_id == agency.id, JoinRequest.status == "pending")
        .order_by(JoinRequest.id)
    )
    return list(turn.session.scalars(query))


def on_enter(turn: Turn) -> Outcome:
    ids = pending_ids(turn)
    if not ids:
        return Outcome.end(turn.t("requests.none"))
    turn.answers["request_id"] = ids[0]
    return Outcome.go(STATE)


def ask(turn: Turn) -> Question:
    request = turn.session.get(JoinRequest, turn.answers.get("request_id"))
    name = (request.name if request else None) or "-"
    position = (request.position if request else None) or "-"
    return Question(turn.t("requests.ask", name=name, position=position), CHOICES)


def on_choice(turn: Turn, value: str) -> Outcome:
    if value == "later":
        return Outcome.end(turn.t("requests.later_done"))
    decide_join_request(
        turn.session, turn.answers["request_id"], value == "accept", f"line:{turn.line_user_id}", turn.now
    )
    remaining = pending_ids(turn)
    said = turn.t(f"requests.{value}ed")
    if not remaining:
        return Outcome.end(said)
    turn.answers["request_id"] = remaining[0]
    return Outcome.again(said)


FLOW = Flow(
    name="requests",
    title_key="requests.title",
    words_key="requests.words",
    start=STATE,
    in_menu=False,
    on_enter=on_enter,
    steps={STATE: Step(ask, "requests.help", on_choice=on_choice)},
)

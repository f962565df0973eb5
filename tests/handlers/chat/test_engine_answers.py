"""The engine's own answers to a step: a choice that is none of the question's, a refusal the step
raises, and a question whose stated choices spare rendering it to check an answer."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.engine import Choice, Engine, Flow, Incoming, Outcome, Question, Step, Turn, refusal_text
from handlers.services.refusals import NotAllowed
from storage.repositories import ConversationRepository

USER = "U" + "e" * 32
CHOICES = (Choice("a", label="Alpha"), Choice("b", label="Beta"))
asked: list[str] = []


def ask(turn: Turn) -> Question:
    asked.append(turn.line_user_id)
    return Question("Alpha or Beta?", CHOICES)


def on_choice(turn: Turn, value: str) -> Outcome:
    if value == "b":
        raise NotAllowed("not_coordinator")
    return Outcome.end(f"took {value}")


def on_text(turn: Turn, text: str) -> Outcome | None:
    return Outcome.again("a number") if text.isdigit() else None


TOY = Flow(
    name="toy",
    title_key="prefs.title",
    words_key="prefs.words",
    start="toy:pick",
    steps={
        "toy:pick": Step(
            ask, "prefs.help_which", on_choice=on_choice, on_text=on_text, choices=lambda turn: CHOICES
        )
    },
)


def send(app, incoming: Incoming) -> list[str]:
    with runtime(app).session_factory.begin() as session:
        messages = Engine([TOY]).handle(session, USER, "th", datetime.now(UTC), incoming)
    return [message.text for message in messages]


def tap(app, value: str) -> list[str]:
    with runtime(app).session_factory() as session:
        conversation = ConversationRepository(session).lock(USER, datetime.now(UTC), "unused")
        data = {"c": conversation.conversation_id, "s": conversation.state, "v": value}
    return send(app, Incoming("postback", data=data))


def flow_now(app) -> str | None:
    with runtime(app).session_factory() as session:
        return ConversationRepository(session).lock(USER, datetime.now(UTC), "unused").flow


def start(app) -> None:
    send(app, Incoming("text", text="ตั้งค่า"))
    assert flow_now(app) == "toy"


def test_a_tapped_value_that_is_none_of_the_choices_is_answered_by_the_engine(app):
    start(app)
    said = tap(app, "c")
    assert said[0].startswith(t("conv.choose_button", "th"))
    assert "Alpha or Beta?" in said[-1]
    assert flow_now(app) == "toy"


def test_text_the_step_finds_no_choice_in_asks_for_a_button(app):
    start(app)
    assert send(app, Incoming("text", text="Gamma"))[0].startswith(t("conv.choose_button", "th"))
    assert send(app, Incoming("text", text="42"))[0].startswith("a number")
    assert send(app, Incoming("text", text="alpha"))[0].startswith("took a")


def test_a_refusal_the_step_raises_ends_the_flow_with_its_sentence(app):
    start(app)
    said = tap(app, "b")
    assert said[0].startswith(refusal_text(NotAllowed("not_coordinator"), "th"))
    assert flow_now(app) is None


def test_stated_choices_check_a_tap_without_rendering_the_question(app):
    start(app)
    before = len(asked)
    assert tap(app, "a")[0].startswith("took a")
    assert len(asked) == before

"""Public consent (การเผยแพร่ต่อสาธารณะ): a coordinator of an approved agency chooses whether the
agency may be named publicly and whether its activity photos may be shown (the results page, the
exhibition board, open data). The coordinator sees what is saved, picks one of the two, answers
yes or no, hears the choice said back and keeps it (handlers.services.public_consent); nothing is
saved before that. Started by its words, from the "my agency" card's button or from settings."""

from __future__ import annotations

from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn
from handlers.services.public_consent import CHOICES, PublicConsent, public_consent, set_public_consent

PICK, CONFIRM = "publicity:pick", "publicity:confirm"
WHICH = tuple(
    Choice(name, label_key=f"publicity.which_{name}", words_key=f"publicity.which_{name}_words")
    for name in CHOICES
)
KEEP = (
    Choice("keep", label_key="publicity.keep", words_key="words.confirm"),
    Choice("change", label_key="publicity.change", words_key="publicity.change_words"),
)
CHOSEN, ALLOWED = "publicity_choice", "publicity_allowed"


def _consent(turn: Turn) -> PublicConsent:
    return public_consent(turn.session, turn.line_user_id)


def state_text(turn: Turn, choice: str, allowed: bool) -> str:
    """ "shown publicly" / "not shown" for one choice, in words."""
    return turn.t(f"publicity.{choice}_{'yes' if allowed else 'no'}")


def summary(turn: Turn) -> str:
    """The two saved choices, one line each (also shown in settings)."""
    consent = _consent(turn)
    return turn.t(
        "publicity.saved_lines",
        name=state_text(turn, "name", consent.name),
        photos=state_text(turn, "photos", consent.photos),
    )


def on_enter(turn: Turn) -> Outcome:
    _consent(turn)  # a non-coordinator is refused here with the usual sentence
    return Outcome.go(PICK)


def ask_which(turn: Turn) -> Question:
    consent = _consent(turn)
    return Question(turn.t("publicity.ask_which", agency=consent.agency_name, saved=summary(turn)), WHICH)


def on_which(turn: Turn, value: str) -> Outcome:
    return Outcome.go(f"publicity:{value}")


def ask_choice(choice: str):
    def ask(turn: Turn) -> Question:
        consent = _consent(turn)
        allowed = getattr(consent, choice)
        choices = [
            Choice("yes", label_key=f"publicity.{choice}_yes_button", words_key="words.yes"),
            Choice("no", label_key=f"publicity.{choice}_no_button", words_key="words.no"),
        ]
        now = turn.t("publicity.now", value=state_text(turn, choice, allowed))
        text = turn.t(f"publicity.ask_{choice}", agency=consent.agency_name)
        return Question(f"{now}\n{text}", choices if allowed else choices[::-1])

    return ask


def on_choice(choice: str):
    def chosen(turn: Turn, value: str) -> Outcome:
        turn.answers[CHOSEN], turn.answers[ALLOWED] = choice, value == "yes"
        return Outcome.go(CONFIRM)

    return chosen


def ask_confirm(turn: Turn) -> Question:
    choice, allowed = turn.answers[CHOSEN], turn.answers[ALLOWED]
    what = turn.t(f"publicity.which_{choice}")
    meaning = turn.t(
        f"publicity.{choice}_{'yes' if allowed else 'no'}_means", agency=_consent(turn).agency_name
    )
    return Question(
        turn.t("publicity.ask_confirm", what=what, value=state_text(turn, choice, allowed), meaning=meaning),
        KEEP,
    )


def on_confirm(turn: Turn, value: str) -> Outcome:
    choice = turn.answers[CHOSEN]
    if value == "change":
        return Outcome.go(f"publicity:{choice}")
    consent = set_public_consent(turn.session, turn.line_user_id, choice, turn.answers[ALLOWED], turn.now)
    allowed = getattr(consent, choice)
    saved = turn.t(
        "publicity.saved",
        what=turn.t(f"publicity.which_{choice}"),
        value=state_text(turn, choice, allowed),
    )
    return Outcome.end(saved, turn.t("publicity.when_shown"))


def steps() -> dict[str, Step]:
    """The questions, also taken into settings (a coordinator's settings list them)."""
    return {
        PICK: Step(ask_which, "publicity.help_which", on_choice=on_which),
        **{
            f"publicity:{choice}": Step(
                ask_choice(choice), f"publicity.help_{choice}", on_choice=on_choice(choice)
            )
            for choice in CHOICES
        },
        CONFIRM: Step(ask_confirm, "publicity.help_confirm", on_choice=on_confirm),
    }


FLOW = Flow(
    name="publicity",
    title_key="publicity.title",
    words_key="publicity.words",
    start=PICK,
    in_menu=False,
    on_enter=on_enter,
    steps=steps(),
)

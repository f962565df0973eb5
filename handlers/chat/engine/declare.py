"""What flows declare: a `Flow` names its entry words, its first state and its steps; a `Step`
asks one `Question` (text + `Choice` buttons) and handles an answer, returning an `Outcome`
(next state + what to say); a `Turn` is what a step may use."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from handlers.catalog import LANGUAGES, default_catalog, t
from handlers.chat.engine.incoming import Incoming
from handlers.chat.engine.matching import loose
from handlers.services.thaitime import BANGKOK


@dataclass(frozen=True)
class Choice:
    """A button. `label_key` is a catalog key; `label` a literal from data (a province name);
    `words_key` a catalog word list of other things people type for it ("ได้", "ok" for yes)."""

    value: str
    label_key: str | None = None
    label: str | None = None
    words_key: str | None = None
    # Other literal names for it: the long form of a short label, the label in the other language.
    also: tuple[str, ...] = ()

    def text(self, language: str) -> str:
        return t(self.label_key, language) if self.label_key else (self.label or self.value)

    def names(self) -> set[str]:
        """Everything a typed answer may say to mean this button (in either language, loosely folded)."""
        names = {loose(self.value), loose(self.label or "")}
        if self.label_key:
            names |= {loose(t(self.label_key, language)) for language in LANGUAGES}
        if self.words_key:
            names |= {loose(word) for word in default_catalog().words(self.words_key)}
        names |= {loose(name) for name in self.also}
        return names - {""}


@dataclass(frozen=True)
class Question:
    """What a step asks. `flex` (a Flex container as a dict, with `alt_text` for notifications)
    is shown instead of `text` when given (a summary card): the engine still adds the buttons, as
    a quick reply on the card. `location_key` adds LINE's "share my location" button, labelled
    with that catalog key."""

    text: str
    choices: Sequence[Choice] = ()
    flex: Mapping[str, Any] | None = None
    alt_text: str = ""
    location_key: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a step decided: go to `next` (None ends the flow) or stay and ask again (`retry`).

    `confirm` (with `retry`) asks "did you mean …?" first: yes hands the value to the step's
    `on_choice`, no asks the question again. `language` switches the rest of the flow's language.
    """

    next: str | None
    say: tuple[str, ...] = ()
    retry: bool = False
    confirm: str | None = None
    language: str | None = None
    # Runs after the engine has written the conversation (erasing a person deletes that very row).
    after: Callable[[], object] | None = None
    # A Flex card shown after the texts when the flow ends here: (contents, alt text).
    card: tuple[Mapping[str, Any], str] | None = None

    @classmethod
    def go(cls, state: str, *say: str, language: str | None = None) -> Outcome:
        return cls(state, say, language=language)

    @classmethod
    def again(cls, *say: str) -> Outcome:
        return cls(None, say, retry=True)

    @classmethod
    def end(
        cls,
        *say: str,
        after: Callable[[], object] | None = None,
        card: tuple[Mapping[str, Any], str] | None = None,
    ) -> Outcome:
        return cls(None, say, after=after, card=card)

    @classmethod
    def check(cls, value: str, question: str) -> Outcome:
        """Say `question` (e.g. "จังหวัดเชียงใหม่ ใช่ไหมคะ") with yes/no before keeping `value`."""
        return cls(None, (question,), retry=True, confirm=value)


@dataclass
class Turn:
    """What a step may use: the user's language, the answers so far, the time, the session."""

    session: Session
    line_user_id: str
    language: str
    now: datetime
    answers: dict[str, Any]
    # Where links the bot sends (a data download) start; None when the operator set none.
    public_base_url: str | None = None
    # What the executor did with this event's photo (handlers.chat.received_photo.ReceivedPhoto), if any.
    photo: Any = None
    # Where photos live (storage.media.MediaStore), to delete them; None if not wired.
    media: Any = None
    # The conversation had gone idle and this input is one its question takes (a photo): the
    # step decides what to offer instead of the conversation being closed.
    after_break: bool = False

    def t(self, key: str, /, **params: object) -> str:
        return t(key, self.language, **params)

    @property
    def today(self) -> date:
        """Today in Thailand (people report by Thai calendar days)."""
        return self.now.astimezone(BANGKOK).date()


@dataclass(frozen=True)
class Step:
    """One question. `on_choice` gets a tapped (or typed) value among the step's choices (the
    engine answers any other itself), or one said back and confirmed; `on_text` free text. Either
    returns None for an answer that is none of the choices (the engine asks for a button), and a
    `Refused` either raises ends the flow with its sentence."""

    ask: Callable[[Turn], Question]
    help_key: str
    on_choice: Callable[[Turn, str], Outcome | None] | None = None
    on_text: Callable[[Turn, str], Outcome | None] | None = None
    # The choices an answer is checked against, stated apart from `ask` so that checking one does
    # not render the question; None: the buttons `ask` shows.
    choices: Callable[[Turn], Sequence[Choice]] | None = None
    # The earlier answer, shown when the user comes back to this question.
    describe: Callable[[Turn], str | None] = lambda turn: None
    accepts: frozenset[str] = frozenset({"text", "postback"})
    # Gets an accepted input that is neither text nor a button (an image, a location).
    on_media: Callable[[Turn, Incoming], Outcome] | None = None
    # False: typed text always goes to `on_text` (which may say the value back to confirm it),
    # even when it spells a button exactly (provinces: typed names are always confirmed).
    typed_choices: bool = True


@dataclass(frozen=True)
class Flow:
    name: str
    title_key: str  # catalog key: the flow's name on the menu
    words_key: str  # catalog key of the words that start it
    start: str
    steps: Mapping[str, Step]
    keeps_draft: bool = False
    # Runs when the flow starts (who may use it, a one-step action); its Outcome is applied as a
    # step's would be: go to a state, or end at once with what it says (a `Refused` too).
    on_enter: Callable[[Turn], Outcome] | None = None
    in_menu: bool = True
    # Who sees it on the menu (Engine's `role_of` names the person's role); None: everyone.
    # An approved coordinator is offered "report", never "register an agency" again.
    menu_roles: tuple[str, ...] | None = None

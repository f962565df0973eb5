"""Settings (ตั้งค่า): language, province, reminder lead time, news. The person sees what is saved,
picks the one thing to change, answers one question and hears it said back: saved at once.

Each question starts from the saved value (the saved province leads the province buttons, the
saved lead time leads the day buttons). The language changes only when a language is chosen and
saved; cancelling never switches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import geothai

from handlers.catalog import t
from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn
from handlers.chat.flows import publicity
from handlers.chat.flows.common import province_name, province_step, whole_number
from handlers.services.authz import approved_agency_of
from storage.models import LineUser
from storage.repositories import UserRepository

REMINDER_DAYS_MIN, REMINDER_DAYS_MAX, REMINDER_DAYS_EXAMPLE = 1, 30, 7
REMINDER_DAYS_OFFERED = (3, 7, 14)
PICK = "prefs:pick"

LANGUAGES = (
    Choice("th", label_key="prefs.language_th", words_key="prefs.language_th_words"),
    Choice("en", label_key="prefs.language_en", words_key="prefs.language_en_words"),
)
YES_NO = (
    Choice("yes", label_key="prefs.news_yes", words_key="words.yes"),
    Choice("no", label_key="prefs.news_no", words_key="words.no"),
)
SETTINGS = ("language", "province", "reminder", "news")
WHICH = tuple(
    Choice(name, label_key=f"prefs.which_{name}", words_key=f"prefs.which_{name}_words") for name in SETTINGS
)
PUBLICITY = Choice("publicity", label_key="publicity.title", words_key="publicity.words")


def _user(turn: Turn) -> LineUser:
    return UserRepository(turn.session).get_or_create(turn.line_user_id, turn.now)


# -- what is saved, in words ------------------------------------------------------------------------
def language_text(language: str, speaking: str) -> str:
    return t(f"prefs.language_{language}", speaking)


def reminder_text(days: int | None, speaking: str) -> str:
    return t("prefs.days", speaking, days=days) if days else t("prefs.reminder_default", speaking)


def news_text(news: bool, speaking: str) -> str:
    return t("prefs.news_yes" if news else "prefs.news_no", speaking)


def current_values(turn: Turn) -> dict[str, str]:
    user = _user(turn)
    return {
        "language": language_text(user.language, turn.language),
        "province": province_name(turn, user.province_code) or turn.t("prefs.not_set"),
        "reminder": reminder_text(user.reminder_days, turn.language),
        "news": news_text(bool(user.news_opt_in), turn.language),
    }


def saved(turn: Turn, setting: str, language: str | None = None) -> Outcome:
    """The flow ends saying back what was saved (in the language just chosen, for the language)."""
    speaking = language or turn.language
    user = _user(turn)
    values = {
        "language": language_text(user.language, speaking),
        "province": province_name(replace(turn, language=speaking), user.province_code) or "-",
        "reminder": reminder_text(user.reminder_days, speaking),
        "news": news_text(bool(user.news_opt_in), speaking),
    }
    text = t(
        "prefs.saved_one", speaking, setting=t(f"prefs.which_{setting}", speaking), value=values[setting]
    )
    return Outcome(None, (text,), language=language)


def with_current(ask: Callable[[Turn], Question], setting: str) -> Callable[[Turn], Question]:
    """A setting's question with "now: …" above it."""

    def asking(turn: Turn) -> Question:
        question = ask(turn)
        now = turn.t("prefs.current", value=current_values(turn)[setting])
        return replace(question, text=f"{now}\n{question.text}")

    return asking


# -- which setting --------------------------------------------------------------------------------
def ask_which(turn: Turn) -> Question:
    text = turn.t("prefs.ask_which", **current_values(turn))
    if approved_agency_of(turn.session, turn.line_user_id) is None:
        return Question(text, WHICH)
    # A coordinator also sets whether the agency is named and its photos shown publicly.
    agency = turn.t("publicity.in_settings", saved=publicity.summary(turn))
    return Question(f"{text}\n{agency}", (*WHICH, PUBLICITY))


def on_which(turn: Turn, value: str) -> Outcome:
    return Outcome.go(publicity.PICK if value == "publicity" else f"prefs:{value}")


# -- language -------------------------------------------------------------------------------------
def on_language(turn: Turn, value: str) -> Outcome:
    _user(turn).language = value
    return saved(turn, "language", language=value)


# -- province -------------------------------------------------------------------------------------
PROVINCE_OPTIONS = "province_code_options"


def _province_step() -> Step:
    """The shared province question, starting from the saved province and saving the choice."""
    base = province_step(
        answer="province_code", ask_key="prefs.ask_province", help_key="prefs.help_province", then=PICK
    )

    def ask(turn: Turn) -> Question:
        saved_code = _user(turn).province_code
        if saved_code and PROVINCE_OPTIONS not in turn.answers:
            others = [p.code for p in geothai.provinces() if p.code != saved_code]
            turn.answers[PROVINCE_OPTIONS] = [saved_code, *others]
        return base.ask(turn)

    def on_choice(turn: Turn, code: str) -> Outcome:
        outcome = base.on_choice(turn, code)
        if outcome.retry:
            return outcome
        _user(turn).province_code = turn.answers["province_code"]
        return saved(turn, "province")

    return replace(base, ask=with_current(ask, "province"), on_choice=on_choice)


# -- reminder lead time -----------------------------------------------------------------------------
def ask_reminder_days(turn: Turn) -> Question:
    own = _user(turn).reminder_days
    offered = [own, *(d for d in REMINDER_DAYS_OFFERED if d != own)] if own else list(REMINDER_DAYS_OFFERED)
    choices = [Choice(str(days), label=turn.t("prefs.days", days=days)) for days in offered]
    return Question(turn.t("prefs.ask_reminder_days", low=REMINDER_DAYS_MIN, high=REMINDER_DAYS_MAX), choices)


def on_reminder_days(turn: Turn, text: str) -> Outcome:
    days = whole_number(
        turn,
        text,
        unit="day",
        low=REMINDER_DAYS_MIN,
        high=REMINDER_DAYS_MAX,
        range_key="prefs.reminder_days_range",
        example=REMINDER_DAYS_EXAMPLE,
    )
    if isinstance(days, str):
        return Outcome.again(days)
    _user(turn).reminder_days = days
    return saved(turn, "reminder")


# -- news -----------------------------------------------------------------------------------------
def ask_news(turn: Turn) -> Question:
    choices = YES_NO if _user(turn).news_opt_in else tuple(reversed(YES_NO))
    return Question(turn.t("prefs.ask_news"), choices)


def on_news(turn: Turn, value: str) -> Outcome:
    _user(turn).news_opt_in = value == "yes"
    return saved(turn, "news")


FLOW = Flow(
    name="prefs",
    title_key="prefs.title",
    words_key="prefs.words",
    start=PICK,
    steps={
        PICK: Step(ask_which, "prefs.help_which", on_choice=on_which),
        "prefs:language": Step(
            with_current(lambda turn: Question(turn.t("prefs.ask_language"), LANGUAGES), "language"),
            "prefs.help_language",
            on_choice=on_language,
        ),
        "prefs:province": _province_step(),
        "prefs:reminder": Step(
            with_current(ask_reminder_days, "reminder"),
            "prefs.help_reminder_days",
            on_choice=on_reminder_days,
            on_text=on_reminder_days,
        ),
        "prefs:news": Step(with_current(ask_news, "news"), "prefs.help_news", on_choice=on_news),
        **publicity.steps(),
    },
)

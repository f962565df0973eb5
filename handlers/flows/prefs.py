"""Preferences: language, province, reminder lead time, news opt-in.

A small flow that exercises the whole engine (choices, 77 paged provinces, a typed number, a
confirmation, back/cancel/help, drafts) before the big flows land.
"""

from __future__ import annotations

from handlers.catalog import t
from handlers.engine import Choice, Flow, Outcome, Question, Step, Turn
from handlers.flows.common import province_name, province_step, whole_number
from storage.repositories import UserRepository

REMINDER_DAYS_MIN, REMINDER_DAYS_MAX, REMINDER_DAYS_EXAMPLE = 1, 30, 7

LANGUAGES = (
    Choice("th", label_key="prefs.language_th", words_key="prefs.language_th_words"),
    Choice("en", label_key="prefs.language_en", words_key="prefs.language_en_words"),
)
YES_NO = (
    Choice("yes", label_key="prefs.news_yes", words_key="words.yes"),
    Choice("no", label_key="prefs.news_no", words_key="words.no"),
)
CONFIRM = (Choice("save", label_key="prefs.save", words_key="words.confirm"),)


# -- language -----------------------------------------------------------------------------------
def ask_language(turn: Turn) -> Question:
    return Question(turn.t("prefs.ask_language"), LANGUAGES)


def on_language(turn: Turn, value: str) -> Outcome:
    if value not in ("th", "en"):
        return Outcome.again(turn.t("conv.choose_button"))
    turn.answers["language"] = value
    # The rest of this flow speaks the language just chosen.
    return Outcome.go("prefs:ask_province", language=value)


def describe_language(turn: Turn) -> str | None:
    value = turn.answers.get("language")
    return turn.t(f"prefs.language_{value}") if value else None


# -- province -----------------------------------------------------------------------------------
def describe_province(turn: Turn) -> str | None:
    return province_name(turn, turn.answers.get("province_code"))


# -- reminder lead time ---------------------------------------------------------------------------
def ask_reminder_days(turn: Turn) -> Question:
    return Question(
        turn.t("prefs.ask_reminder_days", low=REMINDER_DAYS_MIN, high=REMINDER_DAYS_MAX),
        (Choice("3", label="3"), Choice("7", label="7"), Choice("14", label="14")),
    )


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
    turn.answers["reminder_days"] = days
    return Outcome.go("prefs:ask_news")


def describe_reminder_days(turn: Turn) -> str | None:
    days = turn.answers.get("reminder_days")
    return turn.t("prefs.days", days=days) if days else None


# -- news ---------------------------------------------------------------------------------------
def ask_news(turn: Turn) -> Question:
    return Question(turn.t("prefs.ask_news"), YES_NO)


def on_news(turn: Turn, value: str) -> Outcome:
    if value not in ("yes", "no"):
        return Outcome.again(turn.t("conv.choose_button"))
    turn.answers["news"] = value == "yes"
    return Outcome.go("prefs:confirm")


def describe_news(turn: Turn) -> str | None:
    if "news" not in turn.answers:
        return None
    return turn.t("prefs.news_yes" if turn.answers["news"] else "prefs.news_no")


# -- confirm ------------------------------------------------------------------------------------
def ask_confirm(turn: Turn) -> Question:
    summary = turn.t(
        "prefs.summary",
        language=describe_language(turn) or "-",
        province=describe_province(turn) or "-",
        reminder=describe_reminder_days(turn) or "-",
        news=describe_news(turn) or "-",
    )
    return Question(summary, CONFIRM)


def on_confirm(turn: Turn, value: str) -> Outcome:
    if value != "save":
        return Outcome.again(turn.t("conv.choose_button"))
    user = UserRepository(turn.session).get_or_create(turn.line_user_id, turn.now)
    user.language = turn.answers["language"]
    user.province_code = turn.answers["province_code"]
    user.reminder_days = turn.answers["reminder_days"]
    user.news_opt_in = turn.answers["news"]
    # Thank the user in the language they just chose.
    return Outcome.end(t("prefs.saved", user.language))


FLOW = Flow(
    name="prefs",
    title_key="prefs.title",
    words_key="prefs.words",
    start="prefs:ask_language",
    keeps_draft=True,
    steps={
        "prefs:ask_language": Step(
            ask_language, "prefs.help_language", on_choice=on_language, describe=describe_language
        ),
        "prefs:ask_province": province_step(
            answer="province_code",
            ask_key="prefs.ask_province",
            help_key="prefs.help_province",
            then="prefs:ask_reminder_days",
        ),
        "prefs:ask_reminder_days": Step(
            ask_reminder_days,
            "prefs.help_reminder_days",
            on_choice=lambda turn, value: on_reminder_days(turn, value),
            on_text=on_reminder_days,
            describe=describe_reminder_days,
        ),
        "prefs:ask_news": Step(ask_news, "prefs.help_news", on_choice=on_news, describe=describe_news),
        "prefs:confirm": Step(ask_confirm, "prefs.help_confirm", on_choice=on_confirm),
    },
)

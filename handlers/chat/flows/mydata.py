"""Personal-data rights (PDPA) in the chat:

- "my data" (ข้อมูลของฉัน): what is held about the person, and download links (JSON, CSV) that
  work for 24 hours (handlers.services.people);
- "delete my data" (ลบข้อมูลของฉัน): a confirmation, then everything about the person is erased
  (after the engine has written this very conversation, which the erasure deletes);
- withdraw a consent in one step (ถอนความยินยอม), and stop news (หยุดรับข่าวสาร) in one word.
"""

from __future__ import annotations

from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn
from handlers.chat.flows.common import province_name
from handlers.parsing.phone import format_thai_mobile
from handlers.services.people import (
    create_data_export,
    erase_person,
    export_url,
    personal_data,
    withdraw_consent,
)


# -- my data ---------------------------------------------------------------------------------------
def held_lines(turn: Turn, data: dict) -> list[str]:
    """One line per thing held, in the person's language; never more than the person gave."""
    lines = [turn.t("mydata.line_id")]
    profile = data.get("profile")
    if profile:
        language = turn.t("prefs.language_en" if profile.get("language") == "en" else "prefs.language_th")
        lines.append(turn.t("mydata.line_language", language=language))
        if profile.get("province_code"):
            lines.append(
                turn.t("mydata.line_province", province=province_name(turn, profile["province_code"]))
            )
        news = "mydata.yes" if profile.get("news_opt_in") else "mydata.no"
        lines.append(turn.t("mydata.line_news", news=turn.t(news)))
    for row in data.get("coordinator_of", []):
        if row.get("status") == "active":
            phone = format_thai_mobile(row["phone"]) if row.get("phone") else "-"
            lines.append(
                turn.t(
                    "mydata.line_coordinator",
                    agency=row.get("agency") or "-",
                    name=row.get("name") or "-",
                    position=row.get("position") or "-",
                    phone=phone,
                )
            )
    for row in data.get("join_requests", []):
        if row.get("status") == "pending":
            lines.append(turn.t("mydata.line_join_request", agency=row.get("agency") or "-"))
    if data.get("drafts"):
        lines.append(turn.t("mydata.line_drafts", count=len(data["drafts"])))
    for section, key in (
        ("reports", "mydata.line_reports"),
        ("photos", "mydata.line_photos"),
        ("places", "mydata.line_places"),
        ("messages_from_you", "mydata.line_messages"),
        ("messages_to_you", "mydata.line_messages_to_you"),
    ):
        if data.get(section):
            lines.append(turn.t(key, count=len(data[section])))
    return lines


def on_enter_mydata(turn: Turn) -> Outcome:
    data = personal_data(turn.session, turn.line_user_id)
    text = turn.t("mydata.intro") + "\n" + "\n".join(f"• {line}" for line in held_lines(turn, data))
    if turn.public_base_url:  # set only when people can open it (bot.settings.Settings.links_base_url)
        token = create_data_export(turn.session, turn.line_user_id, turn.now)
        links = turn.t(
            "mydata.download",
            json=export_url(turn.public_base_url, token, "json"),
            csv=export_url(turn.public_base_url, token, "csv"),
        )
    else:
        links = turn.t("mydata.no_download")
    return Outcome.end(text, links, turn.t("mydata.rights"))


MYDATA = Flow(
    name="mydata",
    title_key="mydata.title",
    words_key="mydata.words",
    start="mydata:none",
    steps={},
    on_enter=on_enter_mydata,
)


# -- delete my data ------------------------------------------------------------------------------
ERASE_CHOICES = (
    Choice("erase", label_key="erase.yes", words_key="erase.yes_words"),
    Choice("keep", label_key="erase.no", words_key="words.no"),
)


def on_erase(turn: Turn, value: str) -> Outcome:
    if value == "keep":
        return Outcome.end(turn.t("erase.kept"))
    session, user, now, media = turn.session, turn.line_user_id, turn.now, turn.media
    return Outcome.end(
        turn.t("erase.done"), after=lambda: erase_person(session, user, now, actor="self", media=media)
    )


ERASE = Flow(
    name="erase",
    title_key="erase.title",
    words_key="erase.words",
    start="erase:confirm",
    in_menu=False,
    steps={
        "erase:confirm": Step(
            lambda turn: Question(turn.t("erase.ask"), ERASE_CHOICES), "erase.help", on_choice=on_erase
        )
    },
)


# -- consents ---------------------------------------------------------------------------------------
CONSENT_CHOICES = (
    Choice("news", label_key="consent.news"),
    Choice("public_name", label_key="consent.public_name"),
)


def on_consent(turn: Turn, value: str) -> Outcome:
    withdraw_consent(turn.session, turn.line_user_id, value, turn.now)
    return Outcome.end(turn.t(f"consent.done_{value}"))


CONSENT = Flow(
    name="consent",
    title_key="consent.title",
    words_key="consent.words",
    start="consent:which",
    in_menu=False,
    steps={
        "consent:which": Step(
            lambda turn: Question(turn.t("consent.ask"), CONSENT_CHOICES),
            "consent.help",
            on_choice=on_consent,
        )
    },
)


def on_enter_news_off(turn: Turn) -> Outcome:
    withdraw_consent(turn.session, turn.line_user_id, "news", turn.now)
    return Outcome.end(turn.t("consent.done_news"))


NEWS_OFF = Flow(
    name="news_off",
    title_key="consent.news_off_title",
    words_key="consent.news_off_words",
    start="news_off:none",
    steps={},
    in_menu=False,
    on_enter=on_enter_news_off,
)

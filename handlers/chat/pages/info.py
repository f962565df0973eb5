"""Rich-menu taps that need no conversation: information topics and tabs.

The rich menu (richmenus/menus.toml) sends `a=info&k=<topic>` for pages of information, answered
with the catalog text `info.<topic>` (except "review": live counts for staff, pages/review_queue.py;
"deadlines": the active campaign's, pages/deadlines.py; "results": its verified totals,
pages/results.py; "contact": its [contact], services/contact.py), and
`a=tab&p=<page>` when a tab is tapped: LINE has already switched the menu on the phone, so there
is nothing to say. Anything else goes to the engine. A conversation in progress is left as it
was: the next answer still continues it. Typing a topic's button label or a synonym
(`info.words.<topic>`, either language) counts as the tap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from linebot.v3.messaging import Message
from sqlalchemy.orm import Session

from handlers.catalog import default_catalog, label, t
from handlers.chat.engine import assemble, loose
from handlers.chat.pages import knowledge
from handlers.chat.pages.deadlines import deadlines_answer
from handlers.chat.pages.results import results_answer
from handlers.chat.pages.review_queue import review_answer
from handlers.parsing.periods import Period, format_period
from handlers.services.campaigns import active_campaign
from handlers.services.contact import contact_answer
from handlers.services.posts import campaign_post_dates
from storage.models.program import Campaign


def typed_topic(text: str) -> str | None:
    """The information topic these typed words ask for (a button's label or a synonym), if any:
    compared as a typed answer is with a button (`loose`), so "กำหนด ส่ง" and "กำหนดส่งค่ะ" count."""
    typed, catalog = loose(text), default_catalog()
    if not typed:
        return None
    for key in catalog.word_lists["th"]:
        if key.startswith("info.words.") and typed in {loose(word) for word in catalog.words(key)}:
            return key.removeprefix("info.words.")
    return None


def round_news(campaign: Campaign, language: str) -> str:
    """The "news" page with the active round's own phases and their months."""
    phases = "\n".join(
        t(
            "info.news_phase",
            language,
            when=format_period(Period(phase.starts_on, phase.ends_on, "month"), language),
            name=label(phase, language, field="name"),
        )
        for phase in campaign.phases
    )
    return t("info.news_round", language, campaign=label(campaign, language, field="name"), phases=phases)


def answer_menu_tap(
    data: Mapping[str, str], language: str, session: Session, line_user_id: str, now: datetime
) -> list[Message] | None:
    """The reply to a rich-menu postback (possibly none), or None when it is not one of these."""
    if "c" in data:  # a button of a conversation's question, never the rich menu's
        return None
    action = data.get("a")
    if action == "tab":
        return []
    if action == "info" and data.get("k") == "review":
        return assemble([review_answer(session, line_user_id, language)])
    if action == "info" and data.get("k") == "deadlines":
        return deadlines_answer(session, line_user_id, language, now)
    if action == "info" and data.get("k") == "news" and (campaign := active_campaign(session, now)):
        return assemble([round_news(campaign, language)])
    if action == "info" and data.get("k") == "results":
        return results_answer(session, language, now)
    if action == "info" and data.get("k") == "contact":
        return assemble([contact_answer(session, language, now)])
    if action == "info" and data.get("k") == "knowledge":
        return knowledge.answer(language, campaign_post_dates(session, now))
    if action == "info":
        key = f"info.{data.get('k', '')}"
        if default_catalog().has(key):
            return assemble([t(key, language)])
    return None

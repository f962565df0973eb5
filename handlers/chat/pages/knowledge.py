"""Knowledge posts in chat: "ความรู้" (or the postback a=info&k=knowledge, both routed by
handlers/chat/pages/info.py) answers with the latest posts as a Flex carousel; `post_message` renders one
post for the outbox (news sends)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from linebot.v3.messaging import FlexMessage, Message, TextMessage
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.content import Post, dated, latest
from handlers.services.campaign_posts import BANGKOK, CREATED_BY
from handlers.services.campaigns import active_campaign
from storage.models import ScheduledPost

MAX_BUBBLES = 10  # LINE allows 12 in a carousel; ten reads well on a phone
MAX_CAROUSEL_BYTES = 50_000  # LINE: a carousel's JSON must stay under 50 KB
MAX_ALT_TEXT = 400  # LINE: 1,500; a notification shows far less
ACCENT = "#1B7F3B"


def bubble(post: Post, language: str) -> dict:
    """One post as a Flex bubble (topic, title, body; the image on top when there is one)."""
    body = {
        "type": "box",
        "layout": "vertical",
        "spacing": "sm",
        "contents": [
            {
                "type": "text",
                "text": t(f"knowledge.topic.{post.topic}", language),
                "size": "xs",
                "color": ACCENT,
            },
            {"type": "text", "text": post.title[language], "weight": "bold", "size": "md", "wrap": True},
            {"type": "text", "text": post.body[language], "size": "sm", "wrap": True, "margin": "md"},
        ],
    }
    result: dict = {"type": "bubble", "size": "mega", "body": body}
    if post.image:
        result["hero"] = {
            "type": "image",
            "url": post.image,
            "size": "full",
            "aspectRatio": "20:13",
            "aspectMode": "cover",
        }
    return result


def _alt_text(title: str, language: str) -> str:
    text = t("knowledge.alt_text", language, title=title)
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "…"


def carousel(posts: list[Post], language: str) -> dict:
    """A Flex message dict with up to MAX_BUBBLES posts, the oldest dropped until it fits 50 KB."""
    bubbles = [bubble(post, language) for post in posts[:MAX_BUBBLES]]
    while True:
        message = {
            "type": "flex",
            "altText": _alt_text(posts[0].title[language], language),
            "contents": {"type": "carousel", "contents": bubbles},
        }
        if len(bubbles) == 1 or len(json.dumps(message, ensure_ascii=False).encode()) <= MAX_CAROUSEL_BYTES:
            return message
        bubbles.pop()


def post_message(post: Post, language: str) -> dict:
    """One post as a Flex message dict, for the outbox."""
    return {
        "type": "flex",
        "altText": _alt_text(post.title[language], language),
        "contents": bubble(post, language),
    }


def campaign_post_dates(session: Session, now: datetime) -> dict[str, date]:
    """When the active campaign's content calendar puts each post (its first moment, Bangkok
    date): the dates a post names follow the round (handlers.content.dated)."""
    campaign = active_campaign(session, now)
    if campaign is None:
        return {}
    rows = session.execute(
        select(ScheduledPost.post_key, ScheduledPost.scheduled_at)
        .where(ScheduledPost.created_by == CREATED_BY + campaign.slug)
        .order_by(ScheduledPost.scheduled_at.desc())
    )
    return {key: moment.astimezone(BANGKOK).date() for key, moment in rows}


def answer(language: str, dates: Mapping[str, date] | None = None) -> list[Message]:
    """The reply to "ความรู้": a short line and the latest knowledge posts, their dates from
    `dates` (campaign_post_dates)."""
    dates = dates or {}
    posts = [dated(post, dates.get(post.key)) for post in latest(limit=MAX_BUBBLES)]
    if not posts:
        return [TextMessage(text=t("knowledge.none", language))]
    return [
        TextMessage(text=t("knowledge.intro", language)),
        FlexMessage.from_dict(carousel(posts, language)),
    ]

"""Knowledge posts in chat: "ความรู้" (or the postback a=info&k=knowledge, both routed by
handlers/chat/pages/info.py) answers with the latest posts as a Flex carousel (each post's bubble is
handlers/services/posts.py's, as the outbox sends it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from linebot.v3.messaging import FlexMessage, Message, TextMessage

from handlers.catalog import t
from handlers.content import Post, dated, latest
from handlers.services.posts import alt_text, bubble

MAX_BUBBLES = 10  # LINE allows 12 in a carousel; ten reads well on a phone
MAX_CAROUSEL_BYTES = 50_000  # LINE: a carousel's JSON must stay under 50 KB


def carousel(posts: list[Post], language: str) -> dict:
    """A Flex message dict with up to MAX_BUBBLES posts, the oldest dropped until it fits 50 KB."""
    bubbles = [bubble(post, language) for post in posts[:MAX_BUBBLES]]
    while True:
        message = {
            "type": "flex",
            "altText": alt_text(posts[0].title[language], language),
            "contents": {"type": "carousel", "contents": bubbles},
        }
        if len(bubbles) == 1 or len(json.dumps(message, ensure_ascii=False).encode()) <= MAX_CAROUSEL_BYTES:
            return message
        bubbles.pop()


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

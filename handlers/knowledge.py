"""Knowledge posts in chat: "ความรู้" (or the postback a=info&k=knowledge, both routed by
handlers/info.py) answers with the latest posts as a Flex carousel; `post_message` renders one
post for the outbox (news sends)."""

from __future__ import annotations

import json

from linebot.v3.messaging import FlexMessage, Message, TextMessage

from handlers.catalog import t
from handlers.content import Post, latest

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


def answer(language: str) -> list[Message]:
    """The reply to "ความรู้": a short line and the latest knowledge posts."""
    posts = latest(limit=MAX_BUBBLES)
    if not posts:
        return [TextMessage(text=t("knowledge.none", language))]
    return [
        TextMessage(text=t("knowledge.intro", language)),
        FlexMessage.from_dict(carousel(posts, language)),
    ]

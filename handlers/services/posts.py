"""Posts as the outbox sends them: one post as a Flex message (`post_message`), and the dates the
active campaign's content calendar gives its posts (`campaign_post_dates`), which the dates a post
names follow (handlers.content.dated)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.content import Post
from handlers.services.campaigns import active_campaign
from handlers.services.thaitime import bangkok_date
from storage.models import ScheduledPost

MAX_ALT_TEXT = 400  # LINE: 1,500; a notification shows far less
ACCENT = "#1B7F3B"
CREATED_BY = "campaign:"  # scheduled posts of a campaign file: created_by "campaign:<slug>"


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
    if post.buttons:
        result["footer"] = {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": [
                {"type": "button", "style": "link", "height": "sm", "action": _action(button)}
                for button in post.buttons
            ],
        }
    if post.image:
        result["hero"] = {
            "type": "image",
            "url": post.image,
            "size": "full",
            "aspectRatio": "20:13",
            "aspectMode": "cover",
        }
    return result


def _action(button: dict[str, str]) -> dict:
    """A button's action: open its web address, or say its words in the chat."""
    if button.get("uri"):
        return {"type": "uri", "label": button["label"], "uri": button["uri"]}
    return {"type": "message", "label": button["label"], "text": button["text"]}


def alt_text(title: str, language: str) -> str:
    text = t("knowledge.alt_text", language, title=title)
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "…"


def post_message(post: Post, language: str) -> dict:
    """One post as a Flex message dict, for the outbox."""
    return {
        "type": "flex",
        "altText": alt_text(post.title[language], language),
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
    return {key: bangkok_date(moment) for key, moment in rows}

"""A results post for LINE subscribers, composed by staff: the campaign's verified total in words,
agencies against the target, the share card as its picture and a button to the results page. It
is kept as a written post (handlers.services.written_posts), so it is previewed, scheduled and
sent like any other.

The picture is the card as drawn now (the caller draws it: the drawing lives with the web's share
card), stored in the media store with the posts' images and sent at a signed HTTPS address; so
the words and the picture always show the same figures. Without a public HTTPS address LINE could
not open the picture or the link: composing is refused, never sent broken."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.catalog import LANGUAGES, t
from handlers.content import Post
from handlers.parsing import format_number
from handlers.services.public_results import PublicFigures
from handlers.services.thaitime import thai_date
from handlers.services.written_posts import IMAGE_PREFIX, IMAGE_URL_SECONDS, WrittenPostError, write_post
from storage.media import MediaStore


def results_words(figures: PublicFigures, now: datetime) -> tuple[dict[str, str], dict[str, str]]:
    """(title, body) in each language: the total and the agencies in words, as of today."""
    title = {language: t("staffweb_posts.results.post_title", language) for language in LANGUAGES}
    body = {
        language: t(
            "staffweb_posts.results.post_body",
            language,
            date=thai_date(now, language),
            agencies=format_number(figures.agencies),
            target=format_number(figures.target),
            tonnes=format_number(figures.total_kg / 1000, max_decimals=2),
            reports=format_number(figures.reports),
        )
        for language in LANGUAGES
    }
    return title, body


def write_results_post(
    session: Session,
    *,
    figures: PublicFigures | None,
    card_png: bytes,
    media: MediaStore | None,
    links_base_url: str | None,
    staff_member_id: int | None,
    now: datetime,
) -> Post:
    """Keep the results post (a written post, audited); raises WrittenPostError with the catalog
    key of the polite refusal: no open campaign, or no public HTTPS address for LINE to open."""
    if figures is None:
        raise WrittenPostError("staffweb_posts.results.error.no_campaign")
    if media is None or not links_base_url or not links_base_url.startswith("https://"):
        raise WrittenPostError("staffweb_posts.results.error.no_https")
    key = f"{IMAGE_PREFIX}results-{hashlib.sha256(card_png).hexdigest()[:20]}.png"
    if not media.signed_url(key, IMAGE_URL_SECONDS).startswith("https://"):
        raise WrittenPostError("staffweb_posts.results.error.no_https")
    if media.get(key) is None:
        media.put(key, card_png, "image/png")
    title, body = results_words(figures, now)
    button = {"label": t("staffweb_posts.results.button", "th"), "target": f"{links_base_url}/"}
    return write_post(
        session,
        kind="news",
        topic="results",
        title=title,
        body=body,
        buttons=[button],
        staff_member_id=staff_member_id,
        now=now,
        image_key=key,
    )

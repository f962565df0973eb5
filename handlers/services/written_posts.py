"""Posts staff write on the staff web: Thai (and English) words, an image and up to four buttons, checked
like a content file (handlers.content) and kept in `written_posts`. A written post's key is
`written-<id>`; scheduling and sending treat it as any content post (handlers.services.outreach)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.content import KINDS, MAX_BODY, MAX_TITLE, TOPICS, Post
from handlers.services.audit import audit
from storage.media import MediaStore
from storage.models import WrittenPost

PREFIX = "written-"
IMAGE_PREFIX = "posts/"  # media store keys of written posts' images
IMAGE_URL_SECONDS = 7 * 24 * 3600  # LINE fetches a post's image when the chat is opened
MAX_BUTTONS = 4
MAX_LABEL = 20  # LINE shows about this much of a button's label
MAX_BUTTON_TEXT = 300
MAX_URI = 1000


class WrittenPostError(ValueError):
    """What is wrong with a post staff wrote: the catalog key of the problem (its message)."""


def _post(row: WrittenPost) -> Post:
    return Post(
        key=f"{PREFIX}{row.id}",
        kind=row.kind,
        topic=row.topic,
        phase="outreach",
        published=row.created_at.date(),
        image=None,
        title={"th": row.title_th, "en": row.title_en},
        body={"th": row.body_th, "en": row.body_en},
        buttons=tuple(json.loads(row.buttons or "[]")),
        image_key=row.image_key,
    )


def written_post(session: Session, key: str) -> Post | None:
    """The written post of this key (`written-<id>`), if there is one."""
    number = key.removeprefix(PREFIX)
    if not key.startswith(PREFIX) or not number.isdigit():
        return None
    row = session.get(WrittenPost, int(number))
    return _post(row) if row else None


def with_image(post: Post, media: MediaStore | None) -> Post:
    """The post with its stored image's signed address, when LINE can open it (HTTPS); a post
    without a stored image, or without a public address to sign, goes as it is."""
    if not post.image_key or media is None:
        return post
    url = media.signed_url(post.image_key, IMAGE_URL_SECONDS)
    return replace(post, image=url) if url.startswith("https://") else post


def written_posts(session: Session, limit: int = 50) -> list[Post]:
    """The newest written posts first."""
    rows = session.scalars(select(WrittenPost).order_by(WrittenPost.id.desc()).limit(limit))
    return [_post(row) for row in rows]


def check_buttons(buttons: list[dict[str, str]]) -> list[dict[str, str]]:
    """Buttons as the post keeps them: each a label with a https:// address or words to say;
    rows left empty are dropped. Raises WrittenPostError."""
    kept = []
    for button in buttons:
        label, target = button.get("label", "").strip(), button.get("target", "").strip()
        if not label and not target:
            continue
        if not label or not target or len(label) > MAX_LABEL:
            raise WrittenPostError("staffweb_posts.write.error.button")
        if target.startswith(("http://", "https://")):
            if not target.startswith("https://") or len(target) > MAX_URI or any(c.isspace() for c in target):
                raise WrittenPostError("staffweb_posts.write.error.uri")
            kept.append({"label": label, "uri": target})
        elif len(target) > MAX_BUTTON_TEXT:
            raise WrittenPostError("staffweb_posts.write.error.button")
        else:
            kept.append({"label": label, "text": target})
    if len(kept) > MAX_BUTTONS:
        raise WrittenPostError("staffweb_posts.write.error.button")
    return kept


def write_post(
    session: Session,
    *,
    kind: str,
    topic: str,
    title: dict[str, str],
    body: dict[str, str],
    buttons: list[dict[str, str]],
    staff_member_id: int | None,
    now: datetime,
    image_key: str | None = None,
) -> Post:
    """Keep a post staff wrote (English left empty: the Thai words for everyone); audited under
    `staff:<id>`, or `cli` without a staff member. Raises WrittenPostError."""
    if kind not in KINDS or topic not in TOPICS:
        raise WrittenPostError("staffweb_posts.write.error.kind")
    title_th, body_th = title.get("th", "").strip(), body.get("th", "").strip()
    title_en, body_en = title.get("en", "").strip() or title_th, body.get("en", "").strip() or body_th
    if not title_th or not body_th:
        raise WrittenPostError("staffweb_posts.write.error.missing")
    if max(len(title_th), len(title_en)) > MAX_TITLE or max(len(body_th), len(body_en)) > MAX_BODY:
        raise WrittenPostError("staffweb_posts.write.error.long")
    actor = f"staff:{staff_member_id}" if staff_member_id is not None else "cli"
    row = WrittenPost(
        kind=kind,
        topic=topic,
        title_th=title_th,
        body_th=body_th,
        title_en=title_en,
        body_en=body_en,
        buttons=json.dumps(check_buttons(buttons), ensure_ascii=False),
        image_key=image_key,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit(session, actor, "write_post", f"written_post:{row.id}", now)
    return _post(row)

"""`/staff/posts`: the posts staff can send, the calendar of scheduled posts, scheduling one,
and writing a new one.

Staff choose a post (a content file, or one written here: Thai, optional English, up to four
buttons), a segment and a Bangkok time (Buddhist-era year), see the post as LINE shows it (the
LINE simulator's Flex renderer, bot/simulator/static/flex.js, draws it; the page shows its words
without JavaScript) with how much of this month's quota it would use, then schedule it. The same
services as `ruamjai post schedule|cancel` do the work, and the clock's "posts" job sends it like
any other scheduled post.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from flask import Response, abort, current_app, g, redirect, request, url_for
from werkzeug.datastructures import FileStorage

from bot.line.gateway import LineApiError, Quota
from bot.line.outreach_delivery import QuotaExceeded, ensure_quota
from bot.runtime import runtime
from bot.web.public.share_card import card_words, draw_card, post_picture
from bot.web.staff.core import language, now, page, say, staff_blueprint, transaction
from handlers.catalog import t
from handlers.content import TOPICS, Post
from handlers.parsing.numbers import format_number
from handlers.services import public_results
from handlers.services.outreach import (
    OutreachError,
    audience_size,
    find_post,
    parse_bangkok_time,
    parse_segment,
)
from handlers.services.results_post import write_results_post
from handlers.services.staff_posts import (
    MESSAGES_PER_POST,
    CalendarRow,
    calendar,
    post_files,
    preview,
    segment_choices,
    staff_cancel_post,
    staff_schedule_post,
)
from handlers.services.staff_sessions import moment_words
from handlers.services.thaitime import BANGKOK, format_bangkok
from handlers.services.written_posts import IMAGE_PREFIX, MAX_BUTTONS, WrittenPostError, write_post
from handlers.services.written_posts import PREFIX as WRITTEN_PREFIX
from storage.photos import PhotoLimits, PhotoRefused, process_photo

FLEX_JS = Path(__file__).resolve().parents[2] / "simulator" / "static" / "flex.js"
NOTICES = ("scheduled", "cancelled", "not_cancelled")
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # LINE takes images up to 10 MB


def number(value: int) -> str:
    return format_number(value, max_decimals=0)


def default_time(moment: datetime) -> str:
    """Tomorrow at 09:00 Bangkok, as the form shows it ("2569-12-08 09:00")."""
    tomorrow = (moment.astimezone(BANGKOK) + timedelta(days=1)).replace(hour=9, minute=0)
    return format_bangkok(tomorrow)


@dataclass(frozen=True)
class Draft:
    """A checked choice of post, segment and time: ready to preview and schedule."""

    post: Post
    segment: str
    at: datetime
    at_text: str
    recipients: int


def check(post_key: str, segment: str, at_text: str, moment: datetime) -> Draft:
    """The form's choice checked as the service checks it; raises OutreachError whose message is
    the catalog key of the problem (the service's own words are for the CLI)."""
    try:
        parse_segment(segment)
    except OutreachError:
        raise OutreachError("staffweb_posts.error.segment") from None
    try:
        at = parse_bangkok_time(at_text)
    except OutreachError:
        raise OutreachError("staffweb_posts.error.time") from None
    with transaction() as session:
        try:
            post = find_post(post_key, session)
        except OutreachError:
            raise OutreachError("staffweb_posts.error.post") from None
        if at <= moment:
            raise OutreachError("staffweb_posts.error.time_past")
        try:
            size = audience_size(session, post_key, segment, moment)
        except OutreachError:
            raise OutreachError("staffweb_posts.error.unsuitable") from None
    return Draft(post, segment.strip(), at, format_bangkok(at), size)


def quota_words(draft: Draft) -> tuple[str, bool]:
    """How many messages the post uses against this month's quota, and whether it fits."""
    needed = draft.recipients * MESSAGES_PER_POST
    try:
        quota: Quota = runtime(current_app).gateway.quota()
    except LineApiError:
        return say("staffweb_posts.quota.unknown", needed=number(needed)), True
    if quota.remaining is None:
        return say("staffweb_posts.quota.unlimited", needed=number(needed), used=number(quota.used)), True
    return (
        say(
            "staffweb_posts.quota.of",
            needed=number(needed),
            remaining=number(quota.remaining),
            limit=number(quota.limit or 0),
        ),
        needed <= quota.remaining,
    )


def status_words(row: CalendarRow) -> str:
    words = say(f"staffweb_posts.status.{row.status}")
    if row.status == "queued":
        delivery = ", ".join(
            say("staffweb_posts.delivery", status=say(f"staffweb_posts.outbox.status.{status}"), count=count)
            for status, count in sorted(row.delivery.items())
        )
        recipients = say("staffweb_posts.recipients", count=number(row.recipients))
        words = f"{words} · {recipients}" + (f" ({delivery})" if delivery else "")
    return words


def render(
    status: int = 200,
    error: str = "",
    form: dict | None = None,
    draft: Draft | None = None,
    written: dict | None = None,
) -> Response:
    moment = now()
    lang = language()
    form = form or {}
    with transaction() as session:
        context: dict[str, object] = {
            "files": [
                {
                    "key": post.key,
                    "title": post.title[lang],
                    "kind": say(f"staffweb_posts.kind.{post.kind}"),
                    "written": post.key.startswith(WRITTEN_PREFIX),
                    "topic": t(f"knowledge.topic.{post.topic}", lang),
                }
                for post in post_files(session, moment)
            ],
            "segments": segment_choices(session, moment, lang),
            "calendar": [
                {
                    "id": row.id,
                    "when": moment_words(row.at, lang),
                    "title": row.title,
                    "segment": row.segment,
                    "status": row.status,
                    "status_words": status_words(row),
                    "note": row.note if row.status in ("refused", "missed") else "",
                    "by": say("staffweb_posts.by_staff" if row.by_staff else "staffweb_posts.by_other"),
                }
                for row in calendar(session, moment, lang)
            ],
        }
        if draft is not None:
            image = runtime(current_app).media
            signed = image.signed_url(draft.post.image_key, 3600) if image and draft.post.image_key else None
            filled, messages = preview(session, draft.post, moment, signed)
            context["previews"] = [
                {
                    "language": shown,
                    "name": say(f"staffweb_posts.language.{shown}"),
                    "title": filled.title[shown],
                    "body": filled.body[shown],
                    "json": json.dumps(message, ensure_ascii=False),
                    "image": filled.image,
                }
                for shown, message in messages.items()
            ]
    if draft is not None:
        words, fits = quota_words(draft)
        chosen = {choice.spec: choice.words for choice in context["segments"]}
        context.update(
            draft=draft,
            draft_when=moment_words(draft.at, lang),
            draft_segment=chosen.get(draft.segment, draft.segment),
            quota=words,
            fits=fits,
            recipients=say("staffweb_posts.recipients", count=number(draft.recipients)),
        )
    notice = request.args.get("m", "")
    return page(
        "staff/posts.html",
        status=status,
        error=say(error) if error else "",
        notice=say(f"staffweb_posts.notice.{notice}") if notice in NOTICES else "",
        written=written or {},
        writing=written is not None,
        topics=[(topic, t(f"knowledge.topic.{topic}", lang)) for topic in TOPICS],
        button_rows=range(1, MAX_BUTTONS + 1),
        form={
            "post": form.get("post", ""),
            "segment": form.get("segment", "news"),
            "at": form.get("at") or default_time(moment),
        },
        **context,
    )


@staff_blueprint.get("/posts", endpoint="posts")
def posts_page() -> Response:
    """The page; with ?post=…&segment=…&at=… it previews that choice."""
    form = {key: request.args.get(key, "") for key in ("post", "segment", "at")}
    if not form["post"]:
        return render()
    try:
        draft = check(form["post"], form["segment"], form["at"], now())
    except OutreachError as problem:
        return render(400, str(problem), form)
    return render(form=form, draft=draft)


@staff_blueprint.post("/posts/schedule", endpoint="schedule_post")
def schedule() -> Response:
    form = {key: request.form.get(key, "") for key in ("post", "segment", "at")}
    moment = now()
    try:
        draft = check(form["post"], form["segment"], form["at"], moment)
        ensure_quota(runtime(current_app).gateway, draft.recipients * MESSAGES_PER_POST)
    except OutreachError as problem:
        return render(400, str(problem), form)
    except QuotaExceeded:
        return render(409, "staffweb_posts.error.quota", form, draft)
    except LineApiError:
        return render(503, "staffweb_posts.error.quota_unknown", form, draft)
    with transaction() as session:
        staff_schedule_post(
            session,
            staff_member_id=g.visit.staff_member_id,
            post_key=draft.post.key,
            segment=draft.segment,
            at=draft.at,
            now=moment,
        )
    return redirect(url_for("staff.posts", m="scheduled"), 303)


def store_image(upload: FileStorage | None) -> str | None:
    """An uploaded image checked and re-encoded as the evidence photos are (storage.photos: no
    metadata, at most 1600 px), kept in the media store; None when none was chosen."""
    if upload is None or not upload.filename:
        return None
    media = runtime(current_app).media
    if media is None:
        raise WrittenPostError("staffweb_posts.write.error.image")
    try:
        photo = process_photo(upload.read(MAX_IMAGE_BYTES + 1), PhotoLimits(max_bytes=MAX_IMAGE_BYTES))
    except PhotoRefused:
        raise WrittenPostError("staffweb_posts.write.error.image") from None
    key = f"{IMAGE_PREFIX}{uuid.uuid4().hex}.jpg"
    media.put(key, photo.display, "image/jpeg")
    return key


WRITTEN_FIELDS = ("kind", "topic", "title_th", "body_th", "title_en", "body_en", "segment", "at")


@staff_blueprint.post("/posts/write", endpoint="write_post")
def write() -> Response:
    """Keep a post written here, then preview it as any other (its schedule is confirmed there)."""
    written = {key: request.form.get(key, "") for key in WRITTEN_FIELDS}
    buttons = []
    for row in range(1, MAX_BUTTONS + 1):
        label, target = request.form.get(f"label_{row}", ""), request.form.get(f"target_{row}", "")
        written[f"label_{row}"], written[f"target_{row}"] = label, target
        buttons.append({"label": label, "target": target})
    try:
        image_key = store_image(request.files.get("image"))
        with transaction() as session:
            post = write_post(
                session,
                kind=written["kind"],
                topic=written["topic"],
                title={"th": written["title_th"], "en": written["title_en"]},
                body={"th": written["body_th"], "en": written["body_en"]},
                buttons=buttons,
                staff_member_id=g.visit.staff_member_id,
                now=now(),
                image_key=image_key,
            )
    except WrittenPostError as problem:
        return render(400, str(problem), written=written)
    target = {"post": post.key, "segment": written["segment"] or "news", "at": written["at"]}
    return redirect(url_for("staff.posts", **target), 303)


@staff_blueprint.post("/posts/results", endpoint="results_post")
def results() -> Response:
    """Compose the results post from the latest figures, then preview it as any written post."""
    rt = runtime(current_app)
    moment = now()
    try:
        with transaction() as session:
            figures = public_results.current(session, moment)
            picture = post_picture(draw_card(card_words(figures, "th")))
            post = write_results_post(
                session,
                figures=figures,
                card_png=picture,
                media=rt.media,
                links_base_url=rt.settings.links_base_url,
                staff_member_id=g.visit.staff_member_id,
                now=moment,
            )
    except WrittenPostError as problem:
        return render(400, str(problem))
    return redirect(url_for("staff.posts", post=post.key, segment="news", at=default_time(moment)), 303)


@staff_blueprint.post("/posts/<int:post_id>/cancel", endpoint="cancel_post")
def cancel(post_id: int) -> Response:
    with transaction() as session:
        done = staff_cancel_post(session, staff_member_id=g.visit.staff_member_id, post_id=post_id, now=now())
    return redirect(url_for("staff.posts", m="cancelled" if done else "not_cancelled"), 303)


@staff_blueprint.get("/posts/flex.js", endpoint="flex_js")
def flex_js() -> Response:
    """The LINE simulator's Flex renderer, served here so the preview draws what the phone shows."""
    if not FLEX_JS.is_file():
        abort(404)
    return Response(_flex_source(), mimetype="text/javascript")


@cache
def _flex_source() -> bytes:
    return FLEX_JS.read_bytes()

"""Photos through the whole app: signed webhooks → executor → download from the fake LINE platform →
pipeline → media store → `photos` row → the handler, which here is a small test-only one (the
report flow that will take photos is not built yet). It answers as a photo step would, from
`EventContext.photo`."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlsplit

import pytest
from linebot.v3.messaging import TextMessage
from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.fakeline.events import image_event, new_message_id, new_user_id, unsend_event
from bot.runtime import runtime
from bot.web.media import signed_media_url
from handlers.chat.engine import Flow, Question, Step
from handlers.chat.media_steps import ReceivedPhoto, received_text, refusal_text, wants_photo
from storage.models import InboxEvent, Photo
from storage.photo_repository import PhotoRepository
from storage.repositories import ConversationRepository
from tests.helpers import post_events, wait_for
from tests.photo_samples import (
    SAMPLE_LAT,
    decompression_bomb_png,
    encoded,
    phone_jpeg,
    scene,
    truncated_jpeg,
)

# A test-only flow with one step that takes photos: what wants_photo looks for.
PHOTO_STEP = Step(
    ask=lambda turn: Question("send photos"), help_key="help.general", accepts=frozenset({"image"})
)
TEST_FLOW = Flow(
    name="phototest",
    title_key="prefs.title",
    words_key="prefs.words",
    start="phototest:photos",
    steps={"phototest:photos": PHOTO_STEP},
)


@cache
def phone_photo(seed: int = 1) -> bytes:
    return phone_jpeg((2000, 1500), seed=seed)


class PhotoChat:
    """One user sending photos; `seen` is what the handler got in `EventContext.photo`."""

    def __init__(self, app, fake_line, seen: list, user: str | None = None) -> None:
        self.app, self.fake, self.seen = app, fake_line, seen
        self.client = app.test_client()
        self.user = user or new_user_id()
        self.clock_ms = int(time.time() * 1000)

    def at_photo_step(self) -> PhotoChat:
        rt = runtime(self.app)
        with rt.session_factory.begin() as session:
            conversation = ConversationRepository(session).lock(self.user, rt.clock.now(), "c1")
            conversation.flow, conversation.state = TEST_FLOW.name, "phototest:photos"
        return self

    def tick(self) -> None:
        # Now, and later than this user's previous event: never in the future, since webhook
        # event ids (ULIDs) are made from the timestamp and must keep increasing for everyone.
        self.clock_ms = max(self.clock_ms + 1, int(time.time() * 1000))

    def post(self, event: dict, *, answered: bool = True) -> list[str]:
        before = len(self.fake.delivered_to(self.user))
        handled = len(self.seen)
        assert post_events(self.client, [event]).status_code == 200
        wait_for(lambda: len(self.seen) > handled)
        if not answered:
            return []
        deliveries = wait_for(
            lambda: (lambda d: d if len(d) > before else None)(self.fake.delivered_to(self.user))
        )
        return [m["text"] for m in deliveries[-1].messages]

    def send_photo(
        self, data: bytes | None, message_id: str | None = None, image_set=None, **kw
    ) -> list[str]:
        message_id = message_id or new_message_id()
        if data is not None:
            self.fake.register_content(message_id, data)
        self.tick()
        event = image_event(
            self.user,
            message_id,
            image_set,
            timestamp_ms=self.clock_ms,
            reply_token=self.fake.issue_reply_token(self.user),
            **kw,
        )
        self.last_message_id = message_id
        return self.post(event)

    def unsend(self, message_id: str) -> None:
        self.tick()
        self.post(unsend_event(self.user, message_id, timestamp_ms=self.clock_ms), answered=False)


@pytest.fixture
def photo_app(make_app, settings):
    """The app with the test-only handler and flow in place of the (future) report flow."""
    app = make_app(settings)
    rt = runtime(app)
    seen: list[ReceivedPhoto | None] = []

    def handle(event, ctx):
        assert ctx.media is rt.media  # handlers can sign photo URLs
        seen.append(ctx.photo)
        photo = ctx.photo
        if photo is None:
            return [TextMessage(text="no photo work")]
        if photo.kind == "refused":
            return [TextMessage(text=refusal_text(photo.refusal, "th"))]
        if photo.kind == "removed":
            return []
        texts = [received_text(photo, "th")] + (["(reused)"] if photo.reused else [])
        return [TextMessage(text=" ".join(texts))]

    rt.executor.handle = handle
    rt.photos.wants = lambda session, user: wants_photo(session, user, flows=(TEST_FLOW,))
    app.seen = seen
    return app


def photos_of(app, user: str) -> list[Photo]:
    with runtime(app).session_factory() as session:
        return list(session.scalars(select(Photo).where(Photo.line_user_id == user).order_by(Photo.id)))


def content_downloads(fake_line, message_id: str) -> int:
    return len(fake_line.calls("GET", f"/v2/bot/message/{message_id}/content"))


def test_a_photo_at_a_photo_question_is_stored_with_its_facts_and_served_only_signed(photo_app, fake_line):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    assert chat.send_photo(phone_photo()) == [received_text(ReceivedPhoto("stored"), "th")]
    [photo] = photos_of(photo_app, chat.user)
    assert photo_app.seen[-1] == ReceivedPhoto("stored", photo_id=photo.id)
    assert (photo.width, photo.height, photo.status) == (1500, 2000, "received")
    assert photo.gps_lat == pytest.approx(SAMPLE_LAT, abs=1e-4) and photo.captured_at is not None
    store = runtime(photo_app).media
    assert Image.open(io.BytesIO(store.get(photo.thumb_key))).size == (240, 320)
    # The display copy: reachable through a signed URL, upright, without EXIF.
    url = urlsplit(signed_media_url(photo_app, photo.display_key, 60))
    client = photo_app.test_client()
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    shown = Image.open(io.BytesIO(response.data))
    assert shown.size == (1200, 1600) and dict(shown.getexif()) == {}
    assert "private" in response.headers["Cache-Control"]
    # The same path without the signature, or with another key's: 403.
    assert client.get(url.path).status_code == 403
    assert client.get(f"/media/{photo.thumb_key}?{url.query}").status_code == 403


def test_an_image_no_question_asked_for_is_not_downloaded(photo_app, fake_line):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen)  # not at a photo question
    assert chat.send_photo(phone_photo()) == ["no photo work"]
    assert photo_app.seen == [None]
    assert content_downloads(fake_line, chat.last_message_id) == 0
    assert photos_of(photo_app, chat.user) == []


@pytest.mark.parametrize(
    "content,code",
    [
        (b"\xff\xd8\xff" + b"\0" * (30 * 1024 * 1024), "too_large"),
        (truncated_jpeg(), "truncated"),
        (decompression_bomb_png(), "too_many_pixels"),
        ("ใบเสร็จค่าไฟเดือนมิถุนายน".encode() * 100, "not_image"),
        (encoded(scene((300, 200)), "GIF"), "unsupported_format"),
        (None, "gone"),  # LINE no longer has it (404)
    ],
    ids=["30MB", "truncated", "bomb", "not-an-image", "gif", "expired"],
)
def test_each_bad_photo_is_refused_with_its_own_sentence_and_nothing_is_stored(
    photo_app, fake_line, content, code
):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    assert chat.send_photo(content) == [refusal_text(code, "th")]
    assert photo_app.seen[-1].kind == "refused" and photo_app.seen[-1].refusal == code
    assert photos_of(photo_app, chat.user) == []
    assert list(runtime(photo_app).settings.media_dir.rglob("*.jpg")) == []


def test_a_photo_unsent_before_it_was_fetched_is_gone(photo_app, fake_line):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    message_id = new_message_id()
    fake_line.register_content(message_id, phone_photo())
    fake_line.mark_unsent(message_id)  # 410
    assert chat.send_photo(None, message_id) == [refusal_text("gone", "th")]


def test_line_unreachable_is_a_retry_later_not_a_crash(photo_app, fake_line):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    message_id = new_message_id()
    fake_line.inject_fault("500", path_prefix=f"/v2/bot/message/{message_id}/content")
    assert chat.send_photo(phone_photo(), message_id) == [refusal_text("unavailable", "th")]


def test_the_same_image_event_twice_stores_one_photo_and_downloads_once(photo_app, fake_line):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    message_id = new_message_id()
    chat.send_photo(phone_photo(), message_id)
    # LINE may deliver one message in two events (another webhookEventId): the same photo.
    chat.send_photo(phone_photo(), message_id, redelivery=True)
    [photo] = photos_of(photo_app, chat.user)
    first, second = photo_app.seen
    assert first.photo_id == second.photo_id == photo.id
    assert (first.redelivered, second.redelivered) == (False, True)
    assert content_downloads(fake_line, message_id) == 1


def test_photos_sent_together_are_each_processed_and_counted_by_their_set(photo_app, fake_line):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    answers = [
        chat.send_photo(phone_photo(seed), image_set={"id": "set-1", "index": i, "total": 3})
        for i, seed in enumerate((1, 2, 3), start=1)
    ]
    assert answers[2] == [received_text(ReceivedPhoto("stored", image_set_index=3, image_set_total=3), "th")]
    with runtime(photo_app).session_factory() as session:
        in_set = PhotoRepository(session).image_set(chat.user, "set-1")
    assert [(p.image_set_index, p.image_set_total) for p in in_set] == [(1, 3), (2, 3), (3, 3)]
    assert len({p.sha256 for p in in_set}) == 3


def attach_all(app, user: str, report_id: int) -> None:
    with runtime(app).session_factory.begin() as session:
        repo = PhotoRepository(session)
        assert repo.attach([p.id for p in repo.draft_photos(user)], report_id, user) >= 1


def test_a_photo_reused_from_another_report_is_accepted_flagged_and_the_user_told(photo_app, fake_line):
    first = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    first.send_photo(phone_photo())
    attach_all(photo_app, first.user, report_id=41)
    [original] = photos_of(photo_app, first.user)

    # The same file from another coordinator: accepted, flagged, told politely.
    second = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    answer = second.send_photo(phone_photo())
    assert answer == [f"{received_text(ReceivedPhoto('stored'), 'th')} (reused)"]
    [copy] = photos_of(photo_app, second.user)
    assert copy.status == "received" and copy.flagged_duplicate_of == original.id
    reused = photo_app.seen[-1].reused
    assert (reused.photo_id, reused.report_id, reused.exact) == (original.id, 41, True)

    # The same picture re-saved smaller (not the same bytes) by the first coordinator for their
    # next report: still caught, by the perceptual hash.
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(phone_photo())))
    resaved = encoded(upright.resize((750, 1000)), "JPEG", quality=70)
    first.send_photo(resaved)
    near = photo_app.seen[-1].reused
    assert near is not None and near.photo_id == original.id and not near.exact and near.distance <= 8


def test_sending_the_same_photo_twice_in_ones_own_draft_is_not_reuse(photo_app, fake_line):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    chat.send_photo(phone_photo())
    chat.send_photo(phone_photo())
    assert [p.flagged_duplicate_of for p in photos_of(photo_app, chat.user)] == [None, None]
    assert photo_app.seen[-1].reused is None


def test_an_unsent_photo_is_removed_with_its_files(photo_app, fake_line):
    chat = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    chat.send_photo(phone_photo())
    [photo] = photos_of(photo_app, chat.user)
    url = urlsplit(signed_media_url(photo_app, photo.display_key, 60))
    client = photo_app.test_client()
    assert client.get(f"{url.path}?{url.query}").status_code == 200

    chat.unsend(chat.last_message_id)
    assert photo_app.seen[-1] == ReceivedPhoto("removed", photo_id=photo.id)
    [removed] = photos_of(photo_app, chat.user)
    assert removed.status == "removed" and removed.removed_at is not None
    store = runtime(photo_app).media
    assert store.get(photo.display_key) is None and store.get(photo.thumb_key) is None
    assert client.get(f"{url.path}?{url.query}").status_code == 404
    # Another user cannot unsend someone else's photo (unsend names only a message id).
    other = PhotoChat(photo_app, fake_line, photo_app.seen).at_photo_step()
    other.send_photo(phone_photo(2))
    chat.unsend(other.last_message_id)
    assert photo_app.seen[-1] is None
    assert [p.status for p in photos_of(photo_app, other.user)] == ["received"]


class SimulatedCrash(BaseException):
    """Stands for the process dying inside the event's transaction (nothing catches it)."""


def test_a_crash_after_the_download_loses_neither_the_photo_nor_the_event(make_app, settings, fake_line):
    # The executor left alone (a long settle delay): the test runs the event itself, twice.
    app = make_app(settings.with_(event_settle_seconds=3600, sweep_interval_seconds=3600))
    rt = runtime(app)
    rt.photos.wants = lambda session, user: wants_photo(session, user, flows=(TEST_FLOW,))
    seen = []
    chat = PhotoChat(app, fake_line, seen).at_photo_step()
    message_id = new_message_id()
    fake_line.register_content(message_id, phone_photo())
    event = image_event(
        chat.user, message_id, timestamp_ms=chat.clock_ms, reply_token=fake_line.issue_reply_token(chat.user)
    )
    assert post_events(chat.client, [event]).status_code == 200
    with rt.session_factory() as session:
        event_id = session.scalars(select(InboxEvent.id)).one()

    def crash(event, ctx):
        seen.append(ctx.photo)
        raise SimulatedCrash

    rt.executor.handle = crash
    with pytest.raises(SimulatedCrash):
        rt.executor.process(event_id)
    # The event's transaction rolled back (still pending, for the sweeper), but the photo and its
    # files were committed before it.
    with rt.session_factory() as session:
        assert session.get(InboxEvent, event_id).status == "pending"
    [photo] = photos_of(app, chat.user)
    assert rt.media.get(photo.display_key) and rt.media.get(photo.thumb_key)

    rt.executor.handle = lambda event, ctx: seen.append(ctx.photo) or [TextMessage(text="ok")]
    assert rt.executor.process(event_id) == "done"
    assert seen[1].photo_id == photo.id and seen[1].redelivered
    assert content_downloads(fake_line, message_id) == 1
    assert len(photos_of(app, chat.user)) == 1


@pytest.mark.slow
def test_kill_9_between_the_download_and_the_commit_loses_neither_photo_nor_event(
    web_env, fake_line, database_url, tmp_path
):
    from sqlalchemy import create_engine

    from bot.fakeline.events import webhook_body
    from tests.helpers import WebProcess, post_body

    db = create_engine(database_url)
    user, message_id = new_user_id(), new_message_id()
    with Session(db) as session, session.begin():
        conversation = ConversationRepository(session).lock(user, datetime.now(UTC), "c1")
        conversation.flow, conversation.state = TEST_FLOW.name, "phototest:photos"
    fake_line.register_content(message_id, phone_photo())
    token = fake_line.issue_reply_token(user)
    event = image_event(user, message_id, timestamp_ms=int(time.time() * 1000), reply_token=token)
    marker = tmp_path / "in-the-event-transaction"
    env = {**web_env, "PHOTO_WEB_MARKER": str(marker)}
    app = "tests.bot.photo_web_app:create_app()"

    web = WebProcess({**env, "PHOTO_WEB_BLOCK": "1"}, log_path=tmp_path / "web1.log", app=app)
    try:
        assert post_body(web.url, webhook_body([event])) == 200
        wait_for(marker.exists, timeout=60)  # downloaded, stored, recorded; now inside the event
    finally:
        web.kill()

    with Session(db) as session:
        assert session.scalars(select(InboxEvent.status)).all() == ["pending"]
        [photo] = session.scalars(select(Photo)).all()
    assert marker.read_text() == str(photo.id)
    media_dir = tmp_path / "media"
    assert (media_dir / photo.display_key).stat().st_size > 0 and (media_dir / photo.thumb_key).exists()

    restarted = WebProcess(env, log_path=tmp_path / "web2.log", app=app)
    try:
        deliveries = wait_for(lambda: fake_line.delivered_to(user), timeout=60)
    finally:
        restarted.stop()
    assert [m["text"] for m in deliveries[0].messages] == [
        received_text(ReceivedPhoto("stored"), "th") + " (stored by an earlier run)"
    ]
    with Session(db) as session:
        assert session.scalars(select(InboxEvent.status)).all() == ["done"]
        assert len(session.scalars(select(Photo)).all()) == 1
    assert content_downloads(fake_line, message_id) == 1
    db.dispose()

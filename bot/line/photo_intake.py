"""Photos arriving in chat: downloaded, processed and stored before the event's transaction.

For an image event whose user is at a question that takes photos (handlers.chat.media_steps.wants_photo),
the executor calls `PhotoIntake.before_event` first: download from LINE's content API with a byte
cap, the Pillow pipeline (storage/photos.py), both copies into the media store, then the `photos`
row in a short transaction of its own. Only then does the event's own transaction run, with the
outcome in `EventContext.photo`. So the database is never held during network or Pillow work, and
a process killed after the download loses nothing: the photo and its row are committed, and the
event, still pending, is run again by the sweeper, which finds the photo by its LINE message id
(no second download).

An `unsend` event removes the photo: the row is marked removed (committed first), then its files
are deleted (idempotent, so a re-run deletes again).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from linebot.v3.webhooks import Event, ImageMessageContent, MessageEvent, UnsendEvent
from sqlalchemy.orm import Session, sessionmaker

from bot.line.gateway import ContentTooLarge, LineApiError
from bot.logs import user_hash
from bot.timeutil import Clock
from handlers.chat.media_steps import ReceivedPhoto, wants_photo
from storage.media import MediaStore
from storage.models import Photo
from storage.photo_repository import PhotoRepository, ReuseMatch
from storage.photos import PhotoLimits, PhotoRefused, phash_distance, process_photo

log = logging.getLogger("ruamjai.photos")

# Photos decoded at once per process. A 12-megapixel JPEG needs ~25 MB while it is processed (a
# PNG at the pixel cap ~100 MB); two at a time keeps a worker's memory bounded and keeps both cores
# of a small host from being taken by Pillow while webhooks wait (docs/benchmarks.md, photos).
MAX_CONCURRENT_PHOTOS = 2


def photo_keys(line_message_id: str) -> tuple[str, str]:
    """The media-store keys of a message's display copy and thumbnail. Derived from the message id,
    so a re-run after a crash writes the same keys rather than leaving orphans; never shown to
    anyone without a signature (storage/media.py)."""
    return f"photos/{line_message_id}/display.jpg", f"photos/{line_message_id}/thumb.jpg"


class PhotoIntake:
    """Downloads, checks, stores and records photos for the executor (see the module docstring)."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        read_factory: sessionmaker[Session] | None = None,
        store: MediaStore,
        download: Callable[[str, int], bytes],
        clock: Clock,
        secret_key: str,
        limits: PhotoLimits | None = None,
        wants: Callable[[Session, str], bool] = wants_photo,
    ) -> None:
        self.session_factory = session_factory
        self.read_factory = read_factory or session_factory
        self.store = store
        self.download = download
        self.clock = clock
        self.secret_key = secret_key
        self.limits = limits or PhotoLimits()
        self.wants = wants
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT_PHOTOS)

    def before_event(self, event: Event, line_user_id: str | None) -> ReceivedPhoto | None:
        """The photo work an event needs before its transaction; None when it needs none."""
        if not line_user_id:
            return None
        if isinstance(event, MessageEvent) and isinstance(event.message, ImageMessageContent):
            return self.receive(event.message, line_user_id)
        if isinstance(event, UnsendEvent):
            return self.unsend(event.unsend.message_id, line_user_id)
        return None

    # --- image events -------------------------------------------------------------------------
    def receive(self, message: ImageMessageContent, line_user_id: str) -> ReceivedPhoto | None:
        with self.read_factory() as session:
            existing = PhotoRepository(session).by_message_id(message.id)
            if existing is not None:  # stored by an earlier run of this event (or a redelivery)
                return self._outcome(session, existing, redelivered=True)
            if not self.wants(session, line_user_id):
                return None  # no question takes a photo now: not fetched (the engine says so)
        image_set = message.image_set
        refused = None
        with self._slots:
            try:
                if message.content_provider.type != "line":
                    raise PhotoRefused("unavailable", "content on an external server")
                data = self._download(message.id, line_user_id)
                processed = process_photo(data, self.limits)
            except PhotoRefused as exc:
                refused = exc.code
        if refused is not None:
            log.info("photo refused", extra={"user": self._who(line_user_id), "code": refused})
            return ReceivedPhoto(
                "refused",
                refusal=refused,
                image_set_id=image_set.id if image_set else None,
                image_set_index=image_set.index if image_set else None,
                image_set_total=image_set.total if image_set else None,
            )
        display_key, thumb_key = photo_keys(message.id)
        # Files first, durably; then the row that names them.
        self.store.put(display_key, processed.display, "image/jpeg")
        self.store.put(thumb_key, processed.thumb, "image/jpeg")
        with self.session_factory.begin() as session:
            repo = PhotoRepository(session)
            photo, created = repo.add(
                line_user_id=line_user_id,
                line_message_id=message.id,
                image_set_id=image_set.id if image_set else None,
                image_set_index=image_set.index if image_set else None,
                image_set_total=image_set.total if image_set else None,
                display_key=display_key,
                thumb_key=thumb_key,
                sha256=processed.sha256,
                phash=processed.phash,
                width=processed.width,
                height=processed.height,
                captured_at=processed.captured_at,
                gps_lat=processed.gps_lat,
                gps_lon=processed.gps_lon,
                created_at=self.clock.now(),
            )
            if created:
                match = repo.find_reuse(photo)
                if match is not None:
                    photo.flagged_duplicate_of = match.photo_id
                    log.info("photo reused", extra={"user": self._who(line_user_id), "photo_id": photo.id})
            outcome = self._outcome(session, photo, redelivered=not created)
        return outcome

    def _download(self, message_id: str, line_user_id: str) -> bytes:
        try:
            return self.download(message_id, self.limits.max_bytes)
        except ContentTooLarge:
            raise PhotoRefused("too_large") from None
        except LineApiError as exc:
            # 404: LINE no longer has it (content expires); 410: the user unsent it.
            if exc.status in (404, 410):
                raise PhotoRefused("gone", str(exc.status)) from None
            log.warning(
                "photo download failed", extra={"user": self._who(line_user_id), "status": exc.status}
            )
            raise PhotoRefused("unavailable", str(exc.status)) from None

    def _outcome(self, session: Session, photo: Photo, *, redelivered: bool) -> ReceivedPhoto:
        if photo.status == "removed":  # unsent meanwhile: nothing to hand over
            return ReceivedPhoto("refused", refusal="gone", redelivered=redelivered)
        return ReceivedPhoto(
            "stored",
            photo_id=photo.id,
            reused=_reuse_of(session, photo),
            image_set_id=photo.image_set_id,
            image_set_index=photo.image_set_index,
            image_set_total=photo.image_set_total,
            redelivered=redelivered,
        )

    # --- unsend ----------------------------------------------------------------------------------
    def unsend(self, line_message_id: str, line_user_id: str) -> ReceivedPhoto | None:
        """Remove the user's photo of this message: row marked removed, then its files deleted."""
        with self.session_factory.begin() as session:
            photo = PhotoRepository(session).mark_removed(line_user_id, line_message_id, self.clock.now())
            if photo is None:
                return None
            photo_id, keys = photo.id, (photo.display_key, photo.thumb_key)
        for key in keys:
            try:
                self.store.delete(key)
            except Exception:  # the row says removed; a later run or a purge deletes the file
                log.exception("photo file not deleted", extra={"photo_id": photo_id})
        return ReceivedPhoto("removed", photo_id=photo_id)

    def _who(self, line_user_id: str) -> str:
        return user_hash(self.secret_key, line_user_id)


def _reuse_of(session: Session, photo: Photo) -> ReuseMatch | None:
    """The match recorded when the photo was stored (so a re-run tells the user the same thing)."""
    if photo.flagged_duplicate_of is None:
        return None
    match = session.get(Photo, photo.flagged_duplicate_of)
    if match is None:
        return None
    exact = match.sha256 == photo.sha256
    distance = 0 if exact else phash_distance(match.phash, photo.phash)
    return ReuseMatch(match.id, match.report_id, match.line_user_id, exact, distance)

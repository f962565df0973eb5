"""Photos in the database: recording, finding again, reuse detection, attaching, removal.

Callers own the transaction (`with factory.begin()`), as with the other repositories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, not_, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Photo
from storage.photos import phash_distance
from storage.sql import insert_ignore

# pHash Hamming distance at or under which two photos count as the same picture. Measured on
# generated 1600 px photos (tests/storage/test_photo_pipeline.py): re-encoding at quality 50,
# halving the size or changing brightness/contrast moves the hash by 0; cropping 3 % off each
# side by 6; unrelated pictures sit around 32 (the mean for independent 64-bit hashes), and the
# chance that two independent hashes are within 8 is about 1e-10. Two shots of the same site a
# moment apart can fall under 8: that is a flag for staff to look at, not a refusal.
PHASH_THRESHOLD = 8

STATUSES = ("received", "attached", "replaced", "removed")


@dataclass(frozen=True)
class StoredFiles:
    """A photo row's id and the media-store keys of its two copies (to delete them)."""

    photo_id: int
    keys: tuple[str, str]


@dataclass(frozen=True)
class ReuseMatch:
    """An earlier photo that `find_reuse` matched: by identical bytes, or by a near pHash."""

    photo_id: int
    report_id: int | None
    line_user_id: str
    exact: bool
    distance: int


class PhotoRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, photo_id: int) -> Photo | None:
        return self.session.get(Photo, photo_id)

    def by_message_id(self, line_message_id: str) -> Photo | None:
        return self.session.scalars(select(Photo).where(Photo.line_message_id == line_message_id)).first()

    def add(self, **fields: object) -> tuple[Photo, bool]:
        """Record a received photo; returns (the row, whether this call created it). A second
        recording of the same LINE message (a redelivery racing an expired lease) keeps the first."""
        row = {"status": "received", **fields}
        created = insert_ignore(self.session, Photo, [row], ["line_message_id"], returning=("id",))
        photo = self.by_message_id(str(fields["line_message_id"]))
        assert photo is not None
        return photo, bool(created)

    def find_reuse(self, photo: Photo, threshold: int = PHASH_THRESHOLD) -> ReuseMatch | None:
        """The closest photo identical or near-identical to `photo` that belongs to ANOTHER report or
        to another user's draft (not removed). The same user's own draft photos never count: sending
        a photo twice while reporting is not reuse. Identical bytes win over a near pHash; ties go to
        the earliest photo.

        The pHash comparison runs here, over (id, phash) pairs: about 100 ms per 100,000 photos.
        Past a few hundred thousand photos, index nine 7-bit bands of the hash (two hashes within 8
        of each other agree on at least one band) and compare only the candidates.
        """
        others = and_(
            Photo.id != photo.id,
            Photo.status != "removed",
            not_(and_(Photo.line_user_id == photo.line_user_id, Photo.report_id.is_(None))),
        )
        if photo.report_id is not None:
            others = and_(others, or_(Photo.report_id.is_(None), Photo.report_id != photo.report_id))
        columns = (Photo.id, Photo.report_id, Photo.line_user_id)
        exact = self.session.execute(
            select(*columns).where(others, Photo.sha256 == photo.sha256).order_by(Photo.id).limit(1)
        ).first()
        if exact is not None:
            return ReuseMatch(exact[0], exact[1], exact[2], True, 0)
        best: tuple[int, int] | None = None
        for photo_id, phash in self.session.execute(select(Photo.id, Photo.phash).where(others)):
            distance = phash_distance(photo.phash, phash)
            if distance <= threshold and (best is None or (distance, photo_id) < best):
                best = (distance, photo_id)
        if best is None:
            return None
        match = self.session.get(Photo, best[1])
        assert match is not None
        return ReuseMatch(match.id, match.report_id, match.line_user_id, False, best[0])

    def draft_photos(self, line_user_id: str) -> list[Photo]:
        """The user's photos not yet in a report (and not unsent), oldest first."""
        return list(
            self.session.scalars(
                select(Photo)
                .where(
                    Photo.line_user_id == line_user_id,
                    Photo.report_id.is_(None),
                    Photo.status == "received",
                )
                .order_by(Photo.id)
            )
        )

    def image_set(self, line_user_id: str, image_set_id: str) -> list[Photo]:
        """The photos of one imageSet received so far (not unsent), in the order the user chose."""
        return list(
            self.session.scalars(
                select(Photo)
                .where(
                    Photo.line_user_id == line_user_id,
                    Photo.image_set_id == image_set_id,
                    Photo.status != "removed",
                )
                .order_by(Photo.image_set_index, Photo.id)
            )
        )

    def attach(self, photo_ids: Sequence[int], report_id: int, line_user_id: str) -> int:
        """Attach the user's received photos to a report; returns how many were attached. Photos
        of another user, or unsent ones, are left alone (a forged id attaches nothing)."""
        if not photo_ids:
            return 0
        result = self.session.execute(
            update(Photo)
            .where(
                Photo.id.in_(list(photo_ids)),
                Photo.line_user_id == line_user_id,
                Photo.status == "received",
            )
            .values(status="attached", report_id=report_id)
        )
        return result.rowcount or 0

    def mark_removed(self, line_user_id: str, line_message_id: str, now: datetime) -> Photo | None:
        """Mark the user's photo of this message removed (its files are deleted next, by the caller);
        None if there is no such photo. Marking again is harmless."""
        photo = self.session.scalars(
            select(Photo)
            .where(Photo.line_message_id == line_message_id, Photo.line_user_id == line_user_id)
            .with_for_update()
        ).first()
        if photo is None:
            return None
        if photo.status != "removed":
            photo.status = "removed"
            photo.removed_at = now
        return photo

    def retire_unattached(self, line_user_id: str, now: datetime, owner: str) -> list[StoredFiles]:
        """Mark every photo of the user's that no report holds removed, hand it to `owner` (a label,
        not a LINE id) and forget what its EXIF said (capture time, GPS); returns their files, to
        delete before the rows go (`delete_rows`). Attached photos are the agency's evidence and stay."""
        rows = list(
            self.session.scalars(
                select(Photo).where(Photo.line_user_id == line_user_id, Photo.report_id.is_(None))
            )
        )
        for photo in rows:
            photo.status, photo.removed_at = "removed", photo.removed_at or now
            photo.line_user_id, photo.captured_at, photo.gps_lat, photo.gps_lon = owner, None, None, None
        self.session.flush()
        return [StoredFiles(photo.id, (photo.display_key, photo.thumb_key)) for photo in rows]

    def retire_stale(
        self, cutoff: datetime, now: datetime, limit: int, after_id: int = 0
    ) -> list[StoredFiles]:
        """Photos no report holds that are done with: removed ones (unsent, or an erased person's)
        and ones received before `cutoff` and never attached. Those still received are marked
        removed first, so a report confirmed meanwhile cannot take them (`attach` takes received
        photos only); returns up to `limit` of them past `after_id`, oldest first, for their files and
        rows to go."""
        stale = and_(
            Photo.id > after_id,
            Photo.report_id.is_(None),
            or_(Photo.status == "removed", and_(Photo.status == "received", Photo.created_at < cutoff)),
        )
        rows = list(self.session.scalars(select(Photo).where(stale).order_by(Photo.id).limit(limit)))
        for photo in rows:
            if photo.status == "received":
                photo.status, photo.removed_at = "removed", now
        self.session.flush()
        return [StoredFiles(photo.id, (photo.display_key, photo.thumb_key)) for photo in rows]

    def delete_rows(self, photo_ids: Sequence[int]) -> int:
        """Delete removed photos' rows whose files are gone (a photo attached meanwhile is kept)."""
        if not photo_ids:
            return 0
        result = self.session.execute(
            delete(Photo)
            .where(Photo.id.in_(list(photo_ids)), Photo.status == "removed", Photo.report_id.is_(None))
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0

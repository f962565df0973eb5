"""Photo rows: one per LINE message, reuse found only across reports and users, attach and removal
limited to the user's own photos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from storage.db import make_engine, make_session_factory
from storage.photo_repository import PHASH_THRESHOLD, PhotoRepository

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def factory(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def add(session: Session, user: str, message: str, sha: str = "a" * 64, phash: str = "0" * 16, **extra):
    photo, created = PhotoRepository(session).add(
        line_user_id=user,
        line_message_id=message,
        display_key=f"photos/{message}/display.jpg",
        thumb_key=f"photos/{message}/thumb.jpg",
        sha256=sha,
        phash=phash,
        width=3000,
        height=4000,
        created_at=NOW,
        **extra,
    )
    return photo, created


def flip(phash: str, bits: int) -> str:
    """`phash` with its lowest `bits` bits flipped: at Hamming distance `bits`."""
    return f"{int(phash, 16) ^ ((1 << bits) - 1):016x}"


def test_one_row_per_line_message(factory):
    with factory.begin() as session:
        first, created = add(session, "U1", "m1")
        again, created_again = add(session, "U1", "m1", sha="b" * 64)
    assert created and not created_again and again.id == first.id and again.sha256 == "a" * 64


def test_reuse_is_found_across_reports_and_users_but_not_in_ones_own_draft(factory):
    with factory.begin() as session:
        repo = PhotoRepository(session)
        own_draft, _ = add(session, "U1", "m1")
        mine_again, _ = add(session, "U1", "m2")
        assert repo.find_reuse(mine_again) is None  # the same draft: not reuse

        other_user, _ = add(session, "U2", "m3")
        match = repo.find_reuse(other_user)
        assert (match.photo_id, match.exact, match.distance) == (own_draft.id, True, 0)

        # Once U1's photos are in report 7, U1 sending the picture again (re-encoded: another
        # file, a near hash) for the next report is reuse too.
        assert repo.attach([own_draft.id, mine_again.id], 7, "U1") == 2
        next_report, _ = add(session, "U1", "m4", sha="c" * 64, phash=flip("0" * 16, PHASH_THRESHOLD))
        near = repo.find_reuse(next_report)
        assert near.photo_id == own_draft.id and not near.exact and near.distance == PHASH_THRESHOLD
        assert near.report_id == 7
        # One bit further from every photo so far and it is another picture.
        far = f"{((1 << (PHASH_THRESHOLD + 1)) - 1) << 40:016x}"  # 9 high bits: 9 from m1, 17 from m4
        unrelated, _ = add(session, "U3", "m5", sha="d" * 64, phash=far)
        assert repo.find_reuse(unrelated) is None


def test_photos_of_the_same_report_and_removed_photos_are_not_reuse(factory):
    with factory.begin() as session:
        repo = PhotoRepository(session)
        first, _ = add(session, "U1", "m1")
        second, _ = add(session, "U1", "m2")
        repo.attach([first.id, second.id], 9, "U1")
        session.flush()
        session.refresh(second)
        assert repo.find_reuse(second) is None  # both in report 9

        gone, _ = add(session, "U2", "m3", sha="e" * 64, phash="f" * 16)
        assert repo.mark_removed("U2", "m3", NOW).status == "removed"
        newcomer, _ = add(session, "U4", "m6", sha="e" * 64, phash="f" * 16)
        assert repo.find_reuse(newcomer) is None
        assert gone.removed_at == NOW


def test_attach_and_unsend_touch_only_the_users_own_photos(factory):
    with factory.begin() as session:
        repo = PhotoRepository(session)
        theirs, _ = add(session, "U2", "m1")
        assert repo.attach([theirs.id], 3, "U1") == 0  # a forged id attaches nothing
        assert repo.mark_removed("U1", "m1", NOW) is None
        assert [p.id for p in repo.draft_photos("U2")] == [theirs.id]
        assert repo.draft_photos("U1") == []


def test_image_sets_are_listed_in_the_users_order(factory):
    with factory.begin() as session:
        for index in (2, 3, 1):
            add(session, "U1", f"m{index}", image_set_id="s1", image_set_index=index, image_set_total=3)
        add(session, "U2", "m9", image_set_id="s1", image_set_index=1, image_set_total=1)
        photos = PhotoRepository(session).image_set("U1", "s1")
    assert [p.line_message_id for p in photos] == ["m1", "m2", "m3"]


def test_a_photo_the_purge_took_cannot_be_attached_and_keeps_its_row_until_its_files_are_gone(factory):
    with factory.begin() as session:
        stale, _ = add(session, "U1", "m1")
    later = NOW + timedelta(days=31)
    with factory.begin() as session:
        [taken] = PhotoRepository(session).retire_stale(NOW + timedelta(days=1), later, limit=10)
    assert taken.photo_id == stale.id and taken.keys == (stale.display_key, stale.thumb_key)
    with factory.begin() as session:
        repo = PhotoRepository(session)
        assert repo.attach([stale.id], report_id=7, line_user_id="U1") == 0  # a report confirmed meanwhile
        assert repo.get(stale.id).status == "removed"
        assert repo.retire_stale(NOW + timedelta(days=1), later, limit=10, after_id=stale.id) == []
    with factory.begin() as session:
        assert PhotoRepository(session).delete_rows([stale.id]) == 1
        assert PhotoRepository(session).get(stale.id) is None


def test_an_erased_persons_loose_photos_lose_their_exif_facts_and_owner(factory):
    with factory.begin() as session:
        loose, _ = add(session, "U1", "m1", gps_lat=13.7, gps_lon=100.5, captured_at=NOW)
        kept, _ = add(session, "U1", "m2", gps_lat=13.7, gps_lon=100.5)
        PhotoRepository(session).attach([kept.id], report_id=7, line_user_id="U1")
        other, _ = add(session, "U2", "m3", gps_lat=13.7, gps_lon=100.5)
    with factory.begin() as session:
        [retired] = PhotoRepository(session).retire_unattached("U1", NOW, owner="erased")
    assert retired.photo_id == loose.id
    with factory() as session:
        repo = PhotoRepository(session)
        photo = repo.get(loose.id)
        assert (photo.status, photo.line_user_id, photo.gps_lat, photo.gps_lon, photo.captured_at) == (
            "removed", "erased", None, None, None
        )  # fmt: skip
        assert repo.get(kept.id).gps_lat == 13.7 and repo.get(other.id).status == "received"

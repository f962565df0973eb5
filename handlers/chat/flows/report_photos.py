"""The report flow's photo and place steps (handlers/chat/flows/report.py asks the rest).

Photos: the campaign's photos_min..photos_max (default 1..10). The step accepts images, so the
executor stores each before the event's transaction (handlers.chat.media_steps.wants_photo). A
photo already used in another report is not added (a near-identical one is added and flagged for
staff). Changing the photos of a stored report ("my reports", or staff's fix request naming
photos) starts from the report's photos minus those staff marked wrong; a fix request asks for at
least one new photo.

A photo sent to a conversation that went idle at this question is held, and the coordinator is
asked whether to go on with the report with it attached (the engine does not close the draft).

Place: when a photo carries GPS, its position is the place (said back; "change answer" changes
it); otherwise LINE's location button or "skip".

Answers kept besides the report flow's: replace_ids / replace_numbers (photos staff marked
wrong), need_new (staff asked for photos: at least one new one), held [photos sent after a break].
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from handlers.catalog import default_catalog, label
from handlers.chat.engine import Choice, Incoming, Outcome, Question, Step, Turn
from handlers.chat.flows.report_draft import DONE, SKIP, activity, advance
from handlers.chat.received_photo import ReceivedPhoto, received_text
from handlers.chat.received_photo import refusal_text as photo_refusal_text
from handlers.services.campaigns import active_campaign, photo_limits
from handlers.services.reports import numbers_text, reference
from storage.models import Photo
from storage.models.reports import Report

RESTART, CONTINUE, DROP = "_restart_photos", "_continue_held", "_drop_held"
DONE_CHOICE = Choice(DONE, label_key="reporting.done", words_key="words.confirm")
RESTART_CHOICE = Choice(RESTART, label_key="photos.restart")
YES_WORDS = tuple(default_catalog().words("words.yes"))
NO_WORDS = tuple(default_catalog().words("words.no"))
# Typed: the buttons' own words ("ทำต่อ", "ไม่ใช้") as well as yes and no.
HELD_CHOICES = (
    Choice(
        CONTINUE, label_key="photos.held.continue", words_key="photos.held.continue_words", also=YES_WORDS
    ),
    Choice(DROP, label_key="photos.held.drop", words_key="photos.held.drop_words", also=NO_WORDS),
)
SKIP_CHOICE = Choice(SKIP, label_key="reporting.skip", words_key="words.skip")


def limits(turn: Turn) -> tuple[int, int]:
    """(fewest, most) photos the active campaign takes."""
    return photo_limits(active_campaign(turn.session, turn.now))


def live_photos(turn: Turn) -> list[int]:
    """The draft's photos less any the user has unsent since (the unsend removed our copy)."""
    ids = turn.answers.setdefault("photos", [])
    if ids:
        removed = set(
            turn.session.scalars(select(Photo.id).where(Photo.id.in_(ids), Photo.status == "removed"))
        )
        turn.answers["photos"] = [i for i in ids if i not in removed]
    return turn.answers["photos"]


def new_photos(turn: Turn) -> list[int]:
    """The photos added since the stored report was loaded (all of them in a new draft)."""
    original = set(turn.answers.get("original_photos", []))
    return [i for i in turn.answers.get("photos", []) if i not in original]


# --- asking -------------------------------------------------------------------------------------
def ask_photos(turn: Turn) -> Question:
    count, (least, most) = len(live_photos(turn)), limits(turn)
    restart = [RESTART_CHOICE] if changing_photos(turn) and count else []
    intro = fix_intro(turn, count, most)
    if intro:  # staff asked for a new photo: no "done" until one has come
        return Question(intro, restart)
    if count == 0:
        if least > 1:
            return Question(turn.t("reporting.ask_photos_range", least=least, most=most))
        return Question(turn.t("reporting.ask_photos", most=most))
    if count < least:  # no "done" yet: the campaign asks for more
        return Question(turn.t("reporting.photos_more", count=count, more=least - count, most=most), restart)
    return Question(turn.t("reporting.photos_so_far", count=count, most=most), [DONE_CHOICE, *restart])


def fix_intro(turn: Turn, count: int, most: int) -> str:
    """What staff asked about the photos, until a new one has come."""
    if not turn.answers.get("need_new") or new_photos(turn):
        return ""
    numbers = turn.answers.get("replace_numbers") or []
    if numbers:
        shown = numbers_text(numbers, turn.language)
        return turn.t("photos.fix.replace", numbers=shown, kept=count, most=most)
    return turn.t("photos.fix.more", kept=count, most=most)


def photo_choices(turn: Turn) -> list[Choice]:
    """What the photo question takes besides photos: "done" (typed even before its button shows,
    which says how many are still wanted) and, when changing a report's photos, "start again"."""
    return [DONE_CHOICE, *([RESTART_CHOICE] if changing_photos(turn) else [])]


def changing_photos(turn: Turn) -> bool:
    return turn.answers.get("changing") == "photos"


# --- a photo arrives ------------------------------------------------------------------------------
def photo_received(turn: Turn, incoming: Incoming) -> Outcome:
    photo = turn.photo
    if turn.after_break and photo is not None and photo.kind == "stored":
        turn.answers["held"] = [photo.to_dict()]
        return Outcome.go("report:held_photo")
    return take(turn, photo)


def take(turn: Turn, photo: ReceivedPhoto | None) -> Outcome:
    """Add the photo to the draft, or say plainly why it was not added."""
    if photo is None or photo.kind == "removed":
        return Outcome.again(turn.t("reporting.photo_not_kept"))
    if photo.kind == "refused":
        return Outcome.again(photo_refusal_text(photo.refusal or "unreadable", turn.language))
    photos = turn.answers.setdefault("photos", [])
    if photo.photo_id in photos:
        return Outcome.again()
    refused = reuse_refusal(turn, photo)
    if refused:
        return Outcome.again(refused)
    most = limits(turn)[1]
    if len(photos) >= most:
        return Outcome.again(turn.t("reporting.photos_full", most=most))
    photos.append(photo.photo_id)
    note = reuse_note(turn, photo)
    return Outcome.again(note or received_text(photo, turn.language))


def reuse_refusal(turn: Turn, photo: ReceivedPhoto) -> str | None:
    """Why a photo identical to one in a report is not added (None: it may be added)."""
    match = photo.reused
    if match is None or not match.exact or match.report_id is None:
        return None
    if match.report_id == turn.answers.get("report_id"):
        wrong = match.photo_id in turn.answers.get("replace_ids", [])
        return turn.t("photos.marked_wrong" if wrong else "photos.in_this_report")
    report = turn.session.get(Report, match.report_id)
    if report is None or report.status == "withdrawn":
        return None
    return turn.t("photos.reused_in", ref=reference(report))


def reuse_note(turn: Turn, photo: ReceivedPhoto) -> str | None:
    """The one sentence for an added photo that looks like another (flagged for staff)."""
    match = photo.reused
    if match is None or match.report_id == turn.answers.get("report_id"):
        return None
    turn.answers["dup"] = True
    report = turn.session.get(Report, match.report_id) if match.report_id else None
    if report is None:
        return turn.t("photos.similar_elsewhere")
    return turn.t("photos.similar_to", ref=reference(report))


# --- done / start again -------------------------------------------------------------------------
def photos_choice(turn: Turn, value: str) -> Outcome:
    if value == RESTART:
        count = len(turn.answers.get("photos", []))
        turn.answers["photos"] = []
        return Outcome.again(turn.t("photos.restarted", count=count))
    count, least = len(live_photos(turn)), limits(turn)[0]
    if count == 0:
        return Outcome.again(turn.t("reporting.photos_needed", least=least))
    if count < least:
        return Outcome.again()  # the question says how many more
    if turn.answers.get("need_new") and not new_photos(turn):
        return Outcome.again(turn.t("photos.fix.need_new", done=turn.t("reporting.done")))
    turn.answers["photos_done"] = True
    turn.answers.pop("need_new", None)
    said = place_from_photos(turn)
    return advance(turn, *([said] if said else []), answered="photos")


def photos_text(turn: Turn, text: str) -> Outcome:
    """Typed words at the photo question that are none of its choices: a reminder."""
    return Outcome.again(turn.t("conv.expect.image"))


# --- a photo after a long break -----------------------------------------------------------------
def ask_held(turn: Turn) -> Question:
    held = len(turn.answers.get("held", []))
    count = len(turn.answers.get("photos", []))
    kind = activity(turn)
    text = turn.t(
        "photos.held.ask",
        activity=label(kind, turn.language),
        held=held,
        total=min(count + held, limits(turn)[1]),
    )
    return Question(text, HELD_CHOICES)


def held_choice(turn: Turn, value: str) -> Outcome:
    held = [ReceivedPhoto.from_dict(d) for d in turn.answers.pop("held", [])]
    if value == DROP:
        return Outcome.go("report:photos", turn.t("photos.held.dropped", held=len(held)))
    said: list[str] = []  # "photo received" was said when it came: only what differs now
    for photo in held:
        said += [text for text in take(turn, photo).say if text != received_text(photo, turn.language)]
    return Outcome.go("report:photos", *said)


def held_more(turn: Turn, incoming: Incoming) -> Outcome:
    """Another photo of the same sending (LINE sends photos chosen together one by one)."""
    photo = turn.photo
    if photo is not None and photo.kind == "stored":
        turn.answers.setdefault("held", []).append(photo.to_dict())
        return Outcome.again()
    return Outcome.again(turn.t("photos.held.choose"))


# --- place --------------------------------------------------------------------------------------
def place_from_photos(turn: Turn) -> str | None:
    """Take the place from the first photo with GPS when none is given yet; the sentence saying so."""
    if turn.answers.get("place_done") or not turn.answers.get("photos"):
        return None
    row = turn.session.execute(
        select(Photo.gps_lat, Photo.gps_lon)
        .where(Photo.id.in_(turn.answers["photos"]), Photo.gps_lat.is_not(None), Photo.gps_lon.is_not(None))
        .order_by(Photo.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    turn.answers["place"] = {"lat": row.gps_lat, "lon": row.gps_lon, "address": ""}
    turn.answers["place_done"] = True
    where = f"{row.gps_lat:.5f}, {row.gps_lon:.5f}"
    return turn.t(
        "photos.place_from_photo",
        where=where,
        change=turn.t("reporting.change"),
        place=turn.t("reporting.place_label"),
    )


def ask_place(turn: Turn) -> Question:
    return Question(turn.t("reporting.ask_place"), [SKIP_CHOICE], location_key="reporting.share_place")


def place_received(turn: Turn, incoming: Incoming) -> Outcome:
    turn.answers["place"] = {"lat": incoming.latitude, "lon": incoming.longitude, "address": incoming.address}
    turn.answers["place_done"] = True
    return advance(turn, answered="place")


def place_choice(turn: Turn, value: str) -> Outcome:
    turn.answers["place"], turn.answers["place_done"] = None, True
    return advance(turn, answered="place")


def steps() -> dict[str, Step]:
    """The photo, held-photo and place steps of the report flow."""
    return {
        "report:photos": media_step(
            ask_photos,
            "reporting.help_photos",
            photos_choice,
            photo_received,
            "image",
            on_text=photos_text,
            choices=photo_choices,
        ),
        "report:held_photo": media_step(ask_held, "photos.held.help", held_choice, held_more, "image"),
        "report:place": media_step(
            ask_place, "reporting.help_place", place_choice, place_received, "location"
        ),
    }


def media_step(
    ask: Callable[[Turn], Question],
    help_key: str,
    on_choice: Callable[[Turn, str], Outcome],
    on_media: Callable[[Turn, Incoming], Outcome],
    kind: str,
    **more: Any,
) -> Step:
    """A question answered with a button, typed words or one kind of media (`kind`)."""
    accepts = frozenset({"text", "postback", kind})
    return Step(ask=ask, help_key=help_key, on_choice=on_choice, on_media=on_media, accepts=accepts, **more)

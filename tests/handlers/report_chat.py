"""Driving the report flow in tests: a coordinator `Chat` that can send photos and tap long labels."""

from __future__ import annotations

import copy
import itertools
import json
import secrets
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import select

import calc
from bot.fakeline.events import image_event, new_message_id
from bot.runtime import runtime
from handlers.services.agencies import approve_agency, register_agency
from storage.models import Photo
from storage.models.reports import Report
from tests.handlers.domain_helpers import registration
from tests.helpers import Chat, post_events, wait_for
from tests.photo_samples import phone_jpeg

NOW = datetime(2024, 6, 10, 3, 0, tzinfo=UTC)
# Photos sent without saying which are each a new picture (a photo used in a report before is refused).
_FRESH = itertools.count(1000)


@cache
def photo(seed: int = 1) -> bytes:
    """A phone photo without GPS (the report flow asks for the place)."""
    return phone_jpeg((800, 600), seed=seed, lat=None, lon=None)


@cache
def gps_photo(seed: int = 1, lat: float = 18.7883, lon: float = 98.9853) -> bytes:
    """A phone photo that says where it was taken (Chiang Mai unless told)."""
    return phone_jpeg((800, 600), seed=seed, lat=lat, lon=lon)


class ReportChat(Chat):
    """A coordinator of an approved agency (made with the domain functions) in the chat."""

    def __init__(self, app, fake_line, *, coordinator: bool = True, user_id: str | None = None) -> None:
        super().__init__(app.test_client(), fake_line, user_id)
        self.app = app
        if coordinator:
            with runtime(app).session_factory.begin() as session:
                agency = register_agency(
                    session, self.user, registration(name=f"เทศบาล {self.user[-6:]}"), NOW
                )
                approve_agency(session, agency.id, "cli", NOW)
                self.agency_id = agency.id

    def tap_starting(self, prefix: str) -> list[str]:
        """Tap the button whose label starts with `prefix`, or the short button of that long name."""
        short = short_labels().get(prefix)
        for label in self.buttons:
            if label == short or label.startswith(prefix):
                return self.tap(label)
        raise AssertionError(f"no button for {prefix!r}; buttons are {self.buttons}")

    def send_photo(self, data: bytes | None = None, message_id: str | None = None) -> list[str]:
        message_id = message_id or new_message_id()
        self.fake.register_content(message_id, data if data is not None else photo(next(_FRESH)))
        return self._send(lambda **kw: image_event(self.user, message_id, **kw))

    def send_photos_together(self, images: list[bytes]) -> list[dict]:
        """Several photos sent at once, as LINE does: one body, an image event per photo sharing an
        imageSet id with index/total; waits for an answer to each. Returns the events sent."""
        set_id, events = secrets.token_hex(16), []
        for index, data in enumerate(images, start=1):
            message_id = new_message_id()
            self.fake.register_content(message_id, data)
            self.clock_ms += 1
            image_set = {"id": set_id, "index": index, "total": len(images)}
            token = self.fake.issue_reply_token(self.user)
            events.append(
                image_event(self.user, message_id, image_set, timestamp_ms=self.clock_ms, reply_token=token)
            )
        self.post_together(events, answers=len(events))
        return events

    def post_together(self, events: list[dict], answers: int) -> None:
        before = len(self.fake.delivered_to(self.user))
        assert post_events(self.client, events).status_code == 200
        if answers:
            deliveries = wait_for(lambda: (lambda d: d if len(d) >= before + answers else None)(
                self.fake.delivered_to(self.user)
            ))  # fmt: skip
            self.last = [dict(m) for m in deliveries[-1].messages]
            self.history.extend([dict(m) for m in d.messages] for d in deliveries[before:])

    def redeliver(self, events: list[dict]) -> None:
        """LINE sends the same events again (same webhookEventId, isRedelivery)."""
        again = [copy.deepcopy(event) for event in events]
        for event in again:
            event["deliveryContext"]["isRedelivery"] = True
        self.post_together(again, answers=0)

    def photos(self) -> list[Photo]:
        with runtime(self.app).session_factory() as session:
            return list(
                session.scalars(select(Photo).where(Photo.line_user_id == self.user).order_by(Photo.id))
            )

    @property
    def flex(self) -> dict | None:
        return next((m for m in self.last if m.get("type") == "flex"), None)

    @property
    def flex_text(self) -> str:
        """Every text in the last Flex card, joined."""
        found: list[str] = []

        def walk(node):
            if isinstance(node, dict):
                if node.get("type") == "text":
                    found.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.flex or {})
        return "\n".join(found)

    def reports(self) -> list[Report]:
        with runtime(self.app).session_factory() as session:
            return list(
                session.scalars(
                    select(Report).where(Report.reporter_line_user_id == self.user).order_by(Report.id)
                )
            )


@cache
def short_labels() -> dict[str, str]:
    """Each long activity, field and choice name (both languages) -> its button label."""
    found: dict[str, str] = {}
    for kind in calc.activity_types():
        items = [kind, *kind.fields, *(c for f in kind.fields for c in f.choices)]
        for item in items:
            found[item.label_th] = item.button("th")
            found[item.label_en] = item.button("en")
    return found


def stored_result(report: Report) -> dict:
    return json.loads(report.result)

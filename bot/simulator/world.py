"""The simulated side of LINE: simulated users, what they send, and what the bot sent them.

A simulated user sends events the way LINE's app does: a signed webhook POST to `/callback`
(through the app's own WSGI stack, so the webhook checks the signature and the inbox stores the
event as for real LINE). What the bot sent is read back from the fake platform's ledger of
accepted requests. The bot never learns that its users are simulated.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from werkzeug.test import Client

from bot.fakeline.events import (
    follow_event,
    image_event,
    location_event,
    new_message_id,
    new_user_id,
    postback_event,
    sign,
    sticker_event,
    text_event,
    unfollow_event,
    webhook_body,
)
from bot.fakeline.server import FakeLinePlatform
from bot.timeutil import Clock

# Shown to everyone, like LINE does with broadcasts (narrowcasts too: the fake keeps no audience).
_EVERYONE = ("broadcast", "narrowcast")


@dataclass
class SimulatedUser:
    """One person with LINE on their phone, as the simulator plays them."""

    user_id: str
    display_name: str
    language: str = "th"
    followed: bool = False
    ever_followed: bool = False


class WebhookFailed(RuntimeError):
    """`/callback` refused the simulated event (it should never: the simulator signs correctly)."""


class SimulatedWorld:
    """Simulated users and their chats with the bot, on top of one fake LINE platform.

    `app` is the WSGI app to deliver webhooks to; `clock` is the app's clock (event timestamps
    follow it, so after time travel the bot sees events from the future it now lives in).
    """

    def __init__(
        self,
        *,
        app: Callable[..., Any],
        fake: FakeLinePlatform,
        channel_secret: str,
        clock: Clock,
        state_dir: Path,
    ) -> None:
        self.fake = fake
        self.clock = clock
        self._client = Client(app)
        self._secret = channel_secret
        self._users_file = state_dir / "simulator-users.json"
        self._lock = threading.RLock()
        self._users: dict[str, SimulatedUser] = {}
        self._sent: dict[str, list[dict[str, Any]]] = {}  # user id -> what they sent, in order
        self._last_ms: dict[str, int] = {}
        self._load()

    # -- users ----------------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            saved = json.loads(self._users_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        for row in saved:
            self._remember(SimulatedUser(**row))

    def _save(self) -> None:
        self._users_file.parent.mkdir(parents=True, exist_ok=True)
        rows = [asdict(user) for user in self._users.values()]
        tmp = self._users_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self._users_file)

    def _remember(self, user: SimulatedUser) -> None:
        self._users[user.user_id] = user
        # The bot asks LINE for the profile (language, on follow): the fake must know it.
        self.fake.register_profile(user.user_id, user.display_name, user.language)

    def users(self) -> list[SimulatedUser]:
        """Every simulated user, oldest first."""
        with self._lock:
            return list(self._users.values())

    def user(self, user_id: str) -> SimulatedUser | None:
        with self._lock:
            return self._users.get(user_id)

    def create_user(self, display_name: str, language: str = "th") -> SimulatedUser:
        """A new person (not yet a friend of the account); their profile is registered with LINE."""
        with self._lock:
            user = SimulatedUser(new_user_id(), display_name.strip()[:20] or "?", language)
            self._remember(user)
            self._save()
        return user

    def add_friend(self, user_id: str, display_name: str, language: str = "th") -> SimulatedUser:
        """A person with this LINE user id who has the account as a friend already (example data:
        no follow event is sent). Someone known already is left as they are."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                user = SimulatedUser(user_id, display_name, language, followed=True, ever_followed=True)
                self._remember(user)
                self._save()
        return user

    # -- sending --------------------------------------------------------------------------------

    def _timestamp_ms(self, user_id: str) -> int:
        # The app's clock, strictly increasing per user (LINE orders a user's events by it).
        ms = int(self.clock.now().timestamp() * 1000)
        with self._lock:
            ms = max(ms, self._last_ms.get(user_id, 0) + 1)
            self._last_ms[user_id] = ms
        return ms

    def _note(self, user_id: str, entry: dict[str, Any]) -> None:
        with self._lock:
            entry = {"from": "user", "time": self.fake.now(), **entry}
            self._sent.setdefault(user_id, []).append(entry)

    def _post(self, events: list[dict[str, Any]]) -> int:
        body = webhook_body(events)
        response = self._client.post(
            "/callback",
            data=body,
            headers={"Content-Type": "application/json", "X-Line-Signature": sign(self._secret, body)},
        )
        if response.status_code != 200:
            raise WebhookFailed(f"/callback answered {response.status_code}")
        return response.status_code

    def _replyable(self, user_id: str, build: Callable[..., dict[str, Any]]) -> int:
        token = self.fake.issue_reply_token(user_id)
        return self._post([build(timestamp_ms=self._timestamp_ms(user_id), reply_token=token)])

    def follow(self, user_id: str) -> int:
        """Add the account as a friend (or unblock it)."""
        user = self._known(user_id)
        unblocked = user.ever_followed
        with self._lock:
            user.followed = user.ever_followed = True
            self._save()
        self._note(user_id, {"kind": "system", "event": "unblock" if unblocked else "follow"})
        return self._replyable(user_id, lambda **kw: follow_event(user_id, is_unblocked=unblocked, **kw))

    def unfollow(self, user_id: str) -> int:
        """Block the account."""
        user = self._known(user_id)
        with self._lock:
            user.followed = False
            self._save()
        self._note(user_id, {"kind": "system", "event": "block"})
        return self._post([unfollow_event(user_id, timestamp_ms=self._timestamp_ms(user_id))])

    def say(self, user_id: str, text: str) -> int:
        """Type and send a text message (a message action does the same)."""
        self._known(user_id)
        self._note(user_id, {"kind": "text", "text": text})
        return self._replyable(user_id, lambda **kw: text_event(user_id, text, **kw))

    def postback(
        self, user_id: str, data: str, params: dict[str, str] | None = None, display_text: str | None = None
    ) -> int:
        """Tap a postback (or datetime picker) button; LINE shows its displayText as sent by the user."""
        self._known(user_id)
        if display_text:
            self._note(user_id, {"kind": "text", "text": display_text})
        elif params:
            self._note(user_id, {"kind": "picked", "params": dict(params)})
        return self._replyable(user_id, lambda **kw: postback_event(user_id, data, params, **kw))

    def switch_rich_menu(self, user_id: str, alias: str, data: str) -> int:
        """A richmenuswitch action: LINE's app shows the alias's menu and sends a postback."""
        self._known(user_id)
        menu_id = self.fake.rich_menu_aliases.get(alias)
        status = "RICHMENU_ALIAS_ID_NOTFOUND" if menu_id is None else "SUCCESS"
        if menu_id is not None:
            self.fake.user_rich_menus[user_id] = menu_id
        params = {"newRichMenuAliasId": alias, "status": status}
        return self._replyable(user_id, lambda **kw: postback_event(user_id, data, params, **kw))

    def send_location(
        self,
        user_id: str,
        latitude: float,
        longitude: float,
        title: str | None = None,
        address: str | None = None,
    ) -> int:
        """Share a location."""
        self._known(user_id)
        self._note(
            user_id,
            {
                "kind": "location",
                "latitude": latitude,
                "longitude": longitude,
                "title": title,
                "address": address,
            },
        )
        return self._replyable(
            user_id,
            lambda **kw: location_event(user_id, latitude, longitude, title=title, address=address, **kw),
        )

    def send_image(self, user_id: str, data: bytes, content_type: str) -> tuple[int, str]:
        """Send a photo: LINE keeps its bytes (the bot downloads them by message id)."""
        self._known(user_id)
        message_id = new_message_id()
        self.fake.register_content(message_id, data, content_type)
        self._note(user_id, {"kind": "image", "message_id": message_id})
        status = self._replyable(user_id, lambda **kw: image_event(user_id, message_id, **kw))
        return status, message_id

    def send_sticker(self, user_id: str) -> int:
        """Send a sticker (people do, mid-question)."""
        self._known(user_id)
        self._note(user_id, {"kind": "sticker"})
        return self._replyable(user_id, lambda **kw: sticker_event(user_id, **kw))

    def _known(self, user_id: str) -> SimulatedUser:
        user = self.user(user_id)
        if user is None:
            raise KeyError(user_id)
        return user

    # -- reading --------------------------------------------------------------------------------

    def transcript(self, user_id: str) -> list[dict[str, Any]]:
        """The chat as the user's phone shows it: what they sent and what the bot sent them
        (replies, pushes, multicasts, broadcasts), oldest first, each with its time."""
        with self._lock:
            entries = [dict(entry) for entry in self._sent.get(user_id, ())]
        for delivery in self.fake.deliveries:
            if delivery.to != user_id and delivery.to not in _EVERYONE:
                continue
            for message in delivery.messages:
                entries.append(
                    {"from": "bot", "time": delivery.time, "via": delivery.kind, "message": message}
                )
        entries.sort(key=lambda entry: entry["time"])
        fake_now, now = self.fake.now(), self.clock.now()
        for entry in entries:
            # The fake keeps monotonic time; show each entry on the app's clock.
            at = now - timedelta(seconds=fake_now - entry["time"])
            entry["at"] = at.astimezone(UTC).isoformat()
            del entry["time"]
        return entries

    def rich_menu(self, user_id: str) -> dict[str, Any] | None:
        """The rich menu this user sees (linked to them, else the default), without its image."""
        menu_id = self.fake.rich_menu_for(user_id)
        if menu_id is None or menu_id not in self.fake.rich_menu_images:
            return None
        menu = self.fake.rich_menus.get(menu_id)
        if menu is None:
            return None
        return {
            "richMenuId": menu_id,
            "size": menu.get("size"),
            "selected": bool(menu.get("selected")),
            "chatBarText": menu.get("chatBarText", ""),
            "areas": menu.get("areas", []),
        }

    def rich_menu_image(self, menu_id: str) -> tuple[bytes, str] | None:
        return self.fake.rich_menu_images.get(menu_id)

    def now(self) -> datetime:
        return self.clock.now()

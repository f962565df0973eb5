"""The fake platform's rich-menu endpoints (menus, images, aliases, default and per-user links):
a mixin of FakeLinePlatform (server.py), which routes `/v2/bot/richmenu/…` and
`/v2/bot/user/…/richmenu` here and holds the state below under its lock."""

from __future__ import annotations

import io
import secrets
import threading
from typing import Any

from PIL import Image

from ._wire import _error, _Reject, _Response

_MAX_RICH_MENU_IMAGE = 1024 * 1024  # LINE: 1 MB


class RichMenuEndpoints:
    """State and `_h_<kind>` handlers of the rich-menu API (the server calls them by route kind)."""

    _lock: threading.RLock
    rich_menus: dict[str, dict[str, Any]]
    rich_menu_images: dict[str, tuple[bytes, str]]
    default_rich_menu: str | None
    user_rich_menus: dict[str, str]
    rich_menu_aliases: dict[str, str]

    def _h_richmenu_create(self, *, body: dict[str, Any], **_: Any) -> _Response:
        menu_id = "richmenu-" + secrets.token_hex(16)
        with self._lock:
            self.rich_menus[menu_id] = {"richMenuId": menu_id, "selected": False, **body}
        return _Response(200, {"richMenuId": menu_id})

    def _h_richmenu_validate(self, **_: Any) -> _Response:
        return _Response(200, {})

    def _menu(self, rich_menu_id: str) -> dict[str, Any]:
        with self._lock:
            menu = self.rich_menus.get(rich_menu_id)
        if menu is None:
            raise _Reject(_error(404, "Not found"), violation=False)
        return menu

    def _usable_menu(self, rich_menu_id: str) -> None:
        self._menu(rich_menu_id)
        with self._lock:
            if rich_menu_id not in self.rich_menu_images:
                raise _Reject(_error(400, "must upload richmenu image before applying it to user"))

    def _h_richmenu_upload(
        self, *, rich_menu_id: str, raw: bytes, headers: dict[str, str], **_: Any
    ) -> _Response:
        self._menu(rich_menu_id)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        problems = _image_problems(raw, content_type)
        if problems:
            raise _Reject(_error(400, "Invalid rich menu image", [("", p) for p in problems]))
        with self._lock:
            # LINE.md: an uploaded image cannot be replaced (create a new menu).
            if rich_menu_id in self.rich_menu_images:
                raise _Reject(_error(400, "An image has already been uploaded to the richmenu"))
            self.rich_menu_images[rich_menu_id] = (raw, content_type)
        return _Response(200, {})

    def _h_richmenu_download(self, *, rich_menu_id: str, **_: Any) -> _Response:
        self._menu(rich_menu_id)
        with self._lock:
            image = self.rich_menu_images.get(rich_menu_id)
        if image is None:
            raise _Reject(_error(404, "Not found"), violation=False)
        return _Response(200, image[0], content_type=image[1])

    def _h_richmenu_get(self, *, rich_menu_id: str, **_: Any) -> _Response:
        return _Response(200, dict(self._menu(rich_menu_id)))

    def _h_richmenu_list(self, **_: Any) -> _Response:
        with self._lock:
            return _Response(200, {"richmenus": [dict(m) for m in self.rich_menus.values()]})

    def _h_richmenu_delete(self, *, rich_menu_id: str, **_: Any) -> _Response:
        self._menu(rich_menu_id)
        with self._lock:
            self.rich_menus.pop(rich_menu_id, None)
            self.rich_menu_images.pop(rich_menu_id, None)
            if self.default_rich_menu == rich_menu_id:
                self.default_rich_menu = None
            self.user_rich_menus = {u: m for u, m in self.user_rich_menus.items() if m != rich_menu_id}
        return _Response(200, {})

    def _h_default_set(self, *, rich_menu_id: str, **_: Any) -> _Response:
        self._usable_menu(rich_menu_id)
        with self._lock:
            self.default_rich_menu = rich_menu_id
        return _Response(200, {})

    def _h_default_get(self, **_: Any) -> _Response:
        with self._lock:
            menu_id = self.default_rich_menu
        if menu_id is None:
            raise _Reject(_error(404, "no default richmenu"), violation=False)
        return _Response(200, {"richMenuId": menu_id})

    def _h_default_cancel(self, **_: Any) -> _Response:
        with self._lock:
            self.default_rich_menu = None
        return _Response(200, {})

    def _h_user_link(self, *, user_id: str, rich_menu_id: str, **_: Any) -> _Response:
        self._usable_menu(rich_menu_id)
        with self._lock:
            self.user_rich_menus[user_id] = rich_menu_id
        return _Response(200, {})

    def _h_user_get(self, *, user_id: str, **_: Any) -> _Response:
        with self._lock:
            menu_id = self.user_rich_menus.get(user_id)
        if menu_id is None:
            raise _Reject(_error(404, "the user has no richmenu"), violation=False)
        return _Response(200, {"richMenuId": menu_id})

    def _h_user_unlink(self, *, user_id: str, **_: Any) -> _Response:
        with self._lock:
            self.user_rich_menus.pop(user_id, None)
        return _Response(200, {})

    def _h_bulk_link(self, *, body: dict[str, Any], **_: Any) -> _Response:
        self._usable_menu(body["richMenuId"])
        with self._lock:
            for user_id in body["userIds"]:
                self.user_rich_menus[user_id] = body["richMenuId"]
        return _Response(202, {})

    def _h_bulk_unlink(self, *, body: dict[str, Any], **_: Any) -> _Response:
        with self._lock:
            for user_id in body["userIds"]:
                self.user_rich_menus.pop(user_id, None)
        return _Response(202, {})

    def _h_alias_create(self, *, body: dict[str, Any], **_: Any) -> _Response:
        alias, menu_id = body["richMenuAliasId"], body["richMenuId"]
        with self._lock:
            if menu_id not in self.rich_menus:
                raise _Reject(_error(400, "richmenu not found"))
            if alias in self.rich_menu_aliases:
                raise _Reject(_error(400, "conflict richmenu alias id"))
            self.rich_menu_aliases[alias] = menu_id
        return _Response(200, {})

    def _h_alias_list(self, **_: Any) -> _Response:
        with self._lock:
            aliases = [{"richMenuAliasId": a, "richMenuId": m} for a, m in self.rich_menu_aliases.items()]
        return _Response(200, {"aliases": aliases})

    def _h_alias_get(self, *, alias_id: str, **_: Any) -> _Response:
        with self._lock:
            menu_id = self.rich_menu_aliases.get(alias_id)
        if menu_id is None:
            raise _Reject(_error(404, "richmenu alias not found"), violation=False)
        return _Response(200, {"richMenuAliasId": alias_id, "richMenuId": menu_id})

    def _h_alias_update(self, *, alias_id: str, body: dict[str, Any], **_: Any) -> _Response:
        menu_id = body["richMenuId"]
        with self._lock:
            if alias_id not in self.rich_menu_aliases:
                raise _Reject(_error(400, "richmenu alias not found"))
            if menu_id not in self.rich_menus:
                raise _Reject(_error(400, "richmenu not found"))
            self.rich_menu_aliases[alias_id] = menu_id
        return _Response(200, {})

    def _h_alias_delete(self, *, alias_id: str, **_: Any) -> _Response:
        with self._lock:
            if self.rich_menu_aliases.pop(alias_id, None) is None:
                raise _Reject(_error(404, "richmenu alias not found"), violation=False)
        return _Response(200, {})


def _image_problems(data: bytes, content_type: str) -> list[str]:
    """Rich-menu image rules (LINE.md): JPEG/PNG, ≤ 1 MB, width 800–2500, height ≥ 250, w/h ≥ 1.45."""
    if content_type not in ("image/png", "image/jpeg"):
        return [f"Content-Type must be image/png or image/jpeg, not {content_type or 'missing'!r}"]
    if len(data) > _MAX_RICH_MENU_IMAGE:
        return ["The image exceeds 1 MB"]
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
    except Exception:  # Pillow raises several types for garbage input
        return ["The image cannot be decoded"]
    problems = []
    if {"PNG": "image/png", "JPEG": "image/jpeg"}.get(fmt or "") != content_type:
        problems.append(f"The image is {fmt}, but Content-Type says {content_type}")
    if not 800 <= width <= 2500:
        problems.append(f"Image width must be between 800 and 2500 px, not {width}")
    if height < 250:
        problems.append(f"Image height must be at least 250 px, not {height}")
    if height and width / height < 1.45:
        problems.append(f"Image width/height must be at least 1.45, not {width / height:.2f}")
    return problems

"""The fake platform's routes, rate limits and retry-key rules, as LINE documents them (LINE.md)."""

from __future__ import annotations

import re

_DAY = 24 * 3600.0
_RETRY_KEY_KINDS = frozenset({"push", "multicast", "narrowcast", "broadcast"})
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# Per-channel rate limits (LINE.md "Replies and pushes"): bucket -> (calls, window seconds).
# Endpoints not listed get their own 2,000/s bucket ("most others 2,000/s").
_RATE_LIMITS: dict[str, tuple[int, float]] = {
    "multicast": (200, 1.0),
    "broadcast": (60, 3600.0),  # broadcast and narrowcast share one 60/hour budget
    "narrowcast": (60, 3600.0),
    "push": (2000, 1.0),
    "loading": (100, 1.0),
    "richmenu_create": (100, 3600.0),  # rich-menu create/delete share 100/hour
    "richmenu_delete": (100, 3600.0),
    # LINE's rate-limit table puts "Delete rich menu alias" in the same 100/hour group.
    "alias_delete": (100, 3600.0),
}
_SHARED_BUCKET = {
    "narrowcast": "broadcast",
    "richmenu_delete": "richmenu_create",
    "alias_delete": "richmenu_create",
}
_DEFAULT_RATE = (2000, 1.0)

# (method, path regex, handler kind). Literal paths come before templated ones.
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(p), k)
    for m, p, k in [
        ("POST", r"/v2/bot/message/reply", "reply"),
        ("POST", r"/v2/bot/message/push", "push"),
        ("POST", r"/v2/bot/message/multicast", "multicast"),
        ("POST", r"/v2/bot/message/broadcast", "broadcast"),
        ("POST", r"/v2/bot/message/narrowcast", "narrowcast"),
        ("GET", r"/v2/bot/message/quota", "quota"),
        ("GET", r"/v2/bot/message/quota/consumption", "quota_consumption"),
        ("GET", r"/v2/bot/message/(?P<message_id>[^/]+)/content", "content"),
        ("GET", r"/v2/bot/profile/(?P<user_id>[^/]+)", "profile"),
        ("POST", r"/v2/bot/chat/loading/start", "loading"),
        ("POST", r"/v2/bot/richmenu", "richmenu_create"),
        ("POST", r"/v2/bot/richmenu/validate", "richmenu_validate"),
        ("GET", r"/v2/bot/richmenu/list", "richmenu_list"),
        ("POST", r"/v2/bot/richmenu/alias", "alias_create"),
        ("GET", r"/v2/bot/richmenu/alias/list", "alias_list"),
        ("GET", r"/v2/bot/richmenu/alias/(?P<alias_id>[^/]+)", "alias_get"),
        ("POST", r"/v2/bot/richmenu/alias/(?P<alias_id>[^/]+)", "alias_update"),
        ("DELETE", r"/v2/bot/richmenu/alias/(?P<alias_id>[^/]+)", "alias_delete"),
        ("POST", r"/v2/bot/richmenu/bulk/link", "bulk_link"),
        ("POST", r"/v2/bot/richmenu/bulk/unlink", "bulk_unlink"),
        ("POST", r"/v2/bot/richmenu/(?P<rich_menu_id>[^/]+)/content", "richmenu_upload"),
        ("GET", r"/v2/bot/richmenu/(?P<rich_menu_id>[^/]+)/content", "richmenu_download"),
        ("GET", r"/v2/bot/richmenu/(?P<rich_menu_id>[^/]+)", "richmenu_get"),
        ("DELETE", r"/v2/bot/richmenu/(?P<rich_menu_id>[^/]+)", "richmenu_delete"),
        ("POST", r"/v2/bot/user/all/richmenu/(?P<rich_menu_id>[^/]+)", "default_set"),
        ("GET", r"/v2/bot/user/all/richmenu", "default_get"),
        ("DELETE", r"/v2/bot/user/all/richmenu", "default_cancel"),
        ("POST", r"/v2/bot/user/(?P<user_id>[^/]+)/richmenu/(?P<rich_menu_id>[^/]+)", "user_link"),
        ("GET", r"/v2/bot/user/(?P<user_id>[^/]+)/richmenu", "user_get"),
        ("DELETE", r"/v2/bot/user/(?P<user_id>[^/]+)/richmenu", "user_unlink"),
    ]
]
_BINARY_KINDS = frozenset({"richmenu_upload"})


def route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The handler kind and path parameters of a LINE endpoint; None if LINE has no such one."""
    for route_method, regex, kind in _ROUTES:
        match = regex.fullmatch(path)
        if match and route_method == method:
            return kind, match.groupdict()
    return None

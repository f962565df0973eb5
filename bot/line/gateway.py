"""The one place that talks to LINE: a thin class over line-bot-sdk 3 (`linebot.v3`).

Every call carries a timeout (the SDK has none by default), errors become `LineApiError` with
the facts the outbox needs (retryable? already accepted?), and reply falls back to push when the
reply token is stale. No raw HTTP to LINE anywhere else.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    BroadcastRequest,
    Configuration,
    CreateRichMenuAliasRequest,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    NarrowcastRequest,
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuBulkLinkRequest,
    RichMenuBulkUnlinkRequest,
    RichMenuRequest,
    ShowLoadingAnimationRequest,
    UpdateRichMenuAliasRequest,
)
from pydantic.v1 import PrivateAttr
from urllib3.exceptions import HTTPError as Urllib3Error

log = logging.getLogger(__name__)


class LineApiError(Exception):
    """A LINE call failed. `status` is None for timeouts and connection errors."""

    def __init__(self, status: int | None, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"LINE API {status or 'no response'}: {message}")
        self.status = status
        self.message = message
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """429, 5xx and no response are worth retrying with the same retry key; other 4xx never."""
        return self.status is None or self.status == 429 or self.status >= 500

    @property
    def already_accepted(self) -> bool:
        """409 on a request with a retry key: LINE accepted an earlier attempt."""
        return self.status == 409

    @property
    def quota_exhausted(self) -> bool:
        return self.status == 429 and "monthly limit" in self.message.lower()

    @property
    def invalid_reply_token(self) -> bool:
        return self.status == 400 and "reply token" in self.message.lower()


def _error_from(exc: ApiException) -> LineApiError:
    message = exc.reason or ""
    try:
        body = json.loads(exc.body or b"{}")
        message = str(body.get("message") or message)
    except (ValueError, AttributeError):
        pass
    retry_after = None
    if exc.headers:
        raw = exc.headers.get("Retry-After")
        if raw and raw.isdigit():
            retry_after = float(raw)
    return LineApiError(exc.status, message, retry_after=retry_after)


class ContentTooLarge(Exception):
    """A user's content is bigger than the caller's cap; the download stopped there."""


# LINE's content API host; `base_url` replaces it too (the fake platform serves both).
CONTENT_HOST = "https://api-data.line.me"
CONTENT_CHUNK = 64 * 1024
MAX_MULTICAST_IDS = 500  # LINE.md: at most 500 user ids per multicast


@dataclass(frozen=True)
class Quota:
    """The channel's monthly message quota: `limit` None means unlimited."""

    limit: int | None
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


@dataclass(frozen=True)
class Profile:
    user_id: str
    display_name: str
    language: str | None


class _CheckedMulticast(MulticastRequest):
    """A MulticastRequest whose messages were checked by the SDK's models once per content and
    whose ids are checked in one pass (`checked_multicast`).

    Why: a fan-out sends the same messages to 200 lists of 500 ids. The SDK model checks each id
    through pydantic on the way in, and walks each id and every part of a Flex message through
    pydantic again on the way out: on this 2-core machine that was most of the sender's CPU,
    more than the HTTP call (bench/fanout.py). Everything the SDK does with the request (its
    argument check, serialization, the HTTP call) is unchanged; only `to_dict` reuses the body
    checked for the first list."""

    _body: dict = PrivateAttr(default_factory=dict)

    def to_dict(self) -> dict:
        return {**self._body, "to": list(self.to)}


@functools.lru_cache(maxsize=32)
def _multicast_template(messages_json: str) -> tuple[MulticastRequest, dict]:
    template = MulticastRequest.from_dict({"to": ["U" + "0" * 32], "messages": json.loads(messages_json)})
    return template, template.to_dict()  # "to" replaced per request, in the same place


def checked_multicast(to: Sequence[str], messages: Sequence[dict]) -> MulticastRequest:
    """The SDK's MulticastRequest for these ids and messages (raises ValueError, or pydantic's
    ValidationError for messages LINE would refuse)."""
    ids = list(to)
    if not 1 <= len(ids) <= MAX_MULTICAST_IDS or set(map(type, ids)) != {str} or "" in ids:
        raise ValueError(f"a multicast goes to 1 to {MAX_MULTICAST_IDS} user ids")
    template, body = _multicast_template(json.dumps(list(messages), ensure_ascii=False, sort_keys=True))
    request = _CheckedMulticast.construct(
        _fields_set=template.__fields_set__, **{**template.__dict__, "to": ids}
    )
    request._body = body
    return request


class LineGateway:
    """Wraps `MessagingApi` and `MessagingApiBlob` with timeouts and error mapping.

    `base_url` sends every call (api-data included) to another host: the fake platform in tests
    and in the demo. Thread-safe: the SDK client uses a urllib3 pool.
    """

    def __init__(self, access_token: str, *, base_url: str | None = None, timeout: float = 5.0) -> None:
        configuration = Configuration(host=base_url, access_token=access_token)
        configuration.retries = 0  # retries are ours (outbox), with the same retry key
        configuration.connection_pool_maxsize = 32
        self._client = ApiClient(configuration)
        self._content_host = (base_url or CONTENT_HOST).rstrip("/")
        self._access_token = access_token
        self._api = MessagingApi(self._client)
        self._blob = MessagingApiBlob(self._client)
        self.timeout = timeout

    def close(self) -> None:
        self._client.close()

    def _call(self, fn, *args: Any, **kwargs: Any):
        try:
            return fn(*args, _request_timeout=self.timeout, **kwargs)
        except ApiException as exc:
            raise _error_from(exc) from None
        except (Urllib3Error, OSError) as exc:
            raise LineApiError(None, type(exc).__name__) from None

    # --- messages -------------------------------------------------------------------------
    def reply(self, reply_token: str, messages: Sequence[dict]) -> None:
        request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": list(messages)})
        self._call(self._api.reply_message, request)

    def push(self, to: str, messages: Sequence[dict], *, retry_key: str) -> None:
        request = PushMessageRequest.from_dict({"to": to, "messages": list(messages)})
        self._call(self._api.push_message, request, x_line_retry_key=retry_key)

    def reply_or_push(
        self,
        reply_token: str | None,
        to: str,
        messages: Sequence[dict],
        *,
        retry_key: str,
        token_may_be_used: bool = False,
        on_token_refused: Callable[[], None] | None = None,
    ) -> str:
        """Reply while the token works, else push (costs quota but arrives).

        Returns "reply", "push", or "already": with `token_may_be_used` (an earlier attempt with
        this token got no answer), LINE refusing the token means that attempt used it, so the user
        has the messages and a push would say everything twice. `on_token_refused` runs when the
        token is refused for good, before the push (so a failed push is retried as a push).
        """
        if reply_token:
            try:
                self.reply(reply_token, messages)
                return "reply"
            except LineApiError as exc:
                if not exc.invalid_reply_token:
                    raise
                if token_may_be_used:
                    return "already"
                if on_token_refused is not None:
                    on_token_refused()
        self.push(to, messages, retry_key=retry_key)
        return "push"

    def multicast(self, to: Sequence[str], messages: Sequence[dict], *, retry_key: str) -> None:
        self._call(self._api.multicast, checked_multicast(to, messages), x_line_retry_key=retry_key)

    def broadcast(self, messages: Sequence[dict], *, retry_key: str) -> None:
        request = BroadcastRequest.from_dict({"messages": list(messages)})
        self._call(self._api.broadcast, request, x_line_retry_key=retry_key)

    def narrowcast(
        self,
        messages: Sequence[dict],
        *,
        retry_key: str,
        recipient: dict | None = None,
        filter: dict | None = None,
    ) -> None:
        body: dict[str, Any] = {"messages": list(messages)}
        if recipient:
            body["recipient"] = recipient
        if filter:
            body["filter"] = filter
        self._call(self._api.narrowcast, NarrowcastRequest.from_dict(body), x_line_retry_key=retry_key)

    def quota(self) -> Quota:
        """This month's message quota and how much of it is used (two GETs)."""
        limit = self._call(self._api.get_message_quota)
        used = self._call(self._api.get_message_quota_consumption)
        value = limit.value if limit.type == "limited" else None
        return Quota(limit=value, used=used.total_usage)

    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        request = ShowLoadingAnimationRequest(chatId=chat_id, loadingSeconds=seconds)
        self._call(self._api.show_loading_animation, request)

    # --- users and content ------------------------------------------------------------------
    def get_profile(self, user_id: str) -> Profile:
        profile = self._call(self._api.get_profile, user_id)
        return Profile(profile.user_id, profile.display_name, getattr(profile, "language", None))

    def get_message_content(self, message_id: str) -> bytes:
        return bytes(self._call(self._blob.get_message_content, message_id))

    def download_message_content(self, message_id: str, max_bytes: int, *, deadline: float = 60.0) -> bytes:
        """A user's image (video, audio) from LINE's content API, streamed and cut off at `max_bytes`
        (`ContentTooLarge`): a declared Content-Length over the cap is refused before reading, and
        an undeclared or false one is stopped once the cap is passed. Each read waits at most the
        gateway's timeout and the whole download at most `deadline` seconds. 404 (unknown or
        expired) and 410 (unsent) come back as `LineApiError` with that status.

        `MessagingApiBlob.get_message_content` cannot do this: even with `_preload_content=False`
        the SDK reads the whole body into memory (`ApiResponse.raw_data`). So the request goes
        through the same SDK client (`ApiClient.request`: its connection pool, TLS settings and
        error mapping), taking the response unread.
        """
        url = f"{self._content_host}/v2/bot/message/{quote(message_id, safe='')}/content"
        headers = {"Authorization": f"Bearer {self._access_token}", "Accept": "*/*"}
        try:
            response = self._client.request(
                "GET", url, headers=headers, _preload_content=False, _request_timeout=self.timeout
            )
        except ApiException as exc:
            raise _error_from(exc) from None
        except (Urllib3Error, OSError) as exc:
            raise LineApiError(None, type(exc).__name__) from None
        finished = False
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ContentTooLarge(f"{declared} bytes declared")
            chunks: list[bytes] = []
            received = 0
            give_up_at = time.monotonic() + deadline
            for chunk in response.stream(CONTENT_CHUNK):
                received += len(chunk)
                if received > max_bytes:
                    raise ContentTooLarge(f"over {max_bytes} bytes")
                if time.monotonic() > give_up_at:
                    raise LineApiError(None, "content download over its deadline")
                chunks.append(chunk)
            finished = True
            return b"".join(chunks)
        except (Urllib3Error, OSError) as exc:
            raise LineApiError(None, type(exc).__name__) from None
        finally:
            if finished:
                response.release_conn()
            else:  # unread data on the wire: drop the connection rather than pool it
                response.close()

    # --- rich menus -----------------------------------------------------------------------
    def create_rich_menu(self, rich_menu: dict) -> str:
        response = self._call(self._api.create_rich_menu, RichMenuRequest.from_dict(rich_menu))
        return response.rich_menu_id

    def set_rich_menu_image(self, rich_menu_id: str, image: bytes, content_type: str) -> None:
        self._call(
            self._blob.set_rich_menu_image,
            rich_menu_id,
            bytearray(image),
            _headers={"Content-Type": content_type},
        )

    def list_rich_menus(self) -> list[dict]:
        response = self._call(self._api.get_rich_menu_list)
        return [menu.to_dict() for menu in response.richmenus]

    def delete_rich_menu(self, rich_menu_id: str) -> None:
        self._call(self._api.delete_rich_menu, rich_menu_id)

    def set_default_rich_menu(self, rich_menu_id: str) -> None:
        self._call(self._api.set_default_rich_menu, rich_menu_id)

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> None:
        self._call(self._api.link_rich_menu_id_to_user, user_id, rich_menu_id)

    def link_rich_menu_bulk(self, user_ids: Sequence[str], rich_menu_id: str) -> None:
        request = RichMenuBulkLinkRequest(richMenuId=rich_menu_id, userIds=list(user_ids))
        self._call(self._api.link_rich_menu_id_to_users, request)

    def create_rich_menu_alias(self, alias_id: str, rich_menu_id: str) -> None:
        request = CreateRichMenuAliasRequest(richMenuAliasId=alias_id, richMenuId=rich_menu_id)
        self._call(self._api.create_rich_menu_alias, request)

    def update_rich_menu_alias(self, alias_id: str, rich_menu_id: str) -> None:
        request = UpdateRichMenuAliasRequest(richMenuId=rich_menu_id)
        self._call(self._api.update_rich_menu_alias, alias_id, request)

    def delete_rich_menu_alias(self, alias_id: str) -> None:
        self._call(self._api.delete_rich_menu_alias, alias_id)

    def list_rich_menu_aliases(self) -> dict[str, str]:
        """alias id -> rich menu id."""
        response = self._call(self._api.get_rich_menu_alias_list)
        return {alias.rich_menu_alias_id: alias.rich_menu_id for alias in response.aliases}

    def get_rich_menu_alias(self, alias_id: str) -> str | None:
        """The rich menu an alias names, or None when LINE has no such alias."""
        try:
            return self._call(self._api.get_rich_menu_alias, alias_id).rich_menu_id
        except LineApiError as error:
            if error.status in (400, 404):
                return None
            raise

    def get_default_rich_menu_id(self) -> str | None:
        try:
            return self._call(self._api.get_default_rich_menu_id).rich_menu_id
        except LineApiError as error:
            if error.status == 404:
                return None
            raise

    def has_rich_menu_image(self, rich_menu_id: str) -> bool:
        """Whether the menu's image was uploaded (a menu without one cannot be shown)."""
        try:
            self._call(self._blob.get_rich_menu_image, rich_menu_id)
        except LineApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    def unlink_rich_menu(self, user_id: str) -> None:
        self._call(self._api.unlink_rich_menu_id_from_user, user_id)

    def unlink_rich_menu_bulk(self, user_ids: Sequence[str]) -> None:
        request = RichMenuBulkUnlinkRequest(userIds=list(user_ids))
        self._call(self._api.unlink_rich_menu_id_from_users, request)

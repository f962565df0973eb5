"""The outbox's rich-menu linker: sends "richmenu" rows (a role's menu for up to 500 users).

A role names a menu (`OutboxRepository.enqueue_richmenu_link(menu="coordinator")`); the linker
finds the menu the last sync made for it through the role's alias (`ruamjai-<page>`, cached for
a short while) and links one user (per-user API) or many (bulk API, ≤ 500 ids a call). The
"subscriber" menu is LINE's default, so those users are unlinked instead.

A row applies only to the users whose recorded menu (`richmenu_assignments`) is still the row's:
if a person was approved and then left, an older row retried late changes nothing for them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from bot.line.gateway import LineApiError, LineGateway
from bot.timeutil import Clock
from richmenus.definitions import Menus, load_menus
from storage.richmenu_assignments import DEFAULT_MENU, RichMenuAssignmentRepository


class MenusNotSynced(Exception):
    """LINE has no menu for this role yet (`ruamjai richmenu sync` never ran): the row is
    skipped, and the first sync links everyone recorded."""


class RichMenuLinker:
    def __init__(
        self,
        gateway: LineGateway,
        session_factory: sessionmaker[Session],
        clock: Clock,
        *,
        menus: Menus | None = None,
        cache_seconds: float = 30.0,
    ) -> None:
        self.gateway = gateway
        self.session_factory = session_factory
        self.clock = clock
        self.menus = menus or load_menus()
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def menu_id(self, role: str, *, fresh: bool = False) -> str | None:
        """The rich menu id LINE has for the role's entry page (by its alias), cached briefly."""
        alias = self.menus.pages[self.menus.roles[role]].alias
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(role)
        if cached and not fresh and cached[1] > now:
            return cached[0]
        menu_id = self.gateway.get_rich_menu_alias(alias)
        with self._lock:
            if menu_id is None:
                self._cache.pop(role, None)
            else:
                self._cache[role] = (menu_id, now + self.cache_seconds)
        return menu_id

    def link(self, line_user_ids: Sequence[str], menu: str, *, rich_menu_id: str | None = None) -> int:
        """Give these users `menu`'s rich menu; returns how many it applied to. `rich_menu_id`:
        the menu a sync just made for it, tried before any look-up. Raises LineApiError (the
        outbox retries or gives up) or MenusNotSynced (the outbox skips)."""
        if menu not in self.menus.roles:
            raise ValueError(f"no rich menu for role {menu!r}")
        with self.session_factory() as session:
            wanted = RichMenuAssignmentRepository(session).menus_of(line_user_ids)
        users = [user for user in line_user_ids if wanted[user] == menu]
        if not users:
            return 0
        if menu == DEFAULT_MENU:
            if len(users) == 1:
                self.gateway.unlink_rich_menu(users[0])
            else:
                self.gateway.unlink_rich_menu_bulk(users)
        else:
            self._link(users, menu, rich_menu_id)
        with self.session_factory.begin() as session:
            RichMenuAssignmentRepository(session).mark_linked(users, menu, self.clock.now())
        return len(users)

    def _link(self, users: list[str], role: str, hint: str | None) -> None:
        menu_id = hint or self.menu_id(role)
        if menu_id is None:
            raise MenusNotSynced(role)
        try:
            self._send(users, menu_id)
            if hint:
                with self._lock:
                    self._cache[role] = (hint, time.monotonic() + self.cache_seconds)
        except LineApiError as error:
            # A sync elsewhere replaced the menu since we cached its id: look again, once.
            if error.status not in (400, 404):
                raise
            fresh = self.menu_id(role, fresh=True)
            if fresh is None:
                raise MenusNotSynced(role) from None
            if fresh == menu_id:
                raise
            self._send(users, fresh)

    def _send(self, users: list[str], menu_id: str) -> None:
        if len(users) == 1:
            self.gateway.link_rich_menu(users[0], menu_id)
        else:
            self.gateway.link_rich_menu_bulk(users, menu_id)

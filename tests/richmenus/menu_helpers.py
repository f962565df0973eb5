"""Shared by tests that follow a person's rich menu on the fake LINE platform."""

from __future__ import annotations

import pytest

from bot.line.richmenu_sync import sync_rich_menus
from bot.runtime import runtime
from richmenus.plan import page_of


@pytest.fixture(name="menus")
def menus_fixture(app, fake_line) -> dict[str, str]:
    """Sync the project's menus onto the fake; page -> rich menu id."""
    rt = runtime(app)
    sync_rich_menus(rt.gateway, rt.session_factory, rt.clock.now())
    return {page_of(m["name"]): menu_id for menu_id, m in fake_line.rich_menus.items() if page_of(m["name"])}

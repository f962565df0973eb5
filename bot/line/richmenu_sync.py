"""`ruamjai richmenu sync`: make LINE's rich menus match richmenus/menus.toml, idempotently.

Reads what LINE has (menus, which of ours have their image, aliases, the default), asks
`richmenus.plan.plan_sync` what to change, and does it through the LINE gateway. A menu's name
carries its page and content hash (`ruamjai:<page>:<hash>`), so no local state is needed and a
second run in a row only reads. When a role's menus were replaced, everyone of that role (from
`richmenu_assignments`) is linked again through outbox rows of at most 500 users.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.line.gateway import LineGateway
from richmenus.definitions import Menus, load_menus
from richmenus.plan import Desired, Existing, Plan, desired_menus, plan_sync
from storage.repositories import OutboxRepository
from storage.richmenu_assignments import RichMenuAssignmentRepository

log = logging.getLogger("ruamjai.richmenu")


@dataclass
class SyncResult:
    plan: Plan
    applied: bool
    menu_ids: dict[str, str] = field(default_factory=dict)  # page -> rich menu id after the sync
    relinked: dict[str, int] = field(default_factory=dict)  # role -> users queued for linking

    def describe(self) -> list[str]:
        lines = self.plan.describe()
        for role, count in self.relinked.items():
            lines.append(f"queued {count} user(s) of role {role} for linking")
        return lines


def read_line(
    gateway: LineGateway, desired: list[Desired]
) -> tuple[list[Existing], dict[str, str], str | None]:
    """What LINE has now: read calls only. Images are checked only for menus that match a
    definition (the ones the sync would keep)."""
    wanted = {want.name for want in desired}
    existing = []
    for menu in gateway.list_rich_menus():
        name = menu.get("name") or ""
        has_image = gateway.has_rich_menu_image(menu["richMenuId"]) if name in wanted else True
        existing.append(Existing(menu["richMenuId"], name, has_image))
    return existing, gateway.list_rich_menu_aliases(), gateway.get_default_rich_menu_id()


def sync_rich_menus(
    gateway: LineGateway,
    session_factory: sessionmaker[Session],
    now: datetime,
    *,
    dry_run: bool = False,
    menus: Menus | None = None,
) -> SyncResult:
    """Plan, and unless `dry_run`, apply. Safe to re-run after a failure part-way: the next run
    finishes what is missing (a menu created without its image gets it, stale ones go)."""
    menus = menus or load_menus()
    desired = desired_menus(menus)
    existing, aliases, default = read_line(gateway, desired)
    plan = plan_sync(menus, desired, existing, aliases, default)
    result = SyncResult(plan, applied=not dry_run, menu_ids=dict(plan.kept))
    if dry_run:
        with session_factory() as session:
            assignments = RichMenuAssignmentRepository(session)
            result.relinked = {role: len(assignments.users_with(role)) for role in plan.relink_roles}
        return result
    by_page = {want.page: want for want in desired}
    ids = result.menu_ids
    deletions = [step for step in plan.steps if step.kind in ("alias_delete", "delete")]
    for step in plan.steps:
        if step.kind == "create":
            want = by_page[step.page]
            ids[want.page] = gateway.create_rich_menu(want.rich_menu)
            gateway.set_rich_menu_image(ids[want.page], want.image, want.content_type)
        elif step.kind == "upload":
            want = by_page[step.page]
            gateway.set_rich_menu_image(step.rich_menu_id, want.image, want.content_type)
        elif step.kind == "alias_create":
            gateway.create_rich_menu_alias(step.alias, ids[step.page])
        elif step.kind == "alias_update":
            gateway.update_rich_menu_alias(step.alias, ids[step.page])
        elif step.kind == "default":
            gateway.set_default_rich_menu(ids[step.page])
    # Queue the relinks before anything is deleted, so a failed deletion cannot leave people
    # without their menu: deleting is the part a rerun can always finish.
    result.relinked = _queue_relinks(session_factory, menus, plan.relink_roles, ids, now)
    for step in deletions:
        if step.kind == "alias_delete":
            gateway.delete_rich_menu_alias(step.alias)
        else:
            gateway.delete_rich_menu(step.rich_menu_id)
    log.info("rich menus synced", extra={"steps": len(plan.steps), "relinked": sum(result.relinked.values())})
    return result


def _queue_relinks(
    session_factory: sessionmaker[Session],
    menus: Menus,
    roles: list[str],
    ids: dict[str, str],
    now: datetime,
) -> dict[str, int]:
    queued: dict[str, int] = {}
    with session_factory.begin() as session:
        assignments = RichMenuAssignmentRepository(session)
        outbox = OutboxRepository(session)
        for role in roles:
            users = assignments.users_with(role)
            queued[role] = len(users)
            if users:
                # The new entry menu's id keys the rows: a later sync that replaces it again
                # queues new rows; rerunning this one adds none.
                menu_id = ids[menus.roles[role]]
                outbox.enqueue_richmenu_link(
                    line_user_ids=users,
                    menu=role,
                    dedupe_key=f"richmenu-sync:{role}:{menu_id}",
                    now=now,
                    assign=False,
                    rich_menu_id=menu_id,
                )
    return queued

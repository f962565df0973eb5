"""What a rich-menu sync must do, decided from what LINE has: a pure function, no calls.

LINE keeps no field of ours but a menu's `name`, so the name carries everything the sync needs:
`ruamjai:<page>:<hash>`, where the hash covers the menu object and its image bytes. A menu whose
name matches the definition is up to date; any other menu named `ruamjai:…` is ours and stale.
Nothing is stored locally, so any machine can run the sync, and running it twice changes nothing
the second time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from richmenus.definitions import ALIAS_PREFIX, NAME_PREFIX, ROLES, Menus, Page
from richmenus.render import Rendered, render_page


@dataclass(frozen=True)
class Desired:
    """One page as LINE should have it."""

    page: str
    alias: str
    name: str
    rich_menu: dict
    image: bytes
    content_type: str


@dataclass(frozen=True)
class Existing:
    """One rich menu LINE has (from the list call); `has_image` from a download attempt."""

    rich_menu_id: str
    name: str
    has_image: bool = True


def content_hash(rich_menu: dict, image: bytes) -> str:
    """12 hex digits over the menu object (without its name) and the image bytes."""
    body = {k: v for k, v in rich_menu.items() if k != "name"}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())
    digest.update(hashlib.sha256(image).digest())
    return digest.hexdigest()[:12]


def desired_menus(menus: Menus, render: Callable[[Page], Rendered] = render_page) -> list[Desired]:
    """Every page rendered and named by its content."""
    out = []
    for page in menus.pages.values():
        rendered = render(page)
        unnamed = page.rich_menu("")
        name = f"{NAME_PREFIX}{page.key}:{content_hash(unnamed, rendered.data)}"
        out.append(
            Desired(page.key, page.alias, name, page.rich_menu(name), rendered.data, rendered.content_type)
        )
    return out


def page_of(name: str) -> str | None:
    """The page a menu named by this project belongs to ("ruamjai:staff:ab12…" → "staff")."""
    if not name.startswith(NAME_PREFIX):
        return None
    page, _, _ = name[len(NAME_PREFIX) :].partition(":")
    return page or None


# -- steps ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    kind: str  # create | upload | alias_create | alias_update | default | delete | alias_delete
    page: str | None = None  # the page whose menu the step needs (create, upload, alias, default)
    rich_menu_id: str | None = None  # upload / delete: an existing menu
    alias: str | None = None
    note: str = ""

    def describe(self) -> str:
        target = self.page or self.rich_menu_id or ""
        extra = f" ({self.note})" if self.note else ""
        alias = f" {self.alias}" if self.alias else ""
        return f"{self.kind}{alias} {target}{extra}".strip()


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    # Pages whose menu is kept as LINE has it: page -> rich menu id.
    kept: dict[str, str] = field(default_factory=dict)
    # Roles whose users must be linked again (one of the role's pages gets a new menu).
    relink_roles: list[str] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return bool(self.steps)

    def describe(self) -> list[str]:
        lines = [step.describe() for step in self.steps]
        lines += [f"relink users of role {role}" for role in self.relink_roles]
        return lines or ["nothing to do: LINE has every menu as defined"]


def plan_sync(
    menus: Menus,
    desired: Sequence[Desired],
    existing: Sequence[Existing],
    aliases: Mapping[str, str],
    default_menu_id: str | None,
) -> Plan:
    """The steps that make LINE match `desired`, in a safe order: new menus complete with their
    images first, then aliases and the default point at them, then stale menus and aliases go."""
    plan = Plan()
    ours = [menu for menu in existing if page_of(menu.name) is not None]
    keep_ids: set[str] = set()
    changed_pages: set[str] = set()
    for want in desired:
        same = [menu for menu in ours if menu.name == want.name]
        complete = [menu for menu in same if menu.has_image]
        if complete:
            plan.kept[want.page] = complete[0].rich_menu_id
            keep_ids.add(complete[0].rich_menu_id)
        elif same:  # created by a run that stopped before its upload: finish it
            plan.kept[want.page] = same[0].rich_menu_id
            keep_ids.add(same[0].rich_menu_id)
            plan.steps.append(Step("upload", want.page, same[0].rich_menu_id, note="image missing"))
            changed_pages.add(want.page)
        else:
            changed_pages.add(want.page)
            plan.steps.append(Step("create", want.page, note=want.name))
    for want in desired:
        current = aliases.get(want.alias)
        target = plan.kept.get(want.page)
        if current is None:
            plan.steps.append(Step("alias_create", want.page, alias=want.alias))
        elif target is None or current != target:
            plan.steps.append(Step("alias_update", want.page, alias=want.alias))
    default_page = menus.roles["subscriber"]
    if default_menu_id is None or default_menu_id != plan.kept.get(default_page):
        plan.steps.append(Step("default", default_page))
    # Stale aliases first: an alias must not outlive the menu it names.
    wanted_aliases = {want.alias for want in desired}
    for alias in aliases:
        if alias.startswith(ALIAS_PREFIX) and alias not in wanted_aliases:
            plan.steps.append(Step("alias_delete", alias=alias))
    deleted_pages: set[str] = set()
    for menu in ours:
        if menu.rich_menu_id not in keep_ids:
            plan.steps.append(Step("delete", rich_menu_id=menu.rich_menu_id, note=menu.name))
            deleted_pages.add(page_of(menu.name) or "")
    # LINE drops a user's link when their menu is deleted (they fall back to the default), and
    # a new menu has nobody linked yet: the role's users must be linked again.
    changed = changed_pages | deleted_pages
    for role in ROLES:
        if role == "subscriber":
            continue  # subscribers see the default menu: nobody is linked to it one by one
        if any(page.key in changed for page in menus.pages_of_role(role)):
            plan.relink_roles.append(role)
    return plan

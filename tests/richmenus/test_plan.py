"""The sync's plan, decided from what LINE has (no LINE here: the plan is a pure function)."""

from __future__ import annotations

from richmenus.definitions import load_menus
from richmenus.plan import Existing, desired_menus, page_of, plan_sync
from richmenus.render import Rendered

MENUS = load_menus()


def stub_render(page):
    return Rendered(f"image of {page.key}".encode(), "image/png", 96, 54)


DESIRED = desired_menus(MENUS, render=stub_render)
IDS = {want.page: f"richmenu-{want.page}" for want in DESIRED}


def in_sync() -> tuple[list[Existing], dict[str, str], str]:
    existing = [Existing(IDS[w.page], w.name) for w in DESIRED]
    aliases = {w.alias: IDS[w.page] for w in DESIRED}
    return existing, aliases, IDS["subscriber"]


def kinds(plan) -> list[tuple[str, str | None]]:
    return [(s.kind, s.page or s.alias or s.rich_menu_id) for s in plan.steps]


def test_names_carry_page_and_a_hash_of_menu_and_image():
    names = {w.page: w.name for w in DESIRED}
    assert all(page_of(name) == page for page, name in names.items())
    other = desired_menus(MENUS, render=lambda p: Rendered(b"other pixels", "image/png", 96, 54))
    assert {w.page: w.name for w in other}.keys() == names.keys()
    assert all(names[w.page] != w.name for w in other)  # a new image is a new menu
    assert page_of("campaign banner") is None


def test_nothing_to_do_when_line_matches():
    plan = plan_sync(MENUS, DESIRED, *in_sync())
    assert plan.steps == [] and plan.relink_roles == [] and not plan.writes


def test_hand_made_menus_and_aliases_are_left_alone_but_the_default_is_ours():
    existing, aliases, _ = in_sync()
    existing.append(Existing("richmenu-banner", "campaign banner"))
    aliases["promo"] = "richmenu-banner"
    plan = plan_sync(MENUS, DESIRED, existing, aliases, "richmenu-banner")
    assert kinds(plan) == [("default", "subscriber")]


def test_duplicates_and_stale_menus_and_aliases_of_ours_are_deleted_and_their_roles_relinked():
    existing, aliases, default = in_sync()
    coordinator = next(w for w in DESIRED if w.page == "coordinator")
    existing.append(Existing("richmenu-dup", coordinator.name))  # a retried create
    existing.append(Existing("richmenu-old-staff", "ruamjai:staff:0123456789ab"))
    aliases["ruamjai-retired-page"] = IDS["staff"]
    plan = plan_sync(MENUS, DESIRED, existing, aliases, default)
    assert kinds(plan) == [
        ("alias_delete", "ruamjai-retired-page"),
        ("delete", "richmenu-dup"),
        ("delete", "richmenu-old-staff"),
    ]
    # Users linked to a deleted menu fall back to the default: both roles are linked again.
    assert plan.relink_roles == ["coordinator", "staff"]


def test_a_menu_created_without_its_image_gets_the_image_instead_of_a_new_menu():
    existing, aliases, default = in_sync()
    existing = [
        e if e.rich_menu_id != IDS["staff"] else Existing(e.rich_menu_id, e.name, False) for e in existing
    ]
    plan = plan_sync(MENUS, DESIRED, existing, aliases, default)
    assert kinds(plan) == [("upload", "staff")] and plan.relink_roles == ["staff"]


def test_from_nothing_every_page_is_created_then_aliased_then_made_default():
    plan = plan_sync(MENUS, DESIRED, [], {}, None)
    pages = list(MENUS.pages)
    assert kinds(plan) == (
        [("create", p) for p in pages] + [("alias_create", p) for p in pages] + [("default", "subscriber")]
    )
    assert plan.relink_roles == ["coordinator", "staff"]
    assert plan.describe()[0].startswith("create subscriber (ruamjai:subscriber:")

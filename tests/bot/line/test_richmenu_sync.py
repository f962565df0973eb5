"""`ruamjai richmenu sync` and per-user rich menus, against the fake LINE platform."""

from __future__ import annotations

import time
import tomllib

import pytest

from bot.cli import main
from bot.line.richmenu_sync import sync_rich_menus
from bot.runtime import runtime
from richmenus.definitions import DEFINITIONS, load_menus, parse_menus
from richmenus.plan import desired_menus, page_of
from storage.repositories import OutboxRepository
from storage.richmenu_assignments import RichMenuAssignmentRepository

PAGES = set(load_menus().pages)


@pytest.fixture
def rt(app):
    return runtime(app)


def sync(rt, **kwargs):
    return sync_rich_menus(rt.gateway, rt.session_factory, rt.clock.now(), **kwargs)


def changed_menus():
    """The project's menus with the coordinator page's last two cells swapped: a change to that
    page alone (its cells also appear on other pages, so a relabel would change those too)."""
    with open(DEFINITIONS, "rb") as fh:
        raw = tomllib.load(fh)
    cells = raw["pages"]["coordinator"]["cells"]
    cells[-1], cells[-2] = cells[-2], cells[-1]
    return parse_menus(raw)


def ours(fake) -> dict[str, str]:
    """page -> rich menu id of the menus this project made on the fake."""
    return {page_of(m["name"]): menu_id for menu_id, m in fake.rich_menus.items() if page_of(m["name"])}


def writes(fake, since: int = 0):
    return [r for r in fake.requests[since:] if r.method != "GET"]


def drain(rt, timeout: float = 60) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rt.outbox.send_due(limit=1000)
        with rt.session_factory() as session:
            counts = OutboxRepository(session).counts()
        if not counts.get("pending") and not counts.get("sending"):
            return counts
        time.sleep(0.02)
    raise AssertionError(f"outbox not drained: {counts}")


def enqueue(rt, users, menu, key):
    with rt.session_factory.begin() as session:
        return OutboxRepository(session).enqueue_richmenu_link(
            line_user_ids=users, menu=menu, dedupe_key=key, now=rt.clock.now()
        )


def users(n: int, prefix: str) -> list[str]:
    return [f"U{prefix}{i:031x}" for i in range(n)]


def test_first_sync_creates_every_menu_with_its_image_aliases_and_the_default(rt, fake_line):
    # A menu made by hand in the Official Account Manager is not ours: left alone.
    hand_made = rt.gateway.create_rich_menu(
        {
            "size": {"width": 2500, "height": 843},
            "selected": False,
            "name": "campaign banner",
            "chatBarText": "โปรโมชัน",
            "areas": [],
        }
    )
    result = sync(rt)
    menus = ours(fake_line)
    assert set(menus) == PAGES and hand_made in fake_line.rich_menus
    assert set(fake_line.rich_menu_images) == set(menus.values())
    assert fake_line.rich_menu_aliases == {f"ruamjai-{page}": menu_id for page, menu_id in menus.items()}
    assert fake_line.default_rich_menu == menus["subscriber"]
    assert result.menu_ids == menus
    # Every tab names an alias that exists; names carry page and content hash.
    for menu in fake_line.rich_menus.values():
        for area in menu["areas"]:
            if area["action"]["type"] == "richmenuswitch":
                assert area["action"]["richMenuAliasId"] in fake_line.rich_menu_aliases
    assert all(len(fake_line.rich_menus[i]["name"].split(":")[2]) == 12 for i in menus.values())
    created = fake_line.calls("POST", "/v2/bot/richmenu")
    assert len([c for c in created if c.path == "/v2/bot/richmenu"]) == len(PAGES) + 1  # + hand-made


def test_a_second_sync_in_a_row_only_reads(rt, fake_line, capsys):
    sync(rt)
    before = dict(fake_line.rich_menus), dict(fake_line.rich_menu_aliases), fake_line.default_rich_menu
    mark = len(fake_line.requests)
    result = sync(rt)
    assert not result.plan.writes and writes(fake_line, mark) == []
    assert (
        dict(fake_line.rich_menus),
        dict(fake_line.rich_menu_aliases),
        fake_line.default_rich_menu,
    ) == before
    assert result.describe() == ["nothing to do: LINE has every menu as defined"]


def test_a_definition_change_replaces_only_that_menu_and_relinks_its_users(rt, fake_line):
    sync(rt)
    first = ours(fake_line)
    coordinators = users(3, "c")
    enqueue(rt, coordinators, "coordinator", "approve:1")
    drain(rt)
    assert {fake_line.rich_menu_for(u) for u in coordinators} == {first["coordinator"]}

    mark = len(fake_line.requests)
    result = sync(rt, menus=changed_menus())
    second = ours(fake_line)
    assert second["coordinator"] != first["coordinator"]
    assert {k: v for k, v in second.items() if k != "coordinator"} == {
        k: v for k, v in first.items() if k != "coordinator"
    }
    assert first["coordinator"] not in fake_line.rich_menus  # the stale one is deleted
    assert fake_line.rich_menu_aliases["ruamjai-coordinator"] == second["coordinator"]
    assert fake_line.default_rich_menu == first["subscriber"]
    assert [(r.method, r.path.split("/")[-1]) for r in writes(fake_line, mark)] == [
        ("POST", "richmenu"),
        ("POST", "content"),
        ("POST", "ruamjai-coordinator"),
        ("DELETE", first["coordinator"]),
    ]
    # Deleting the old menu dropped the coordinators to the default; the relink brings them back.
    assert result.relinked == {"coordinator": 3}
    drain(rt)
    assert {fake_line.rich_menu_for(u) for u in coordinators} == {second["coordinator"]}


def test_dry_run_prints_the_plan_and_changes_nothing(rt, fake_line, monkeypatch, web_env, capsys):
    sync(rt)
    for name, value in web_env.items():
        monkeypatch.setenv(name, value)
    mark = len(fake_line.requests)
    assert main(["richmenu", "sync", "--dry-run"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    result = sync(rt, menus=changed_menus(), dry_run=True)
    assert writes(fake_line, mark) == []
    kinds = [step.kind for step in result.plan.steps]
    assert kinds == ["create", "alias_update", "delete"] and result.plan.relink_roles == ["coordinator"]
    assert result.plan.steps[0].describe().startswith("create coordinator (ruamjai:coordinator:")


def test_the_cli_sync_then_a_rerun_that_only_reads(rt, fake_line, monkeypatch, web_env, capsys):
    for name, value in web_env.items():
        monkeypatch.setenv(name, value)
    assert main(["richmenu", "sync"]) == 0
    out = capsys.readouterr().out
    assert out.count("(ruamjai:") == len(PAGES) and "default" in out
    mark = len(fake_line.requests)
    assert main(["richmenu", "sync"]) == 0
    assert writes(fake_line, mark) == [] and "nothing to do" in capsys.readouterr().out


def test_a_sync_finishes_a_menu_a_failed_run_created_without_its_image(rt, fake_line):
    sync(rt)
    menus = changed_menus()
    coordinator = next(d for d in desired_menus(menus) if d.page == "coordinator")
    orphan = rt.gateway.create_rich_menu(coordinator.rich_menu)  # the run stopped here
    result = sync(rt, menus=menus)
    assert [s.kind for s in result.plan.steps] == ["upload", "alias_update", "delete"]
    assert ours(fake_line)["coordinator"] == orphan and orphan in fake_line.rich_menu_images


def test_a_role_change_links_one_user_and_leaving_unlinks_them(rt, fake_line):
    sync(rt)
    menus = ours(fake_line)
    user = "U" + "a" * 32
    enqueue(rt, [user], "coordinator", "approve:7")
    assert drain(rt) == {"sent": 1}
    assert fake_line.rich_menu_for(user) == menus["coordinator"]
    assert [c.path for c in fake_line.calls("POST", f"/v2/bot/user/{user}")] == [
        f"/v2/bot/user/{user}/richmenu/{menus['coordinator']}"
    ]
    with rt.session_factory() as session:
        row = RichMenuAssignmentRepository(session).get(user)
        assert row.menu == "coordinator" and row.linked_at is not None

    enqueue(rt, [user], "subscriber", "leave:7")
    drain(rt)
    assert fake_line.rich_menu_for(user) == menus["subscriber"]  # back to the default
    assert fake_line.calls("DELETE", f"/v2/bot/user/{user}/richmenu")
    with rt.session_factory() as session:
        assert RichMenuAssignmentRepository(session).get(user) is None


def test_an_older_link_sent_late_does_not_undo_a_newer_one(rt, fake_line):
    sync(rt)
    user = "U" + "b" * 32
    enqueue(rt, [user], "coordinator", "approve:8")
    enqueue(rt, [user], "subscriber", "leave:8")
    with rt.session_factory() as session:
        approve, leave = sorted(row[0] for row in OutboxRepository(session).due_rows(rt.clock.now(), 10))
    assert rt.outbox.deliver(leave) == "sent"
    assert rt.outbox.deliver(approve) == "sent"  # nothing to do for this user any more
    assert fake_line.rich_menu_for(user) == ours(fake_line)["subscriber"]
    assert fake_line.calls("POST", f"/v2/bot/user/{user}/richmenu") == []


def test_links_asked_for_before_any_sync_are_made_by_the_first_sync(rt, fake_line):
    staff = users(2, "s")
    enqueue(rt, staff, "staff", "staff-add:1")
    assert drain(rt) == {"skipped": 1}  # no menus on LINE yet
    result = sync(rt)
    assert result.relinked == {"coordinator": 0, "staff": 2}
    drain(rt)
    assert {fake_line.rich_menu_for(u) for u in staff} == {ours(fake_line)["staff"]}


@pytest.mark.slow
def test_relinking_1200_users_after_a_sync_takes_three_bulk_calls(rt, fake_line):
    sync(rt)
    coordinators = users(1200, "d")
    assert enqueue(rt, coordinators, "coordinator", "import:1") == 3
    drain(rt)
    assert len(fake_line.calls("POST", "/v2/bot/richmenu/bulk/link")) == 3
    mark = len(fake_line.requests)
    result = sync(rt, menus=changed_menus())
    assert result.relinked == {"coordinator": 1200}
    drain(rt)
    bulk = [r for r in fake_line.requests[mark:] if r.path == "/v2/bot/richmenu/bulk/link"]
    assert len(bulk) == 3 and all(r.status == 202 for r in bulk)
    assert sorted(len(r.json["userIds"]) for r in bulk) == [200, 500, 500]
    new_menu = ours(fake_line)["coordinator"]
    assert {fake_line.rich_menu_for(u) for u in coordinators} == {new_menu}


def test_erasing_a_person_deletes_their_menu_record(rt, fake_line):
    user = "U" + "e" * 32
    enqueue(rt, [user], "coordinator", "approve:9")
    with rt.session_factory.begin() as session:
        assert RichMenuAssignmentRepository(session).forget(user) is True
    with rt.session_factory.begin() as session:
        assert RichMenuAssignmentRepository(session).get(user) is None
        assert RichMenuAssignmentRepository(session).forget(user) is False


def test_a_link_after_another_process_replaced_the_menu_finds_the_new_one(rt, fake_line):
    sync(rt)
    enqueue(rt, ["U" + "1" * 32], "coordinator", "approve:10")
    drain(rt)  # the linker now holds the coordinator menu's id in its cache
    with rt.session_factory.begin() as session:  # nobody to relink: no row names the new menu
        RichMenuAssignmentRepository(session).forget("U" + "1" * 32)
    sync(rt, menus=changed_menus())  # e.g. the CLI on another machine: the cached id is deleted
    user = "U" + "2" * 32
    enqueue(rt, [user], "coordinator", "approve:11")
    assert drain(rt) == {"sent": 2}
    assert fake_line.rich_menu_for(user) == ours(fake_line)["coordinator"]
    tries = [c.status for c in fake_line.calls("POST", f"/v2/bot/user/{user}/richmenu/")]
    assert tries == [404, 200]  # the stale id once, then the one its alias names now


def test_a_sync_that_line_stops_part_way_says_so_and_the_next_run_finishes(
    rt, fake_line, monkeypatch, web_env, capsys
):
    for name, value in web_env.items():
        monkeypatch.setenv(name, value)
    # Setting the default (after the menus and aliases are made) fails once.
    fake_line.inject_fault("500", path_prefix="/v2/bot/user/all/richmenu/", count=1)
    assert main(["richmenu", "sync"]) == 1
    assert "Run it again" in capsys.readouterr().err
    assert set(ours(fake_line)) == PAGES and fake_line.default_rich_menu is None
    mark = len(fake_line.requests)
    assert main(["richmenu", "sync"]) == 0
    default = f"/v2/bot/user/all/richmenu/{ours(fake_line)['subscriber']}"
    assert [r.path for r in writes(fake_line, mark)] == [default]  # only what the first run missed
    assert set(ours(fake_line)) == PAGES and len(fake_line.rich_menus) == len(PAGES)
    assert set(fake_line.rich_menu_aliases) == {f"ruamjai-{page}" for page in PAGES}
    assert fake_line.default_rich_menu == ours(fake_line)["subscriber"]

"""Rich-menu definitions: `menus.toml` read into typed pages, laid out, and turned into LINE's
rich-menu objects (plain dicts in the shape of the Messaging API's `RichMenuRequest`).

Nothing here talks to LINE or the database: the sync (bot/line/richmenu_sync.py) and the renderer
(richmenus/render.py) both start from `load_menus()`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl

DEFINITIONS = Path(__file__).with_name("menus.toml")

ROLES = ("subscriber", "coordinator", "staff")
# Every name this project gives LINE starts with these, so a sync can tell our menus and aliases
# from ones made by hand in the LINE Official Account Manager and never touch those.
NAME_PREFIX = "ruamjai:"
ALIAS_PREFIX = "ruamjai-"
ALIAS_PATTERN = re.compile(r"^[a-z0-9_-]{1,32}$")  # LINE.md: rich-menu alias ids
MAX_AREAS = 20
MAX_LABEL = 20  # LINE: action labels, counted in characters
MAX_CHAT_BAR = 14
MAX_POSTBACK = 300
ACTIONS = {"start": "f", "cmd": "v", "info": "k"}  # a=<action> and the field naming its target


class DefinitionError(ValueError):
    """menus.toml is wrong; the message lists every problem."""


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    def as_bounds(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class Cell:
    """One tappable square: an icon, a Thai label (large), an English label (small), a postback."""

    key: str
    icon: str
    label_th: str
    label_en: str
    postback: str
    display_th: str | None = None

    @property
    def display_text(self) -> str:
        return self.display_th or self.label_th


@dataclass(frozen=True)
class Tab:
    page: str
    label_th: str
    label_en: str


@dataclass(frozen=True)
class Area:
    """A laid-out tappable region and what it does (`cell` or `tab`)."""

    box: Box
    cell: Cell | None = None
    tab: Tab | None = None
    active: bool = False  # the tab of the page itself: drawn highlighted, not tappable


@dataclass(frozen=True)
class Page:
    key: str
    columns: int
    cells: tuple[Cell, ...]
    tabs: tuple[Tab, ...]
    title: Cell | None
    width: int
    height: int
    band_height: int
    chat_bar: str

    @property
    def alias(self) -> str:
        return ALIAS_PREFIX + self.key

    def areas(self) -> list[Area]:
        """The page's regions, band first, then cells row by row. The band is the tab bar (one
        region per tab) or the title; the cells share the rest in a grid."""
        areas: list[Area] = []
        if self.tabs:
            edges = _split(self.width, len(self.tabs))
            for tab, (x, w) in zip(self.tabs, edges, strict=True):
                areas.append(Area(Box(x, 0, w, self.band_height), tab=tab, active=tab.page == self.key))
        elif self.title is not None:
            areas.append(Area(Box(0, 0, self.width, self.band_height), cell=self.title))
        rows = -(-len(self.cells) // self.columns)
        xs = _split(self.width, self.columns)
        ys = [(self.band_height + y, h) for y, h in _split(self.height - self.band_height, rows)]
        for index, cell in enumerate(self.cells):
            x, w = xs[index % self.columns]
            y, h = ys[index // self.columns]
            areas.append(Area(Box(x, y, w, h), cell=cell))
        return areas

    def rich_menu(self, name: str) -> dict:
        """LINE's rich-menu object for this page (the image is uploaded separately)."""
        areas = []
        for area in self.areas():
            if area.tab is not None:
                if area.active:
                    continue  # tapping the open tab would do nothing: no area, no postback
                action = {
                    "type": "richmenuswitch",
                    "label": area.tab.label_th,
                    "richMenuAliasId": ALIAS_PREFIX + area.tab.page,
                    "data": f"a=tab&p={area.tab.page}",
                }
            else:
                assert area.cell is not None
                action = {
                    "type": "postback",
                    "label": area.cell.display_text,
                    "data": area.cell.postback,
                    "displayText": area.cell.display_text,
                }
            areas.append({"bounds": area.box.as_bounds(), "action": action})
        return {
            "size": {"width": self.width, "height": self.height},
            "selected": True,
            "name": name,
            "chatBarText": self.chat_bar,
            "areas": areas,
        }


@dataclass(frozen=True)
class Menus:
    pages: dict[str, Page]
    roles: dict[str, str]  # role -> its entry page

    def pages_of_role(self, role: str) -> list[Page]:
        """The role's entry page and every page its tabs reach (LINE relinks a user to a tab's
        page when they tap it, so all of them are 'this role's menu')."""
        seen: list[str] = []
        todo = [self.roles[role]]
        while todo:
            key = todo.pop(0)
            if key in seen:
                continue
            seen.append(key)
            todo.extend(tab.page for tab in self.pages[key].tabs)
        return [self.pages[key] for key in seen]


def _split(total: int, parts: int) -> list[tuple[int, int]]:
    """`total` pixels in `parts` integer spans that tile it exactly (start, length)."""
    edges = [round(total * i / parts) for i in range(parts + 1)]
    return [(edges[i], edges[i + 1] - edges[i]) for i in range(parts)]


def _cell(key: str, raw: dict, problems: list[str]) -> Cell | None:
    missing = [f for f in ("label_th", "label_en", "postback") if not raw.get(f)]
    if missing:
        problems.append(f"{key}: missing {', '.join(missing)}")
        return None
    return Cell(
        key=key,
        icon=raw.get("icon", ""),
        label_th=raw["label_th"],
        label_en=raw["label_en"],
        postback=raw["postback"],
        display_th=raw.get("display_th"),
    )


def postback_target(data: str) -> tuple[str, str] | None:
    """("start", "prefs") for "a=start&f=prefs"; None when the data is not one of ours."""
    fields = dict(parse_qsl(data, keep_blank_values=True))
    action = fields.get("a", "")
    field = ACTIONS.get(action)
    if field is None or not fields.get(field) or set(fields) != {"a", field}:
        return None
    return action, fields[field]


def check_menus(menus: Menus) -> list[str]:
    """Every rule LINE or the bot puts on a definition, as a list of problems."""
    problems: list[str] = []
    for role in ROLES:
        if role not in menus.roles:
            problems.append(f"roles: no entry page for {role}")
    for key, page in menus.pages.items():
        if not ALIAS_PATTERN.match(page.alias):
            problems.append(f"{key}: alias {page.alias!r} is not a valid LINE alias id")
        if len(page.chat_bar) > MAX_CHAT_BAR:
            problems.append(f"{key}: chat bar text over {MAX_CHAT_BAR} characters")
        areas = page.areas()
        if len(areas) > MAX_AREAS:
            problems.append(f"{key}: {len(areas)} areas, LINE allows {MAX_AREAS}")
        for area in areas:
            box = area.box
            if box.x + box.width > page.width or box.y + box.height > page.height:
                problems.append(f"{key}: an area reaches outside the image")
        for tab in page.tabs:
            if len(tab.label_th) > MAX_LABEL:
                problems.append(f"{key}: tab label {tab.label_th!r} over {MAX_LABEL} characters")
            if tab.page not in menus.pages:
                problems.append(f"{key}: tab to unknown page {tab.page!r}")
        if page.tabs and key not in {tab.page for tab in page.tabs}:
            problems.append(f"{key}: its own tab is missing from its tab bar")
        for cell in (*page.cells, *((page.title,) if page.title else ())):
            if postback_target(cell.postback) is None:
                problems.append(f"{key}/{cell.key}: postback {cell.postback!r} is not a=start|cmd|info")
            if len(cell.postback) > MAX_POSTBACK:
                problems.append(f"{key}/{cell.key}: postback over {MAX_POSTBACK} characters")
            if len(cell.display_text) > MAX_LABEL:
                problems.append(f"{key}/{cell.key}: label (display text) over {MAX_LABEL} characters")
    for role, page in menus.roles.items():
        if page not in menus.pages:
            problems.append(f"roles: {role} starts on unknown page {page!r}")
    return problems


def parse_menus(raw: dict) -> Menus:
    """Menus from the parsed TOML; raises DefinitionError listing every problem."""
    problems: list[str] = []
    width, height = int(raw.get("width", 2500)), int(raw.get("height", 1686))
    band, chat_bar = int(raw.get("band_height", 250)), str(raw.get("chat_bar", ""))
    cells: dict[str, Cell] = {}
    for key, value in (raw.get("cells") or {}).items():
        cell = _cell(key, value, problems)
        if cell is not None:
            cells[key] = cell
    pages: dict[str, Page] = {}
    for key, value in (raw.get("pages") or {}).items():
        unknown = [c for c in value.get("cells", []) if c not in cells]
        if unknown:
            problems.append(f"{key}: unknown cells {', '.join(unknown)}")
        title = _cell(f"{key}.title", value["title"], problems) if "title" in value else None
        pages[key] = Page(
            key=key,
            columns=int(value.get("columns", 3)),
            cells=tuple(cells[c] for c in value.get("cells", []) if c in cells),
            tabs=tuple(Tab(t["page"], t["label_th"], t["label_en"]) for t in value.get("tabs", [])),
            title=title,
            width=width,
            height=height,
            band_height=band,
            chat_bar=chat_bar,
        )
    menus = Menus(pages, dict(raw.get("roles") or {}))
    if not problems:
        problems = check_menus(menus)
    if problems:
        raise DefinitionError("; ".join(problems))
    return menus


@cache
def load_menus(path: Path = DEFINITIONS) -> Menus:
    """The project's menus (menus.toml), checked."""
    with open(path, "rb") as fh:
        return parse_menus(tomllib.load(fh))

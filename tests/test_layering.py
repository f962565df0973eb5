"""The one import rule of ARCHITECTURE.md, checked by parsing every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"bot", "handlers", "calc", "storage", "richmenus"}
# Which of our packages each package may import.
ALLOWED = {
    "bot": {"bot", "handlers", "storage", "richmenus", "calc"},
    "handlers": {"handlers", "calc", "storage"},
    "richmenus": {"richmenus", "calc"},
    "storage": {"storage", "calc"},
    "calc": {"calc"},
}
# Third-party roots a package must not touch.
FORBIDDEN_THIRD_PARTY = {
    "calc": {"flask", "sqlalchemy", "linebot", "alembic", "werkzeug", "requests", "urllib3"},
    "handlers": {"flask", "werkzeug"},
    "storage": {"flask", "linebot"},
    # Rich-menu definitions and images are pure: the sync's LINE and database calls live in bot/.
    "richmenus": {"flask", "werkzeug", "sqlalchemy", "linebot", "alembic"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def violations() -> list[str]:
    found = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            roots = imported_roots(path)
            for root in sorted(roots & OURS - allowed):
                found.append(f"{path.relative_to(ROOT)} imports {root}")
            for root in sorted(roots & FORBIDDEN_THIRD_PARTY.get(package, set())):
                found.append(f"{path.relative_to(ROOT)} imports {root}")
    return found


def test_imports_flow_one_way():
    assert violations() == []


def test_the_checker_catches_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import bot.settings\nfrom flask import Flask\n")
    assert imported_roots(bad) == {"bot", "flask"}


def test_calc_imports_nothing_of_ours():
    for path in (ROOT / "calc").rglob("*.py"):
        assert imported_roots(path) & (OURS - {"calc"}) == set(), path


def test_no_flow_code_calls_the_line_gateway():
    for path in (ROOT / "handlers").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "line.gateway" not in source and "MessagingApi" not in source, path


def test_only_the_gateway_talks_to_line():
    """No raw HTTP to LINE: only bot/line/gateway.py builds SDK API clients or names LINE's hosts
    (the fake platform under bot/fakeline is LINE's stand-in, not a client)."""
    markers = ("ApiClient(", "MessagingApi(", "MessagingApiBlob(", "api.line.me", "api-data.line.me")
    offenders = []
    for package in ALLOWED:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative == "bot/line/gateway.py" or relative.startswith("bot/fakeline/"):
                continue
            source = path.read_text(encoding="utf-8")
            offenders += [f"{relative}: {m}" for m in markers if m in source]
    assert offenders == []

"""The import rules of docs/architecture.md, checked by parsing every module's imports."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Iterator
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


# The module graph: every import of ours, at module level or inside a function, relative imports
# resolved; imports only a type checker sees (`if TYPE_CHECKING:`) are not edges.
def module_files(root: Path = ROOT, packages: Iterable[str] = OURS) -> dict[str, Path]:
    """Our modules by dotted name (a package by its own name, from its __init__.py)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _nearest_module(name: str, modules: Collection[str]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _runtime_imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from (i for n in child.orelse for i in _runtime_imports_in(n))
            continue
        yield from _runtime_imports_in(child)


def _runtime_imports_in(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    yield from _runtime_imports(node)


def imports_of(name: str, path: Path, modules: Collection[str]) -> set[str]:
    """The modules of ours that module `name` (at `path`) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(_nearest_module(alias.name, modules) for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([node.module] if node.module else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            targets.add(submodule if submodule in modules else _nearest_module(base, modules))
    return targets - {None, name}


def module_graph(root: Path = ROOT, packages: Iterable[str] = OURS) -> dict[str, set[str]]:
    """Each module of ours and the modules of ours it imports."""
    files = module_files(root, packages)
    return {name: imports_of(name, path, files) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The import cycles: each set of modules that all reach one another (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def within(name: str, packages: Iterable[str]) -> bool:
    """Whether module `name` is one of `packages` or inside one of them."""
    return any(name == package or name.startswith(package + ".") for package in packages)


def imports_across(
    graph: dict[str, set[str]], importers: Iterable[str], forbidden: Iterable[str]
) -> list[str]:
    """Each direct import from a module within `importers` of a module within `forbidden`."""
    importers, forbidden = tuple(importers), tuple(forbidden)
    return [
        f"{module} imports {target}"
        for module, targets in sorted(graph.items())
        if within(module, importers)
        for target in sorted(targets)
        if within(target, forbidden)
    ]


def test_the_webhook_module_imports_nothing_of_the_chat():
    chat = {m for m in reachable(module_graph(), "bot.line.webhook") if within(m, ["handlers.chat"])}
    assert chat == set()


def test_services_import_nothing_of_the_chat_nor_of_line():
    """The program's operations are plain functions of the session: the chat, the CLI and the web
    call them; they know neither the chat nor LINE's SDK."""
    assert imports_across(module_graph(), ["handlers.services"], ["handlers.chat"]) == []
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "handlers" / "services").rglob("*.py"))
        if "linebot" in imported_roots(path)
    ]
    assert offenders == []


def test_the_chat_imports_nothing_of_bot():
    assert imports_across(module_graph(), ["handlers.chat"], ["bot"]) == []


def test_the_web_and_the_cli_call_services_not_the_chats_flows():
    chat_internals = ["handlers.chat.flows", "handlers.chat.engine"]
    assert imports_across(module_graph(), ["bot.web", "bot.cli"], chat_internals) == []


def test_the_import_rules_catch_a_service_that_imports_the_chat(tmp_path):
    for folder in ("pkg", "pkg/services", "pkg/chat"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "pkg" / "chat" / "flows.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "services" / "ok.py").write_text("def late():\n    from ..chat import flows\n")
    (tmp_path / "pkg" / "services" / "line.py").write_text("from linebot.v3.messaging import TextMessage\n")
    graph = module_graph(tmp_path, ["pkg"])
    assert imports_across(graph, ["pkg.services"], ["pkg.chat"]) == ["pkg.services.ok imports pkg.chat.flows"]
    assert imports_across(graph, ["pkg.service"], ["pkg.chat"]) == []  # a prefix is not a package
    assert "linebot" in imported_roots(tmp_path / "pkg" / "services" / "line.py")


def test_the_graph_resolves_relative_and_function_level_imports(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import leaf\n")
    (package / "sub" / "leaf.py").write_text("def late():\n    from ..top import x\n")
    (package / "top.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.sub\nx = 1\n"
    )
    assert module_graph(tmp_path, ["pkg"]) == {
        "pkg": set(),
        "pkg.sub": {"pkg.sub.leaf"},
        "pkg.sub.leaf": {"pkg.top"},
        "pkg.top": set(),
    }


def test_no_import_cycle_anywhere():
    assert sorted(sorted(c) for c in cycles(module_graph())) == []


def test_the_cycle_check_catches_a_new_cycle(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def late():\n    from . import c\n")
    (package / "c.py").write_text("import pkg.a\n")
    assert cycles(module_graph(tmp_path, ["pkg"])) == {frozenset({"pkg.a", "pkg.b", "pkg.c"})}
    (package / "c.py").write_text("x = 1\n")
    assert cycles(module_graph(tmp_path, ["pkg"])) == set()


def test_storage_imports_neither_handlers_nor_bot_and_only_bot_imports_bot():
    offenders = [
        f"{module} imports {target}"
        for module, targets in module_graph().items()
        for target in sorted(targets)
        if (module.startswith("storage") and target.split(".")[0] in {"handlers", "bot"})
        or (target.split(".")[0] == "bot" and module.split(".")[0] != "bot")
    ]
    assert offenders == []

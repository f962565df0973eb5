"""The message catalog: complete in both languages, every key used exists, no Thai in flow code,
and messages that cannot break LINE's limits."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.catalog import Catalog, CatalogError, default_catalog, t
from handlers.chat.engine import (
    INPUT_KINDS,
    MAX_LABEL_UTF16,
    MAX_TEXT_UTF16,
    assemble,
    fit_label,
    split_text,
    utf16_len,
)
from handlers.parsing import ERROR_CODES, EXTRA_UNIT_CODES, UNIT_CODES
from handlers.services.outreach import SEGMENTS

ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIR = ROOT / "handlers" / "catalog"
THAI = re.compile(r"[\u0e00-\u0e7f]")


def key_pattern() -> re.Pattern[str]:
    """A string that looks like a catalog key: a top-level section of the catalog, a dot, a name."""
    catalog = default_catalog()
    sections = {key.split(".")[0] for key in (*catalog.messages["th"], *catalog.word_lists["th"])}
    return re.compile(rf"^({'|'.join(sorted(sections))})\.[A-Za-z0-9_.]+$")


def test_both_languages_have_every_key_with_the_same_placeholders():
    catalog = Catalog.load()
    assert catalog.problems() == []
    assert set(catalog.messages["th"]) == set(catalog.messages["en"])
    assert set(catalog.word_lists["th"]) == set(catalog.word_lists["en"])


def test_a_missing_translation_is_reported(tmp_path):
    for name in ("th.toml", "en.toml"):
        shutil.copy(CATALOG_DIR / name, tmp_path / name)
    text = (tmp_path / "en.toml").read_text(encoding="utf-8")
    (tmp_path / "en.toml").write_text(text.replace('saved_one = "Saved.', 'saved_onex = "Saved.'), "utf-8")
    with pytest.raises(CatalogError, match=r"prefs\.saved_one missing in en"):
        Catalog.load(tmp_path)


def test_a_topic_file_adds_keys_and_a_key_defined_twice_is_refused(tmp_path):
    for name in ("th.toml", "en.toml"):
        shutil.copy(CATALOG_DIR / name, tmp_path / name)
    (tmp_path / "topic.th.toml").write_text('[topic]\nhello = "สวัสดีค่ะ {name}"\n', "utf-8")
    (tmp_path / "topic.en.toml").write_text('[topic]\nhello = "Hello {name}"\n', "utf-8")
    catalog = Catalog.load(tmp_path)
    assert catalog.text("topic.hello", "en", name="Somchai") == "Hello Somchai"
    (tmp_path / "again.th.toml").write_text('[prefs]\nnot_set = "เก็บ"\n', "utf-8")
    (tmp_path / "again.en.toml").write_text('[prefs]\nnot_set = "Keep"\n', "utf-8")
    with pytest.raises(
        CatalogError, match=r"again\.th\.toml: keys defined in another file too: prefs\.not_set"
    ):
        Catalog.load(tmp_path)


def string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def code_files() -> list[Path]:
    # handlers/parsing holds error codes ("unit.unknown"), not catalog keys: they are checked
    # through parse.<code> below.
    handlers = [p for p in sorted((ROOT / "handlers").rglob("*.py")) if "parsing" not in p.parts]
    return handlers + sorted((ROOT / "bot").glob("*.py"))


def test_every_catalog_key_named_in_code_exists():
    catalog = default_catalog()
    key = key_pattern()
    named = {
        s
        for path in code_files()
        for s in string_constants(path)
        if key.match(s) and not s.endswith((".", "_"))
    }
    assert named, "the scan found no keys: the test would prove nothing"
    missing = sorted(k for k in named if not catalog.has(k) and k not in catalog.word_lists["th"])
    assert missing == []


def test_keys_built_at_run_time_exist():
    catalog = default_catalog()
    built = (
        [f"conv.got.{kind}" for kind in (*INPUT_KINDS, "other")]
        + [f"conv.expect.{kind}" for kind in ("text", "choice", "image")]
        + [f"parse.{code}" for code in ERROR_CODES]
        + [f"unit.{code}" for code in (*UNIT_CODES, *EXTRA_UNIT_CODES)]
        + [f"command.{c}.label" for c in ("cancel", "back", "help", "menu")]
        + [f"knowledge.segment.{name}" for name in SEGMENTS]
    )
    assert [k for k in built if not catalog.has(k)] == []


def test_no_flow_or_engine_module_contains_thai_literals():
    chat = ROOT / "handlers" / "chat"
    modules = [
        *sorted(chat.glob("*.py")),
        *sorted((chat / "engine").glob("*.py")),
        *sorted((chat / "flows").glob("*.py")),
    ]
    offenders = {
        str(p.relative_to(ROOT)): [s for s in string_constants(p) if THAI.search(s)] for p in modules
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_flow_module_imports_flask_or_the_gateway():
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "import flask" not in source.lower() and "from flask" not in source.lower(), path
        assert "line.gateway" not in source and "LineGateway" not in source, path


@given(st.text(max_size=60))
def test_labels_always_fit_twenty_characters(text):
    label = fit_label(text)
    assert utf16_len(label) <= MAX_LABEL_UTF16
    if utf16_len(text) <= MAX_LABEL_UTF16:
        assert label == text


@given(st.text(alphabet="กขคงจ่้ํา abc\n🙂", min_size=0, max_size=30000))
def test_long_text_splits_into_messages_line_accepts(text):
    pieces = split_text(text)
    assert all(utf16_len(p) <= MAX_TEXT_UTF16 for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert len(assemble([text])) <= 5


def test_a_thai_text_of_12000_characters_becomes_three_messages():
    text = ("ข้อความภาษาไทยยาว ๆ " * 600).strip()
    messages = assemble([text])
    assert len(messages) == 3
    assert all(utf16_len(m.text) <= MAX_TEXT_UTF16 for m in messages)


def test_a_count_of_one_is_said_in_the_singular_in_english():
    assert t("reporting.summary.photos_count", "en", count=1) == "1 photo"
    assert t("reporting.summary.photos_count", "en", count=2) == "2 photos"
    assert t("reporting.photos_so_far", "en", count=1, most=10).startswith("1 photo so far")
    assert t("reporting.photos_more", "en", count=3, more=1, most=10).startswith("3 photos so far")
    assert t("reporting.summary.photos_count", "th", count=1) == "1 รูป"
    # No English sentence leaves the reader a "(s)" to work out.
    catalog = default_catalog()
    assert [key for key, text in catalog.messages["en"].items() if "(s)" in str(text)] == []

"""Every `ruamjai` command, given arguments hypothesis makes up (huge numbers, long and strange
text, control and bidi characters, near-valid values), answers with an exit status and at most
one line of complaint, never a traceback. The commands are read from the parser itself, so a new
command is fuzzed without anyone adding it here. Bounded so it suits CI (about a minute)."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.root import build_parser, main
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN

# `demo` serves until stopped; its arguments are checked in test_cli_input.
NOT_FUZZED = {("demo",)}
# Rendering every rich-menu page takes seconds: fewer examples there.
SLOW = {("richmenu", "preview"), ("richmenu", "sync"), ("db", "upgrade"), ("clock", "run-once")}

TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40)
STRANGE = st.sampled_from(
    [
        "",
        " ",
        "-1",
        "0",
        "9" * 20,
        "²",
        "๑๒",
        "1e9",
        "R-2569-00001",
        "U" + "0" * 32,
        "\u202e1",
        "a\nb",
        "%",
        "' OR 1=1 --",
    ]
)
HUGE = st.builds(
    lambda ch, n: ch * n, st.sampled_from("xก9\u202e"), st.sampled_from([64, 65, 501, 5001, 40_000])
)
VALUE = st.one_of(TEXT, STRANGE, HUGE, st.integers().map(str))


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, leaf parser) for every command the parser knows."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, child in subs[0].choices.items():
        yield from commands(child, (*path, name))


COMMANDS = {path: leaf for path, leaf in commands(build_parser()) if path not in NOT_FUZZED}


def value_for(action: argparse.Action):
    if action.choices:
        return st.one_of(st.sampled_from(sorted(action.choices)), VALUE)
    return VALUE


@st.composite
def argv_for(draw, path: tuple[str, ...]):
    leaf = COMMANDS[path]
    argv = list(path)
    for action in leaf._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:  # positional
            count = {None: 1, "?": draw(st.integers(0, 1)), "*": draw(st.integers(0, 3))}.get(action.nargs, 1)
            argv += [draw(value_for(action)) for _ in range(count)]
        elif action.nargs == 0:  # a flag
            if draw(st.booleans()):
                argv.append(action.option_strings[0])
        elif action.required or draw(st.booleans()):
            argv += [action.option_strings[-1], draw(value_for(action))]
    if draw(st.integers(0, 9)) == 0:
        argv.append(draw(VALUE))  # one argument too many
    return argv


@pytest.fixture
def environment(web_env, monkeypatch, tmp_path, app):
    """The operator's environment against this test's database (campaign loaded) and fake LINE;
    run from an empty folder, since `richmenu preview DIR` writes where it is told."""
    for name, value in web_env.items():
        monkeypatch.setenv(name, value)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["campaign", "load", str(EXAMPLE_CAMPAIGN)]) == 0


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_no_command_answers_any_arguments_with_a_traceback(environment, capsys, path):
    @settings(
        max_examples=2 if path in SLOW else 30,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(argv=argv_for(path))
    def run(argv):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse: --help, or refused before the command ran
            code = stop.code
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (argv, code)
        assert "Traceback" not in err and "Traceback" not in out, err
        if code == 2:
            complaint = [line for line in err.splitlines() if line.startswith("ruamjai")]
            assert len(complaint) == 1, err

    run()

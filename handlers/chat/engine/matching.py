"""Typed answers in people's own words: a typed label (either language), value or catalog synonym
is the button, whatever the case, spacing or polite particle ("ได้ค่ะ" is yes); a label without
การ/ความ or one distinctive word is understood, to be said back before it is kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from handlers.catalog import default_catalog, fold

if TYPE_CHECKING:
    from handlers.chat.engine.declare import Choice


def loose(text: str) -> str:
    """How a typed answer is compared with a button: case, spaces, punctuation and a polite
    particle at the end ("ใช่ค่ะ", "OK!") do not matter."""
    folded = "".join(char for char in fold(text) if char not in _IGNORED).strip(".")
    for particle in sorted(default_catalog().words("words.particles"), key=len, reverse=True):
        bare = "".join(particle.split())
        if folded.endswith(bare) and len(folded) > len(bare):
            return folded[: -len(bare)]
    return folded


# Spaces and marks that never change which button is meant ("O.K.!", "ใช่ ค่ะ"); a dot between
# digits stays, so "1.4" never becomes the button "14".
_IGNORED = frozenset(" \t\n!?\"'“”‘’()[]…~")


def match_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The one button a typed answer names (its label in either language, its value or a synonym)."""
    typed = loose(text)
    if not typed:
        return None
    found = [choice for choice in choices if typed in choice.names()]
    return found[0] if len({choice.value for choice in found}) == 1 else None


_LEAST_GUESS = 2  # characters: a single letter names nothing


def _bare(name: str) -> str:
    """The name without a nominaliser people leave out when typing a label (words.nominalisers)."""
    for prefix in sorted(default_catalog().words("words.nominalisers"), key=len, reverse=True):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def understood_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The one button a typed answer means though it does not repeat it: the label without การ/ความ,
    or words found in one button's name only (the distinctive word: "ปานกลาง" for
    "ความเหมาะสมปานกลาง"). Say it back before keeping it; :func:`match_choice` is the exact test."""
    typed = _bare(loose(text))
    if len(typed) < _LEAST_GUESS:
        return None
    tests = (lambda name: _bare(name) == typed, lambda name: typed in name)
    for test in tests:
        found = [choice for choice in choices if any(test(name) for name in choice.names())]
        if len({choice.value for choice in found}) == 1:
            return found[0]
    return None

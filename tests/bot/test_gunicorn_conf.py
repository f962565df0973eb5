"""The web process's worker placement (bot/gunicorn_conf.py)."""

from __future__ import annotations

import os

import pytest

from bot.gunicorn_conf import core_for_new_worker

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="core affinity is Linux's")


def test_more_workers_than_cores_are_spread_evenly():
    taken: list[int | None] = []
    for _ in range(5):
        taken.append(core_for_new_worker({0, 1}, taken))
    assert sorted(taken) == [0, 0, 0, 1, 1]


def test_a_replacement_worker_takes_the_core_its_predecessor_left():
    assert core_for_new_worker({0, 1, 2, 3}, [0, 1, 3]) == 2
    # Cores outside the allowed set (a narrowed cpuset) and unpinned siblings do not count.
    assert core_for_new_worker({2, 3}, [0, 2, None]) == 3


def test_one_core_is_left_to_the_kernel():
    assert core_for_new_worker({5}, []) is None

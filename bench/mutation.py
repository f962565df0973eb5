"""Mutation testing of the figures path: calc's units and methods, the Thai number and period parsers.

Runs mutmut 3 (configured under ``[tool.mutmut]`` in pyproject.toml: which files, which tests) and prints,
per module, how many mutants the tests killed, how many survived, how many are excluded (they only change
a message nobody parses, or cannot change behaviour; each is listed below with why) and the score,
killed / (total - excluded). Not part of CI: a full run takes about an hour on two busy cores.

    PYTHONPATH=$PWD .venv/bin/python bench/mutation.py                 # every module, fresh
    PYTHONPATH=$PWD .venv/bin/python bench/mutation.py calc/units.py   # one module
    PYTHONPATH=$PWD .venv/bin/python bench/mutation.py --table-only    # the table of the last run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# calc/methods/ is a package: each of its files is a module here (its __init__ only re-exports).
METHODS = tuple(
    sorted(f"calc/methods/{p.name}" for p in (ROOT / "calc" / "methods").glob("*.py") if p.stem != "__init__")
)
MODULES = ("handlers/parsing/numbers.py", "handlers/parsing/periods.py", "calc/units.py", *METHODS)
TARGET = 90.0

# Mutants that survive because no behaviour can tell them apart from the code, or because they only
# change the wording of a message no program reads. Keyed by mutmut's name for the mutant.
_BOTH_REQUIRED = "equivalent: both fields are required, so both are always present"
_EMPTY_SUM = "equivalent: a method always adds a step, so the sum never starts from an empty list"
_QUOTED = "message only: parse_period replaces this quote with the user's whole input"
_JOINED = "message only: a word glued to a word is refused all the same; only its quoted text changes"
_SUPERSET = "equivalent: the mutated string still holds every token kind (no token kind is X)"
_RANGE_END = "equivalent: a range word at either end is refused the same (that side parses to nothing)"
_1900 = "equivalent: 1900 is refused as too old either way, quoting the same BE year"
_NO_DAY = "equivalent: without a day only the month is compared with today's, whatever the day stands for"
_ALPHABETICAL = "equivalent: 'day' < 'month' < 'year' alphabetically, the same order as the key"
_FOLDED = "equivalent: the input is case-folded first, so it holds no 'X'"
_FOUR_DIGITS = "equivalent: a year has at most four digits, so 10000 never comes"
_PERIODS = "handlers.parsing.periods.x_"
EXCLUDED: dict[str, str] = {
    "calc.units.x_convert__mutmut_17": "equivalent: a unit's dimension and size are both known or both None",
    "calc.units.x_convert__mutmut_27": "equivalent: a unit's dimension and size are both known or both None",
    "calc.units.x_convert__mutmut_43": "equivalent: neither '' nor 'XXXX' is a substance with a density",
    "calc.units.x_to_decimal__mutmut_13": "equivalent: Decimal() ignores surrounding whitespace itself",
    "calc.methods.run.x__convertible__mutmut_9": "equivalent: converting 1 instead of 0 raises just the same",
    "calc.methods.energy.x__electricity_saving__mutmut_9": _BOTH_REQUIRED,
    "calc.methods.trees.x__forest_conservation__mutmut_9": _BOTH_REQUIRED,
    "calc.methods.run.x_calculate__mutmut_19": _EMPTY_SUM,
    "calc.methods.results.xǁResultǁ_sum_roles__mutmut_10": _EMPTY_SUM,
    "calc.methods.run.xǁRunǁ__init____mutmut_11": "equivalent: None and False are both false",
    "calc.methods.run.xǁRunǁfactor__mutmut_9": "equivalent: warn() drops a warning already given",
    "calc.methods.run.xǁRunǁquantity__mutmut_4": "equivalent: choice fields have no bounds to check",
    _PERIODS + "_month__mutmut_9": _QUOTED,
    _PERIODS + "_month__mutmut_11": _QUOTED,
    _PERIODS + "_year__mutmut_6": _QUOTED,
    _PERIODS + "_year__mutmut_8": _QUOTED,
    _PERIODS + "_day__mutmut_9": _QUOTED,
    _PERIODS + "_day__mutmut_11": _QUOTED,
    _PERIODS + "_month_period__mutmut_7": _QUOTED,
    _PERIODS + "_month_period__mutmut_9": _QUOTED,
    _PERIODS + "_month_period__mutmut_12": _QUOTED,
    _PERIODS + "_year_period__mutmut_7": _QUOTED,
    _PERIODS + "_year_period__mutmut_9": _QUOTED,
    _PERIODS + "_year_period__mutmut_12": _QUOTED,
    _PERIODS + "_single__mutmut_129": _QUOTED,
    _PERIODS + "_single__mutmut_131": _QUOTED,
    _PERIODS + "_single__mutmut_135": _QUOTED,
    _PERIODS + "_numeric__mutmut_10": _QUOTED,
    _PERIODS + "_numeric__mutmut_12": _QUOTED,
    _PERIODS + "_numeric__mutmut_16": _QUOTED,
    _PERIODS + "_numeric__mutmut_59": _QUOTED,
    _PERIODS + "_numeric__mutmut_61": _QUOTED,
    _PERIODS + "_numeric__mutmut_140": _QUOTED,
    _PERIODS + "_numeric__mutmut_142": _QUOTED,
    _PERIODS + "_parse__mutmut_19": _QUOTED,
    _PERIODS + "_parse__mutmut_21": _QUOTED,
    _PERIODS + "_parse__mutmut_45": _QUOTED,
    _PERIODS + "_parse__mutmut_47": _QUOTED,
    _PERIODS + "_fold_markers__mutmut_45": _QUOTED,
    _PERIODS + "_fold_markers__mutmut_75": _QUOTED,
    _PERIODS + "_tokenize__mutmut_50": _JOINED,
    _PERIODS + "_tokenize__mutmut_51": _JOINED,
    _PERIODS + "_tokenize__mutmut_52": _JOINED,
    _PERIODS + "_tokenize__mutmut_55": _JOINED,
    _PERIODS + "_tokenize__mutmut_56": _JOINED,
    _PERIODS + "_tokenize__mutmut_57": _JOINED,
    _PERIODS + "_tokenize__mutmut_59": _JOINED,
    _PERIODS + "_tokenize__mutmut_60": _JOINED,
    _PERIODS + "_tokenize__mutmut_61": _JOINED,
    _PERIODS + "_tokenize__mutmut_66": _JOINED,
    _PERIODS + "_fold_markers__mutmut_7": _SUPERSET,
    _PERIODS + "_fold_markers__mutmut_14": _SUPERSET,
    _PERIODS + "_fold_markers__mutmut_20": _SUPERSET,
    _PERIODS + "_single__mutmut_10": _SUPERSET,
    _PERIODS + "_range__mutmut_7": _SUPERSET,
    _PERIODS + "_parse__mutmut_14": _SUPERSET,
    _PERIODS + "_range__mutmut_4": _RANGE_END,
    _PERIODS + "_range__mutmut_12": _RANGE_END,
    _PERIODS + "_tokenize__mutmut_7": _FOLDED,
    _PERIODS + "_tokenize__mutmut_44": _FOLDED,
    _PERIODS + "_year__mutmut_38": _1900,
    _PERIODS + "_year__mutmut_39": _1900,
    _PERIODS + "_month_period__mutmut_5": _FOUR_DIGITS,
    _PERIODS + "_year_period__mutmut_5": _FOUR_DIGITS,
    _PERIODS + "_recent_year__mutmut_5": _NO_DAY,
    _PERIODS + "_recent_year__mutmut_6": _NO_DAY,
    _PERIODS + "_relative__mutmut_17": "equivalent: two days before the 1st is still in the previous month",
    _PERIODS + "_range__mutmut_38": _ALPHABETICAL,
    _PERIODS + "_range__mutmut_41": _ALPHABETICAL,
}

# mutmut's exit codes (mutmut/stats.py): 1 and 3 are test failures, 36 and the SIGXCPU codes time-outs.
_KILLED = {1, 3, 36, -24, 24, 152, 255}
_SURVIVED = {0}


def module_name(path: str) -> str:
    """``calc/units.py`` → ``calc.units``, the prefix of its mutants' names."""
    return path.removesuffix(".py").replace("/", ".")


def run(modules: list[str], max_children: int) -> int:
    """Run mutmut afresh on ``modules`` with the deterministic hypothesis profile (tests/conftest.py)."""
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    env = {**os.environ, "RUAMJAI_HYPOTHESIS_PROFILE": "mutation"}
    patterns = [f"{module_name(m)}.*" for m in modules]
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *patterns]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def results(path: str) -> dict[str, int | None]:
    """Exit code per mutant of ``path`` from mutmut's record of the last run (None: not run)."""
    meta = ROOT / "mutants" / f"{path}.meta"
    if not meta.exists():
        return {}
    return json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]


def table(modules: list[str]) -> bool:
    """Print the per-module table and the surviving mutants; True when every module reaches TARGET."""
    print(
        f"{'module':34} {'killed':>7} {'survived':>9} {'excluded':>9} {'other':>6} {'total':>6} {'score':>7}"
    )
    all_met = True
    survivors: list[str] = []
    excluded: list[str] = []
    for path in modules:
        codes = results(path)
        killed = sum(1 for code in codes.values() if code in _KILLED)
        left = [name for name, code in codes.items() if code in _SURVIVED]
        skipped = [name for name in left if name in EXCLUDED]
        survived = len(left) - len(skipped)
        other = len(codes) - killed - len(left)  # not run, no test, suspicious
        counted = len(codes) - len(skipped)
        score = 100.0 * killed / counted if counted else 0.0
        all_met &= bool(codes) and score >= TARGET
        survivors += [name for name in left if name not in EXCLUDED]
        excluded += skipped
        print(f"{path:34} {killed:7} {survived:9} {len(skipped):9} {other:6} {len(codes):6} {score:6.1f}%")
    for name in excluded:
        print(f"excluded {name}: {EXCLUDED[name]}")
    for name in sorted(survivors):
        print(f"survived {name}  (mutmut show {name})")
    return all_met


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", metavar="module", help=f"any of {', '.join(MODULES)}")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutmut workers (default 2)")
    parser.add_argument("--table-only", action="store_true", help="print the table of the last run")
    args = parser.parse_args()
    modules = args.modules or list(MODULES)
    unknown = set(modules) - set(MODULES)
    if unknown:
        parser.error(f"not one of the modules: {', '.join(sorted(unknown))}")
    if not args.table_only:
        run(modules, args.max_children)
    return 0 if table(modules) else 1


if __name__ == "__main__":
    sys.exit(main())

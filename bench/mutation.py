"""Mutation testing of the figures path: calc's units and methods, the Thai number and period parsers.

Runs mutmut 3 (configured under ``[tool.mutmut]`` in pyproject.toml: which files, which tests) and prints,
per module, how many mutants the tests killed, how many survived, how many are excluded (they only change
a message nobody parses, or cannot change behaviour; each is listed below with why) and the score,
killed / (total - excluded). Not part of CI: a full run takes about an hour on two busy cores.

    PYTHONPATH=$PWD .venv/bin/python bench/mutation.py                 # all four modules, fresh
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
MODULES = ("handlers/parsing/numbers.py", "handlers/parsing/periods.py", "calc/units.py", "calc/methods.py")
TARGET = 90.0

# Mutants that survive because no behaviour can tell them apart from the code, or because they only
# change the wording of a message no program reads. Keyed by mutmut's name for the mutant.
_BOTH_REQUIRED = "equivalent: both fields are required, so both are always present"
_EMPTY_SUM = "equivalent: a method always adds a step, so the sum never starts from an empty list"
EXCLUDED: dict[str, str] = {
    "calc.units.x_convert__mutmut_17": "equivalent: a unit's dimension and size are both known or both None",
    "calc.units.x_convert__mutmut_27": "equivalent: a unit's dimension and size are both known or both None",
    "calc.units.x_convert__mutmut_43": "equivalent: neither '' nor 'XXXX' is a substance with a density",
    "calc.units.x_to_decimal__mutmut_13": "equivalent: Decimal() ignores surrounding whitespace itself",
    "calc.methods.x__convertible__mutmut_9": "equivalent: converting 1 instead of 0 raises just the same",
    "calc.methods.x__electricity_saving__mutmut_9": _BOTH_REQUIRED,
    "calc.methods.x__forest_conservation__mutmut_9": _BOTH_REQUIRED,
    "calc.methods.x__run__mutmut_19": _EMPTY_SUM,
    "calc.methods.xǁResultǁ_sum_roles__mutmut_10": _EMPTY_SUM,
    "calc.methods.xǁ_Runǁ__init____mutmut_11": "equivalent: None and False are both false",
    "calc.methods.xǁ_Runǁfactor__mutmut_9": "equivalent: warn() drops a warning already given",
    "calc.methods.xǁ_Runǁquantity__mutmut_4": "equivalent: choice fields have no bounds to check",
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
        parser.error(f"not one of the four modules: {', '.join(sorted(unknown))}")
    if not args.table_only:
        run(modules, args.max_children)
    return 0 if table(modules) else 1


if __name__ == "__main__":
    sys.exit(main())

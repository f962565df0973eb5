"""`ruamjai less package AGENCY --period … --out FILE`: the LESS submission package of an agency
(handlers/services/less_package.py, as the staff web's agency page downloads it). A package TGO
would send back is refused with the reasons, exit 1, and no file is written."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bot.cli.args import fail, output_file, row_id, shown
from bot.cli.bootstrap import in_transaction, media_store
from bot.cli.bootstrap import now as clock_now
from bot.cli.program import ACTOR


def period(text: str):
    """A reporting period as the chat takes it ("มิ.ย.-ส.ค. 2567", "2567", "2024-06")."""
    from handlers.parsing import ParseError, parse_period
    from handlers.services.thaitime import bangkok_date

    try:
        return parse_period(text, today=bangkok_date(clock_now()))
    except ParseError as error:
        raise argparse.ArgumentTypeError(
            f"a period such as 2567, 2024-06 or มิ.ย.-ส.ค. 2567 (not in the future), got {shown(text)!r} "
            f"({error.code})"
        ) from None


def cmd_package(args: argparse.Namespace) -> int:
    from handlers.services.less_package import (
        LessRefused,
        default_period,
        prepare_package,
        record_package,
        write_prepared,
    )

    media = media_store()
    try:
        out = output_file(args.out)
    except ValueError as error:
        return fail(str(error))
    prepared = []

    def read(session, now):
        chosen = (args.period.start, args.period.end) if args.period else default_period(session, now)
        try:
            prepared.append(prepare_package(session, args.agency, chosen, now))
        except LessRefused as refused:
            print(f"ruamjai: the LESS package of agency {args.agency} is refused:", file=sys.stderr)
            for problem in refused.problems:
                print(f"  - {problem.text(args.lang)}", file=sys.stderr)
            return 1
        return 0

    if in_transaction(read) != 0:
        return 1
    package = prepared[0]
    # Written with no transaction open, beside the target, and renamed once complete: a failure
    # leaves no partial file.
    try:
        fd, temporary = tempfile.mkstemp(dir=out.parent, prefix=".less-")
    except OSError as error:
        return fail(f"cannot write into {out.parent}: {error.strerror or error}", 1)
    try:
        with os.fdopen(fd, "wb") as fh:
            write_prepared(package, fh, media)
        in_transaction(lambda session, now: record_package(session, package.summary, ACTOR, now))
        os.replace(temporary, out)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        return fail(f"cannot write {out}: {error.strerror or error}", 1)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    summary = package.summary
    print(
        f"{out}: agency {summary.agency_id}, {summary.start}..{summary.end}, {summary.reports} reports, "
        f"{summary.photos} photos, {summary.t_co2e} tCO2e"
    )
    return 0


def register(subparsers) -> None:
    """Add `ruamjai less …` to the parser."""
    less = subparsers.add_parser("less", help="LESS submissions to TGO").add_subparsers(
        dest="less_command", required=True
    )
    package = less.add_parser("package", help="an agency's LESS package (ZIP) from its approved reports")
    package.add_argument("agency", type=row_id, help="the agency's id (as `agency list` shows it)")
    package.add_argument(
        "--period", type=period, help="e.g. มิ.ย.-ส.ค. 2567, 2567, 2024-06; default: the active campaign's"
    )
    package.add_argument("--out", required=True, help="the ZIP file to write")
    package.add_argument("--lang", choices=("th", "en"), default="en", help="language of the refusal list")
    package.set_defaults(func=cmd_package)

"""`ruamjai less package AGENCY --period … --out FILE`: the LESS submission package of an agency
(handlers/services/less_package.py, as the staff web's agency page downloads it). A package TGO
would send back is refused with the reasons, exit 1, and no file is written.

`ruamjai less batch --period … [--agency ID …] --out FILE`: the program's submission batch (the
chosen agencies, or every ready one) as /staff/less/batch makes it, recorded; `ruamjai less batches`
lists the recorded ones (handlers/services/less_batch.py)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bot.cli.args import fail, limit, output_file, row_id, shown
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

    def write(fh) -> None:  # with no transaction open while the photos are copied
        write_prepared(package, fh, media)
        in_transaction(lambda session, now: record_package(session, package.summary, ACTOR, now))

    status = _written(out, write)
    if status != 0:
        return status
    summary = package.summary
    print(
        f"{out}: agency {summary.agency_id}, {summary.start}..{summary.end}, {summary.reports} reports, "
        f"{summary.photos} photos, {summary.t_co2e} tCO2e"
    )
    return 0


def _written(out: Path, write) -> int:
    """`write(file)` into a temporary file beside `out`, renamed once complete (no partial file)."""
    try:
        fd, temporary = tempfile.mkstemp(dir=out.parent, prefix=".less-")
    except OSError as error:
        return fail(f"cannot write into {out.parent}: {error.strerror or error}", 1)
    try:
        with os.fdopen(fd, "w+b") as fh:
            write(fh)
        os.replace(temporary, out)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        return fail(f"cannot write {out}: {error.strerror or error}", 1)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from handlers.catalog import t
    from handlers.services import less_batch
    from handlers.services.less_package import default_period

    media = media_store()
    try:
        out = output_file(args.out)
    except ValueError as error:
        return fail(str(error))
    prepared = []

    def read(session, now):
        chosen = (args.period.start, args.period.end) if args.period else default_period(session, now)
        rows = less_batch.readiness(session, chosen, now)
        ids = args.agency or [row.agency_id for row in rows if row.ready]
        try:
            earlier = less_batch.recent_batch(session, None, less_batch.chosen_key(chosen, ids), now)
            day = earlier.batch_date if earlier else None  # a retry repeats the recorded cover's date
            prepared.append(less_batch.prepare_batch(session, ids, chosen, now, batch_date=day))
        except less_batch.BatchRefused as refused:
            print(
                f"ruamjai: the batch is refused: {t(refused.catalog_key, args.lang, **refused.params)}",
                file=sys.stderr,
            )
            lacking = refused.problems or {row.agency_id: list(row.problems) for row in rows}
            for agency_id, problems in lacking.items():
                for problem in problems:
                    print(f"  - agency {agency_id}: {problem.text(args.lang)}", file=sys.stderr)
            return 1
        return 0

    if in_transaction(read) != 0:
        return 1
    batch, built = prepared[0], []
    if _written(out, lambda fh: built.append(less_batch.write_batch(batch, fh, media))) != 0:
        return 1
    recorded = []
    in_transaction(
        lambda session, now: recorded.append(
            less_batch.record_batch(session, batch, built[0], ACTOR, now, media=media)
        )
    )
    record, created = recorded[0]
    print(
        f"{out}: batch {batch.label} ({'recorded as' if created else 'already recorded as'} #{record.id}), "
        f"{batch.period[0]}..{batch.period[1]}, {len(batch.packages)} agencies, sha256 {built[0].zip_sha256}"
    )
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    from handlers.services import less_batch

    def show(session, now):
        found = less_batch.past_batches(session, args.limit)
        if not found:
            print("no batches recorded")
        for item in found:
            batch = item.batch
            print(
                f"#{batch.id} {batch.label} {batch.created_at:%Y-%m-%d %H:%M}Z {batch.actor} "
                f"{batch.period_start}..{batch.period_end} zip {batch.zip_sha256} cover {batch.cover_sha256}"
            )
            for package in item.packages:
                print(f"  agency {package.agency_id} {package.file_name} {package.sha256}")

    return in_transaction(show)


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
    batch = less.add_parser(
        "batch", help="the program's submission batch (ZIP of packages + cover), recorded"
    )
    batch.add_argument(
        "--period", type=period, help="e.g. มิ.ย.-ส.ค. 2567, 2567, 2024-06; default: the active campaign's"
    )
    batch.add_argument(
        "--agency", type=row_id, action="append", help="an agency's id (repeat; default: every ready agency)"
    )
    batch.add_argument("--out", required=True, help="the ZIP file to write")
    batch.add_argument("--lang", choices=("th", "en"), default="en", help="language of the refusal list")
    batch.set_defaults(func=cmd_batch)
    batches = less.add_parser("batches", help="the recorded submission batches, latest first")
    batches.add_argument("--limit", type=limit, default=20, help="how many (default 20)")
    batches.set_defaults(func=cmd_batches)

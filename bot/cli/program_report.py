"""`ruamjai program-report --out FILE [--html] [--lang th|en]`: the program report to DCCE, as an
Excel workbook (the default) or one printable HTML file; the same figures as /staff/program-report."""

from __future__ import annotations

import argparse

from bot.cli.args import fail, output_file, write_atomically
from bot.cli.bootstrap import in_transaction


def cmd_program_report(args: argparse.Namespace) -> int:
    from bot.web.staff.program_report import printable_html
    from handlers.services.program_report import current_program_report
    from handlers.services.program_report_xlsx import program_report_xlsx

    try:
        out = output_file(args.out)
    except ValueError as error:
        return fail(str(error))

    def work(session, now):
        report = current_program_report(session, now)
        if args.html:
            data = printable_html(report, args.lang).encode("utf-8")
        elif report is None:
            return fail("no campaign is active: there is no report to write", 1)
        else:
            data = program_report_xlsx(report)
        try:
            write_atomically(out, data)
        except OSError as error:
            return fail(f"cannot write {out}: {error.strerror or error}", 1)
        print(f"program report written to {out}")
        return 0

    return in_transaction(work)


def register(subparsers) -> None:
    """Add `ruamjai program-report` to the parser."""
    command = subparsers.add_parser(
        "program-report", help="the program report to DCCE (Excel, or printable HTML with --html)"
    )
    command.add_argument("--out", required=True, help="the file to write (.xlsx, or .html with --html)")
    command.add_argument("--html", action="store_true", help="write a printable HTML page instead")
    command.add_argument("--lang", choices=["th", "en"], default="th", help="the HTML page's language")
    command.set_defaults(func=cmd_program_report)

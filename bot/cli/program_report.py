"""`ruamjai program-report --out FILE [--html] [--lang th|en]`: the program report to DCCE, as an
Excel workbook (the default) or one printable HTML file; the same figures as /staff/program-report."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.args import fail
from bot.cli.bootstrap import in_transaction


def cmd_program_report(args: argparse.Namespace) -> int:
    from bot.web.staff.program_report import build, printable_html
    from handlers.services.program_report_xlsx import program_report_xlsx

    out = Path(args.out)
    if not out.parent.is_dir():
        return fail(f"no folder {out.parent} to write the report into")

    def work(session, now):
        report = build(session, now)
        if args.html:
            out.write_text(printable_html(report, args.lang), encoding="utf-8")
        elif report is None:
            return fail("no campaign is active: there is no report to write", 1)
        else:
            out.write_bytes(program_report_xlsx(report))
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

"""`ruamjai richmenu preview DIR` and `ruamjai richmenu sync [--dry-run]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.args import fail, shown


def cmd_preview(args: argparse.Namespace) -> int:
    """Write each page's image (exactly the bytes a sync uploads) for people to look at."""
    from richmenus.definitions import load_menus
    from richmenus.render import render_page

    target = Path(args.dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as error:  # a file there, no permission, a name too long, a NUL
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return fail(f"cannot write into {shown(args.dir)!r}: {reason}")
    for page in load_menus().pages.values():
        rendered = render_page(page)
        suffix = ".png" if rendered.content_type == "image/png" else ".jpg"
        path = target / f"{page.key}{suffix}"
        path.write_bytes(rendered.data)
        areas = len(page.rich_menu("")["areas"])
        print(f"{path}  {page.width}×{page.height}  {len(rendered.data) / 1024:.0f} KB  {areas} areas")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Make LINE's rich menus match the definitions; --dry-run prints the plan only."""
    from bot.cli.bootstrap import database, line_gateway, now, settings
    from bot.line.gateway import LineApiError
    from bot.line.richmenu_sync import sync_rich_menus

    # LINE's access token and the database: nothing here is signed or stored as a photo.
    gateway = line_gateway(settings(("LINE_CHANNEL_ACCESS_TOKEN",)))
    try:
        with database(pool_size=2) as factory:
            result = sync_rich_menus(gateway, factory, now(), dry_run=args.dry_run)
    except LineApiError as error:
        # Safe to run again: the next run finishes what this one started.
        print(f"ruamjai: rich-menu sync stopped: {error}. Run it again to finish.", file=sys.stderr)
        return 1
    finally:
        gateway.close()
    print("plan (dry run, nothing changed):" if args.dry_run else "done:")
    for line in result.describe():
        print(f"  {line}")
    return 0


def register(subparsers) -> None:
    """Add `richmenu preview|sync` to the `ruamjai` command."""
    richmenu = subparsers.add_parser("richmenu", help="rich menus: preview images, sync to LINE")
    sub = richmenu.add_subparsers(dest="richmenu_command", required=True)
    preview = sub.add_parser("preview", help="write PNG previews of every rich menu into DIR")
    preview.add_argument("dir")
    preview.set_defaults(func=cmd_preview)
    sync = sub.add_parser("sync", help="create, replace and delete rich menus to match the definitions")
    sync.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    sync.set_defaults(func=cmd_sync)

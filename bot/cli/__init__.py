"""The `ruamjai` command: one bootstrap (settings, database session scope, clock), the root parser
in `root`, one module per command group, and the clock process's jobs."""


def main(argv: list[str] | None = None) -> int:
    """Run the `ruamjai` command (console scripts installed as `bot.cli:main` land here)."""
    from bot.cli.root import main as run

    return run(argv)

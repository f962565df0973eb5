"""`python -m bot.cli`: the `ruamjai` command."""

import sys

from bot.cli.root import main

sys.exit(main())

"""Every flow the bot knows, wired in one place (the menu lists them in this order)."""

from handlers.flows import prefs

FLOWS = (prefs.FLOW,)

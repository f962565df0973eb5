"""Wires the public pages into an app: the blueprint (bot/web/public/core.py) with the routes of
its pages. Each page module adds its routes to the blueprint when imported."""

from __future__ import annotations

from flask import Flask

from bot.web.public import board, open_data, results, share_card
from bot.web.public.core import public_blueprint

# The modules whose routes join the blueprint when imported.
PAGES: tuple = (results, open_data, board, share_card)


def register_public_web(app: Flask) -> None:
    """Serve the public pages (results, open data, board) in `app`."""
    app.register_blueprint(public_blueprint)

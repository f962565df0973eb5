"""Wires the staff web into an app: the blueprint (bot/web/staff/core.py) with the routes of its pages."""

from __future__ import annotations

from flask import Flask

from bot.web.staff import (
    dashboard,
    factors,
    less,
    less_batch,
    lor,
    outbox,
    people,
    posts,
    program_report,
    registrations,
    reviews,
    sign_in,
)
from bot.web.staff.core import staff_blueprint

# The modules whose routes join the blueprint when imported.
PAGES = (
    sign_in,
    dashboard,
    registrations,
    reviews,
    posts,
    outbox,
    people,
    factors,
    program_report,
    less,
    less_batch,
    lor,
)


def register_staff_web(app: Flask) -> None:
    """Serve /staff in `app`."""
    app.register_blueprint(staff_blueprint)

"""The LINE simulator: a phone-like chat page at `/simulator` to talk to the bot with no LINE
channel. Served only when the app's LINE_API_BASE_URL is a fake platform running in this process
(`bot.create_app` decides); with real LINE the routes do not exist.

The page talks only to the routes below. They send real signed webhooks to `/callback` and read
what the bot sent from the fake platform (`world.SimulatedWorld`).
"""

from __future__ import annotations

import math
from pathlib import Path

import fontpkg_sarabun
from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request, send_file
from werkzeug.exceptions import BadRequest

from bot.fakeline.server import FakeLinePlatform
from bot.runtime import runtime
from bot.simulator.world import SimulatedWorld, WebhookFailed
from bot.timeutil import ShiftableClock

__all__ = ["SimulatedWorld", "register"]

EXTENSION = "simulator"
# What the photo picker accepts; LINE's app sends JPEG (it re-encodes everything else).
_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
_MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Time travel in one jump: at most a year (the clock never goes back).
_MAX_JUMP_SECONDS = 366 * 24 * 3600
_FONTS = {"regular": "Sarabun-Regular.ttf", "bold": "Sarabun-Bold.ttf"}

bp = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
)


def register(app: Flask, fake: FakeLinePlatform) -> SimulatedWorld:
    """Serve the simulator in `app`, playing users on `fake` (the platform the app talks to)."""
    rt = runtime(app)
    world = SimulatedWorld(
        app=app,
        fake=fake,
        channel_secret=rt.settings.line_channel_secret,
        clock=rt.clock,
        state_dir=rt.settings.instance_dir,
    )
    app.extensions[EXTENSION] = world
    app.register_blueprint(bp)
    return world


def _world() -> SimulatedWorld:
    return current_app.extensions[EXTENSION]


def _json() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadRequest("expected a JSON object")
    return payload


def _user_or_404(user_id: str) -> None:
    if _world().user(user_id) is None:
        abort(404)


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    return jsonify(error=error.description), 400


@bp.errorhandler(WebhookFailed)
def _webhook_failed(error: WebhookFailed):
    return jsonify(error=str(error)), 502


@bp.get("")
def page():
    return render_template("simulator.html")


@bp.get("/font/<weight>.ttf")
def font(weight: str):
    name = _FONTS.get(weight)
    if name is None:
        abort(404)
    path = Path(fontpkg_sarabun.ROOT) / "files" / name
    return send_file(path, mimetype="font/ttf", max_age=86400)


@bp.get("/api/users")
def list_users():
    return jsonify(users=[vars(u) for u in _world().users()])


@bp.post("/api/users")
def create_user():
    payload = _json()
    name = str(payload.get("display_name", "")).strip()
    language = str(payload.get("language", "th"))
    if not name:
        raise BadRequest("display_name is required")
    if language not in ("th", "en"):
        raise BadRequest("language must be th or en")
    return jsonify(vars(_world().create_user(name, language))), 201


@bp.post("/api/users/<user_id>/follow")
def follow(user_id: str):
    _user_or_404(user_id)
    return jsonify(status=_world().follow(user_id))


@bp.post("/api/users/<user_id>/unfollow")
def unfollow(user_id: str):
    _user_or_404(user_id)
    return jsonify(status=_world().unfollow(user_id))


@bp.post("/api/users/<user_id>/text")
def say(user_id: str):
    _user_or_404(user_id)
    text = str(_json().get("text", ""))
    if not text.strip():
        raise BadRequest("text is required")
    return jsonify(status=_world().say(user_id, text))


@bp.post("/api/users/<user_id>/postback")
def postback(user_id: str):
    _user_or_404(user_id)
    payload = _json()
    data = str(payload.get("data", ""))
    params = payload.get("params")
    if params is not None and not (
        isinstance(params, dict) and all(isinstance(v, str) for v in params.values())
    ):
        raise BadRequest("params must map names to strings")
    display_text = payload.get("display_text")
    return jsonify(
        status=_world().postback(user_id, data, params, str(display_text) if display_text else None)
    )


@bp.post("/api/users/<user_id>/richmenu-switch")
def richmenu_switch(user_id: str):
    _user_or_404(user_id)
    payload = _json()
    return jsonify(
        status=_world().switch_rich_menu(user_id, str(payload.get("alias", "")), str(payload.get("data", "")))
    )


@bp.post("/api/users/<user_id>/location")
def location(user_id: str):
    _user_or_404(user_id)
    payload = _json()
    try:
        latitude, longitude = float(payload["latitude"]), float(payload["longitude"])
    except (KeyError, TypeError, ValueError):
        raise BadRequest("latitude and longitude are numbers") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadRequest("latitude or longitude out of range")
    title = str(payload.get("title") or "") or None
    address = str(payload.get("address") or "") or None
    return jsonify(status=_world().send_location(user_id, latitude, longitude, title, address))


@bp.post("/api/users/<user_id>/image")
def image(user_id: str):
    _user_or_404(user_id)
    upload = request.files.get("photo")
    if upload is None:
        raise BadRequest("send the photo as the form field 'photo'")
    content_type = (upload.mimetype or "").lower()
    if content_type not in _IMAGE_TYPES:
        raise BadRequest("only photos can be sent (JPEG, PNG, GIF, WebP)")
    data = upload.read(_MAX_PHOTO_BYTES + 1)
    if len(data) > _MAX_PHOTO_BYTES:
        raise BadRequest("photos over 10 MB cannot be sent")
    status, message_id = _world().send_image(user_id, data, content_type)
    return jsonify(status=status, message_id=message_id)


@bp.post("/api/users/<user_id>/sticker")
def sticker(user_id: str):
    _user_or_404(user_id)
    return jsonify(status=_world().send_sticker(user_id))


@bp.get("/api/users/<user_id>/chat")
def chat(user_id: str):
    """The whole chat (the page asks often; `since` skips entries it has)."""
    _user_or_404(user_id)
    world = _world()
    since = request.args.get("since", default=0, type=int)
    entries = world.transcript(user_id)
    user = world.user(user_id)
    return jsonify(
        total=len(entries),
        entries=entries[max(since, 0) :],
        rich_menu=world.rich_menu(user_id),
        followed=bool(user and user.followed),
        now=world.now().isoformat(),
    )


@bp.get("/api/content/<message_id>")
def content(message_id: str):
    """A photo a simulated user sent (as LINE keeps it for the bot)."""
    found = _world().fake.content(message_id)
    if found is None:
        abort(404)
    data, content_type = found
    return current_app.response_class(data, mimetype=content_type)


@bp.get("/api/richmenus/<menu_id>/image")
def rich_menu_image(menu_id: str):
    found = _world().rich_menu_image(menu_id)
    if found is None:
        abort(404)
    data, content_type = found
    return current_app.response_class(data, mimetype=content_type)


@bp.get("/api/clock")
def clock():
    world = _world()
    return jsonify(now=world.now().isoformat(), can_travel=isinstance(world.clock, ShiftableClock))


@bp.post("/api/clock/advance")
def advance_clock():
    """Time travel: move the app's clock forward (only the demo's shiftable clock can)."""
    world = _world()
    if not isinstance(world.clock, ShiftableClock):
        return jsonify(error="this app's clock cannot travel in time (run `ruamjai demo`)"), 409
    try:
        seconds = float(_json().get("seconds", 0))
    except (TypeError, ValueError):
        raise BadRequest("seconds is a number") from None
    if not (math.isfinite(seconds) and 0 < seconds <= _MAX_JUMP_SECONDS):
        raise BadRequest("seconds must be between 0 and a year")
    world.clock.advance(seconds)
    return jsonify(now=world.now().isoformat())

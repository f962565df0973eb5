"""`GET /media/<key>?exp=…&sig=…`: a stored photo, for whoever holds a signed, unexpired URL.

Only for the local media store (an S3 bucket serves its own presigned URLs). No signature, a wrong
one, an expired one or one that runs longer than the app ever signs for: 403, without saying
whether the key exists. A valid signature for a key that is gone (the user unsent the photo): 404.
Make URLs with `signed_media_url`.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from bot.runtime import runtime
from handlers.services.agency_results import SHARE_URL_SECONDS
from handlers.services.lor import CERTIFICATE_PREFIX, CERTIFICATE_URL_SECONDS
from handlers.services.written_posts import IMAGE_PREFIX, IMAGE_URL_SECONDS
from storage.media import LocalMediaStore, MediaKeyError, check_key

media_blueprint = Blueprint("media", __name__)


def signed_media_url(app, key: str, expires_in: int | None = None) -> str:
    """A URL that shows the stored object `key` for `expires_in` seconds (MEDIA_URL_SECONDS by
    default): through this route for the local store, presigned for S3."""
    rt = runtime(app)
    assert rt.media is not None
    return rt.media.signed_url(key, expires_in or rt.settings.media_url_seconds)


def longest_lifetime(key: str, media_url_seconds: int) -> int:
    """The most seconds a URL for `key` is ever signed for: share images, written posts' images and
    LOR certificates a week (LINE fetches images when the chat is opened), everything else
    MEDIA_URL_SECONDS."""
    if key.startswith(IMAGE_PREFIX):
        return IMAGE_URL_SECONDS
    if key.startswith(CERTIFICATE_PREFIX):
        return CERTIFICATE_URL_SECONDS
    return SHARE_URL_SECONDS if key.startswith("shares/") else media_url_seconds


# Photos and share images are JPEG; LOR certificates may also be PDF or PNG (checked on upload).
CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png"}


@media_blueprint.get("/media/<path:key>")
def media(key: str) -> Response:
    store = runtime(current_app).media
    if not isinstance(store, LocalMediaStore):
        abort(404)
    try:
        check_key(key)
    except MediaKeyError:
        abort(403)
    if not store.verify(key, request.args.get("exp"), request.args.get("sig")):
        abort(403)
    remaining = max(0, int(request.args["exp"]) - int(store.clock()))
    if remaining > longest_lifetime(key, runtime(current_app).settings.media_url_seconds):
        abort(403)
    data = store.get(key)
    if data is None:
        abort(404)
    suffix = key[key.rfind(".") :] if "." in key else ""
    response = Response(data, mimetype=CONTENT_TYPES.get(suffix, "image/jpeg"))
    # Private: a shared cache must not keep a photo past its URL's life.
    response.headers["Cache-Control"] = f"private, max-age={remaining}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

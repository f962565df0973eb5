"""Security headers shared by the staff web and the public pages: the content security policy is
built from its parts (only the image sources vary), and where signed photo links point."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask

from bot.runtime import runtime


def content_security_policy(image_origins: Iterable[str] = ()) -> str:
    """Everything from this app only, no inline code, no framing; images also from `image_origins`."""
    images = " ".join(("'self'", *image_origins, "data:"))
    return "; ".join(
        (
            "default-src 'self'",
            f"img-src {images}",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        )
    )


def media_origin(app: Flask) -> str | None:
    """Where signed photo links point when that is another host (object storage), for the pages'
    image policy; None when the app serves them itself. Signing is local: no request is made."""
    if "media_origin" not in app.extensions:
        store = runtime(app).media
        origin = None
        if store is not None:
            parts = urlsplit(store.signed_url("photos/probe", 60))
            if parts.scheme in ("http", "https") and parts.netloc:
                origin = f"{parts.scheme}://{parts.netloc}"
        app.extensions["media_origin"] = origin
    return app.extensions["media_origin"]

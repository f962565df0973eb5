"""The one rule for links the bot sends people: only to a public HTTPS address."""

from __future__ import annotations


def is_public_https(url: str | None) -> bool:
    """Whether `url` may go out in a message: an https:// address. LINE fetches images over HTTPS
    only, and a personal-data download must not travel in the clear. (PUBLIC_BASE_URL unset or
    http://: the share image and the my-data links are refused politely instead.)"""
    return bool(url) and url.lower().startswith("https://") and len(url) > len("https://")

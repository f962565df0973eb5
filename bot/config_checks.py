"""Start-up checks of settings that do not stop the bot but break something people use: logged as
an error and told to staff once (per configured value), so an operator fixes it before a
coordinator meets it."""

from __future__ import annotations

import hashlib
import logging

from bot.runtime import Runtime
from handlers.services.notices import tell_staff

log = logging.getLogger("ruamjai")


def check_public_links(rt: Runtime) -> bool:
    """Whether links the bot sends (share images, personal-data downloads) can be opened: a public
    HTTPS PUBLIC_BASE_URL (the demo's own address in the demo). When not, an error line and one
    notice to staff; True when all is well."""
    settings = rt.settings
    if settings.links_base_url is not None:
        return True
    configured = settings.public_base_url or ""
    log.error(
        "PUBLIC_BASE_URL is %s: share images and personal-data download links are off until it is "
        "the bot's public https:// address (e.g. https://ruamjai.example.go.th)",
        "not set" if not configured else "not a public https:// address",
    )
    event = "config:public_base_url:" + hashlib.sha256(configured.encode()).hexdigest()[:12]
    with rt.session_factory.begin() as session:
        tell_staff(
            session, "common.staff_links_not_set_up", event, rt.clock.now(), configured=configured or "-"
        )
    return False

"""The privacy notice's version: recorded per person when they are shown it (PDPA: proof of notice).

`NOTICE_FINGERPRINTS` ties each version to the notice's exact text in both languages; a test fails
when the text changes without a new version, so the recorded version always names the words shown.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.catalog import LANGUAGES, default_catalog
from storage.repositories import UserRepository

PRIVACY_NOTICE_VERSION = "1"
NOTICE_FINGERPRINTS = {
    "1": "eedfedbf4038a8e1fca033047caf1ac4120c92aec0d76b14bb9333d490187217",
}


def notice_fingerprint() -> str:
    """SHA-256 of the notice's template in every language (what the version stands for)."""
    catalog = default_catalog()
    text = "\n".join(catalog.messages[language]["privacy.notice"] for language in LANGUAGES)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notice_text(language: str) -> str:
    return default_catalog().text("privacy.notice", language, version=PRIVACY_NOTICE_VERSION)


def record_notice_shown(session: Session, line_user_id: str, now: datetime) -> None:
    user = UserRepository(session).get_or_create(line_user_id, now)
    user.privacy_notice_version = PRIVACY_NOTICE_VERSION
    user.privacy_notice_at = now

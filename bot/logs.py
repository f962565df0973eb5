"""Operator logs: one line per webhook request and per processed event.

Never message text, names, phone numbers, tokens or raw bodies: only ids, types, a keyed hash of
the LINE user id (stable for correlating one user's lines, useless for finding the person),
outcomes and durations.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
from datetime import UTC, datetime

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger msg key=value …` for humans at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{k}={v}" for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")
        )
        line = f"{self.formatTime(record)} {record.levelname} {record.name} {record.getMessage()}"
        if extras:
            line += " " + extras
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(log_format: str = "text", level: int = logging.INFO) -> None:
    """Install one stderr handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_ruamjai", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._ruamjai = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def user_hash(secret_key: str, line_user_id: str | None) -> str:
    """A short keyed hash of a LINE user id for logs."""
    if not line_user_id:
        return "-"
    return hmac.new(secret_key.encode(), line_user_id.encode(), hashlib.sha256).hexdigest()[:12]

"""What the fake platform's endpoints answer with: a response, an early answer (a rejection),
and LINE's error body. Shared by the server and its endpoint groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Response:
    status: int
    body: Any = field(default_factory=dict)  # dict -> JSON; bytes -> raw
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class _Reject(Exception):
    """Answer with ``response`` now (control flow, not an error)."""

    def __init__(self, response: _Response, *, limit: bool = False, violation: bool = True) -> None:
        super().__init__(response.status)
        self.response, self.limit, self.violation = response, limit, violation


def _error(status: int, message: str, details: list[tuple[str, str]] | None = None) -> _Response:
    body: dict[str, Any] = {"message": message}
    if details:
        body["details"] = [{"message": msg, "property": prop} for prop, msg in details]
    return _Response(status, body)

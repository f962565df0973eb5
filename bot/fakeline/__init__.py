"""A fake LINE platform: request validation against LINE's OpenAPI spec, a local Messaging API
server for the SDK, and webhook event builders. Used by tests and the LINE simulator page."""

from .records import Delivery, RecordedRequest, Violation
from .schema import SpecNotFoundError, validate_request, webhook_event_schema
from .server import FakeLinePlatform, running_at

__all__ = [
    "Delivery",
    "FakeLinePlatform",
    "RecordedRequest",
    "SpecNotFoundError",
    "Violation",
    "running_at",
    "validate_request",
    "webhook_event_schema",
]

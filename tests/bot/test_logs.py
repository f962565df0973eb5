"""Operator logs: one line per request and per event, never personal data or tokens."""

from __future__ import annotations

import json
import logging
import time

from bot.fakeline.events import new_user_id, text_event
from bot.logs import JsonFormatter, user_hash
from tests.helpers import TEST_CHANNEL_SECRET, post_events, wait_for


def test_logs_say_what_happened_without_personal_data(app, client, fake_line, caplog):
    caplog.set_level(logging.INFO)
    user = new_user_id()
    token = fake_line.issue_reply_token(user)
    secret_text = "ชื่อ สมหญิง ใจดี โทร 081-234-5678"
    event = text_event(user, secret_text, timestamp_ms=int(time.time() * 1000), reply_token=token)
    post_events(client, [event])
    wait_for(lambda: any(r.getMessage() == "event" for r in caplog.records))
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name.startswith("ruamjai")]
    joined = "\n".join(lines)
    for forbidden in (
        secret_text,
        "สมหญิง",
        "081-234-5678",
        user,
        token,
        TEST_CHANNEL_SECRET,
        "test-access-token",
    ):
        assert forbidden not in joined
    records = [json.loads(line) for line in lines]
    [request] = [r for r in records if r["msg"] == "webhook"]
    assert request["status"] == 200 and request["events"] == 1 and "duration_ms" in request
    [processed] = [r for r in records if r["msg"] == "event"]
    assert processed["event_id"] == event["webhookEventId"]
    assert processed["type"] == "message"
    assert processed["outcome"] == "done"
    assert processed["user"] == user_hash("test-secret-key", user) != user
    assert processed["duration_ms"] >= 0


def test_json_lines_are_one_object_per_line():
    record = logging.makeLogRecord({"msg": "event", "levelno": 20, "levelname": "INFO", "outcome": "done"})
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line)["outcome"] == "done"

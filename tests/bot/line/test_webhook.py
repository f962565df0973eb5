"""POST /callback: what LINE (or an attacker) sends, and what is stored and answered."""

from __future__ import annotations

import json
import logging
import sqlite3
import time

import pytest
import urllib3
from sqlalchemy import create_engine, func, select

from bot.fakeline.events import follow_event, new_user_id, text_event, webhook_body
from bot.runtime import runtime
from storage.models import InboxEvent, OutboxMessage
from tests.helpers import WebProcess, post_events, signed_headers, wait_for, wait_until_drained


def now_ms() -> int:
    return int(time.time() * 1000)


def inbox_count(app) -> int:
    with runtime(app).session_factory() as session:
        return session.scalar(select(func.count()).select_from(InboxEvent))


def inbox_rows(app) -> list[InboxEvent]:
    with runtime(app).session_factory() as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


@pytest.fixture
def body() -> bytes:
    return webhook_body([text_event(new_user_id(), "สวัสดีค่ะ", timestamp_ms=now_ms())])


def test_forged_signature_is_refused_and_nothing_is_stored(app, client, body, caplog):
    caplog.set_level(logging.INFO)
    response = client.post("/callback", data=body, headers=signed_headers(body, secret="not-the-secret"))
    assert response.status_code == 400
    assert inbox_count(app) == 0
    assert not [r for r in caplog.records if r.exc_info]
    assert "สวัสดี" not in caplog.text


def test_missing_signature_is_refused(app, client, body):
    response = client.post("/callback", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert inbox_count(app) == 0


def test_truncated_body_is_refused(app, client, body):
    headers = signed_headers(body)
    response = client.post("/callback", data=body[: len(body) // 2], headers=headers)
    assert response.status_code == 400
    assert inbox_count(app) == 0


def test_three_megabyte_body_is_refused_before_anything_else(app, client, caplog):
    big = b'{"events": [], "padding": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = client.post("/callback", data=big, headers=signed_headers(big))
    assert response.status_code == 413
    assert inbox_count(app) == 0
    assert not [r for r in caplog.records if r.exc_info]


def test_signed_but_not_json_body_is_refused(app, client, caplog):
    for junk in (b"this is not json", b'{"events": "nope"}', b"[]", b'{"nothing": []}'):
        response = client.post("/callback", data=junk, headers=signed_headers(junk))
        assert response.status_code == 400, junk
    assert inbox_count(app) == 0
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("depth", [200_000, 5_000])
def test_a_signed_body_nested_deeper_than_json_can_follow_is_refused(app, client, caplog, depth):
    deep = b'{"events": [' + b"[" * depth + b"]" * depth + b"]}"
    response = client.post("/callback", data=deep, headers=signed_headers(deep))
    assert response.status_code == 400
    assert inbox_count(app) == 0
    assert not [r for r in caplog.records if r.exc_info]


def test_a_signed_event_without_an_id_is_kept_as_rejected_not_refused(app, client):
    body = b'{"events": [{"type": "message"}]}'
    for _ in range(2):  # redelivered: still one row
        assert client.post("/callback", data=body, headers=signed_headers(body)).status_code == 200
    [row] = inbox_rows(app)
    assert (row.status, row.reject_reason) == ("rejected", "webhookEventId: not text")


def test_verify_button_empty_events_answers_200(app, client):
    payload = json.dumps({"destination": new_user_id(), "events": []}).encode()
    response = client.post("/callback", data=payload, headers=signed_headers(payload))
    assert response.status_code == 200
    assert inbox_count(app) == 0


def test_unknown_event_type_is_recorded_and_ignored(app, client, fake_line, caplog):
    user = new_user_id()
    event = text_event(user, "x", timestamp_ms=now_ms())
    event["type"] = "somethingNew"
    event.pop("message")
    response = post_events(client, [event])
    assert response.status_code == 200
    [row] = inbox_rows(app)
    assert (row.event_type, row.status) == ("somethingNew", "ignored")
    wait_until_drained(app)
    assert fake_line.requests == []
    assert not [r for r in caplog.records if r.exc_info]


def test_standby_event_is_recorded_and_not_answered(app, client, fake_line):
    event = text_event(new_user_id(), "สวัสดีค่ะ", timestamp_ms=now_ms(), mode="standby")
    assert post_events(client, [event]).status_code == 200
    [row] = inbox_rows(app)
    assert (row.mode, row.status) == ("standby", "ignored")
    wait_until_drained(app)
    assert fake_line.requests == []


def test_redelivered_event_is_a_no_op(app, client, fake_line):
    user = new_user_id()
    event = follow_event(user, timestamp_ms=now_ms(), reply_token=fake_line.issue_reply_token(user))
    for _ in range(3):
        assert post_events(client, [event]).status_code == 200
    redelivered = dict(event, deliveryContext={"isRedelivery": True})
    assert post_events(client, [redelivered]).status_code == 200
    wait_for(lambda: all(r.status == "done" for r in inbox_rows(app)))
    wait_for(lambda: fake_line.delivery_counts()[user] >= 1)
    wait_until_drained(app)
    assert inbox_count(app) == 1
    assert fake_line.delivery_counts()[user] == 1
    with runtime(app).session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_header_name_case_does_not_matter(app, client, body):
    headers = {k.lower(): v for k, v in signed_headers(body).items()}
    assert client.post("/callback", data=body, headers=headers).status_code == 200
    assert inbox_count(app) == 1


def test_other_methods_on_the_webhook_path_are_refused_and_other_paths_reach_flask(app, client):
    response = client.get("/callback")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert inbox_count(app) == 0
    assert client.get("/healthz").status_code == 200


def test_a_database_failure_answers_500_with_an_error_id_and_stores_nothing(
    app, client, body, caplog, monkeypatch
):
    def broken(parameters):
        raise sqlite3.OperationalError("disk I/O error")

    caplog.set_level(logging.INFO)
    monkeypatch.setattr(runtime(app).inbox, "_insert", broken)
    response = client.post("/callback", data=body, headers=signed_headers(body))
    assert response.status_code == 500  # LINE redelivers it
    [record] = [r for r in caplog.records if r.name == "ruamjai.webhook"]
    assert record.status == 500 and record.error_id.startswith("E") and record.exc_info
    assert "สวัสดี" not in caplog.text
    monkeypatch.undo()
    assert inbox_count(app) == 0
    # The redelivery goes through.
    assert client.post("/callback", data=body, headers=signed_headers(body)).status_code == 200
    assert inbox_count(app) == 1


def test_a_chunked_delivery_through_gunicorn_is_stored(web_env, fake_line, database_url, tmp_path):
    user = new_user_id()
    body = webhook_body(
        [text_event(user, "ส่งรายงาน", timestamp_ms=now_ms(), reply_token=fake_line.issue_reply_token(user))]
    )
    web = WebProcess(web_env, workers=1, log_path=tmp_path / "web.log")
    http = urllib3.PoolManager()
    try:
        chunks = [body[i : i + 100] for i in range(0, len(body), 100)]
        response = http.urlopen(
            "POST", web.url + "/callback", body=iter(chunks), headers=signed_headers(body), chunked=True
        )
        assert response.status == 200
        too_big = [b"x" * 65536] * 50
        response = http.urlopen(
            "POST", web.url + "/callback", body=iter(too_big), headers=signed_headers(b""), chunked=True
        )
        assert response.status == 413
    finally:
        web.stop()
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(InboxEvent)).scalar() == 1
    finally:
        engine.dispose()

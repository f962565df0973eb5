"""Database errors name no one: the engine hides a failing statement's bound parameters (LINE user
ids, names) from the exception's text, and so from every log that prints it."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from bot.fakeline.events import new_user_id
from storage.db import make_engine, make_session_factory
from storage.models import LineUser
from tests.handlers.domain_helpers import NOW


def test_a_failing_statement_logs_no_line_user_id(database_url, caplog):
    user = new_user_id()
    engine = make_engine(database_url, pool_size=1)
    try:
        with pytest.raises(IntegrityError) as caught:
            with make_session_factory(engine).begin() as session:
                session.add_all([LineUser(line_user_id=user, created_at=NOW) for _ in range(2)])
                session.flush()
        logging.getLogger("ruamjai.events").error("event failed", exc_info=caught.value)
    finally:
        engine.dispose()
    assert "event failed" in caplog.text and "IntegrityError" in caplog.text
    assert user not in str(caught.value) and user not in caplog.text

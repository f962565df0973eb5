"""SQL helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

_INSERT_IGNORE_CACHE: dict[tuple, Any] = {}


def insert_ignore_statement(
    dialect: str, model: type, conflict: tuple[str, ...], returning: tuple[str, ...] = ()
):
    """INSERT … ON CONFLICT DO NOTHING [RETURNING …] for SQLite or PostgreSQL, built once.

    The rows travel as parameters, not inside the statement, so SQLAlchemy compiles it once and
    reuses it (building `insert().values(rows)` per call recompiled it every time).
    """
    key = (dialect, model, conflict, returning)
    statement = _INSERT_IGNORE_CACHE.get(key)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        table = model.__table__
        statement = insert(table).on_conflict_do_nothing(index_elements=list(conflict))
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
        _INSERT_IGNORE_CACHE[key] = statement
    return statement


def insert_ignore(
    session: Session,
    model: type,
    rows: list[dict[str, Any]],
    conflict: list[str],
    returning: tuple[str, ...] = (),
) -> list:
    """Insert rows, skipping those that collide on `conflict`; returns the inserted rows' `returning`."""
    if not rows:
        return []
    connection = session.connection()
    statement = insert_ignore_statement(connection.dialect.name, model, tuple(conflict), tuple(returning))
    result = connection.execute(statement, rows if len(rows) > 1 else rows[0])
    return list(result) if returning else []


# Statements run for every event (executor) or send (outbox): built once here, not per call.

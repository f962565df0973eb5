"""The declarative base every table derives from; its metadata is what Alembic compares against."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """The SQLAlchemy 2 declarative base of all Ruamjai tables."""

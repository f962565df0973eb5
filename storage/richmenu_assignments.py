"""Which role's rich menu each LINE user should see (`richmenu_assignments`).

Written when a rich-menu link is queued (`OutboxRepository.enqueue_richmenu_link`), in the same
transaction as the role change that asks for it, so the table always says the *latest* wish:
the outbox's linker applies a row only to the users it is still right for, and a sync that
replaces menus links everyone again from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import RichMenuAssignment

# The role whose menu is LINE's default: users of that role are unlinked, not linked, and have no row.
DEFAULT_MENU = "subscriber"


def _upsert_statement(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(RichMenuAssignment.__table__)
    return statement.on_conflict_do_update(
        index_elements=["line_user_id"],
        set_={
            "menu": statement.excluded.menu,
            "assigned_at": statement.excluded.assigned_at,
            "linked_at": None,
        },
    )


class RichMenuAssignmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def assign(self, line_user_ids: Sequence[str], menu: str, now: datetime) -> None:
        """These users should now see `menu` ("subscriber" forgets them: the default applies)."""
        ids = list(dict.fromkeys(line_user_ids))
        if not ids:
            return
        if menu == DEFAULT_MENU:
            self.session.execute(delete(RichMenuAssignment).where(RichMenuAssignment.line_user_id.in_(ids)))
            return
        connection = self.session.connection()
        rows = [{"line_user_id": i, "menu": menu, "assigned_at": now, "linked_at": None} for i in ids]
        connection.execute(_upsert_statement(connection.dialect.name), rows)

    def menus_of(self, line_user_ids: Iterable[str]) -> dict[str, str]:
        """user -> menu they should see; users without a row should see the default menu."""
        ids = list(line_user_ids)
        found = self.session.execute(
            select(RichMenuAssignment.line_user_id, RichMenuAssignment.menu).where(
                RichMenuAssignment.line_user_id.in_(ids)
            )
        )
        menus = {user: menu for user, menu in found}
        return {user: menus.get(user, DEFAULT_MENU) for user in ids}

    def mark_linked(self, line_user_ids: Sequence[str], menu: str, now: datetime) -> None:
        """LINE accepted the link (only rows still wanting `menu`: a newer wish stays pending)."""
        if not line_user_ids:
            return
        self.session.execute(
            update(RichMenuAssignment)
            .where(RichMenuAssignment.line_user_id.in_(list(line_user_ids)), RichMenuAssignment.menu == menu)
            .values(linked_at=now)
        )

    def users_with(self, menu: str) -> list[str]:
        """Everyone who should see `menu`, oldest assignment first."""
        return list(
            self.session.scalars(
                select(RichMenuAssignment.line_user_id)
                .where(RichMenuAssignment.menu == menu)
                .order_by(RichMenuAssignment.id)
            )
        )

    def get(self, line_user_id: str) -> RichMenuAssignment | None:
        return self.session.scalars(
            select(RichMenuAssignment).where(RichMenuAssignment.line_user_id == line_user_id)
        ).first()

    def forget(self, line_user_id: str) -> bool:
        """Delete the person's row (erasure of their personal data); True when there was one."""
        result = self.session.execute(
            delete(RichMenuAssignment).where(RichMenuAssignment.line_user_id == line_user_id)
        )
        return result.rowcount > 0

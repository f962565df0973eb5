"""The outbox's repository: rows written in the caller's transaction, claimed and finished by
the sender (bot/line/outbox.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from storage.db import checkpoint_after_commit
from storage.models import OutboxMessage
from storage.richmenu_assignments import RichMenuAssignmentRepository
from storage.sql import insert_ignore

MULTICAST_MAX_RECIPIENTS = 500  # LINE: at most 500 user ids per multicast call

_outbox = OutboxMessage.__table__
_FINISH_OUTBOX = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row"))
    .values(
        status=bindparam("outcome"),
        lease_until=None,
        sent_at=bindparam("sent"),
        last_error=bindparam("error"),
    )
)


def _outbox_due(ignore_schedule: bool = False):
    """Rows ready to send at :now: pending and due, or stuck in `sending` past their lease."""
    return or_(
        and_(
            _outbox.c.status == "pending",
            True if ignore_schedule else _outbox.c.next_attempt_at <= bindparam("now"),
        ),
        and_(_outbox.c.status == "sending", _outbox.c.lease_until < bindparam("now")),
    )


_TAKE_OUTBOX = {"status": "sending", "lease_until": bindparam("until"), "attempts": _outbox.c.attempts + 1}
_CLAIM_OUTBOX = update(_outbox).where(_outbox.c.id == bindparam("row"), _outbox_due()).values(_TAKE_OUTBOX)
_CLAIM_OUTBOX_ANY_TIME = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row"), _outbox_due(ignore_schedule=True))
    .values(_TAKE_OUTBOX)
)


@dataclass(frozen=True)
class ClaimedRow:
    """What sending one claimed row needs (OutboxRepository.claim_many)."""

    id: int
    kind: str
    retry_key: str
    attempts: int
    recipients: list[str]
    payload: dict


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _add(
        self,
        kind: str,
        dedupe_key: str,
        payload: dict[str, Any],
        now: datetime,
        recipients: Sequence[str] = (),
        reply_token: str | None = None,
        reply_token_expires_at: datetime | None = None,
        claimed_until: datetime | None = None,
        retry_key: str | None = None,
        urgent: bool = True,
    ) -> int | None:
        """Insert one row unless its dedupe key exists; returns the new row's id, else None.

        `urgent=False` (news, knowledge posts): the sender holds the row back in quiet hours."""
        rows = insert_ignore(
            self.session,
            OutboxMessage,
            [
                {
                    "kind": kind,
                    "dedupe_key": dedupe_key,
                    "retry_key": retry_key or str(uuid.uuid4()),
                    "reply_token": reply_token,
                    "reply_token_expires_at": reply_token_expires_at,
                    "recipients": json.dumps(list(recipients)),
                    "payload": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                    "status": "sending" if claimed_until else "pending",
                    "attempts": 1 if claimed_until else 0,
                    "next_attempt_at": now,
                    "lease_until": claimed_until,
                    "last_error": None,
                    "created_at": now,
                    "sent_at": None,
                    "urgent": urgent,
                }
            ],
            ["dedupe_key"],
            returning=("id",),
        )
        return rows[0][0] if rows else None

    def enqueue_reply(
        self,
        *,
        dedupe_key: str,
        reply_token: str | None,
        reply_token_expires_at: datetime | None,
        to: str,
        messages: list[dict],
        now: datetime,
        lease: timedelta,
        retry_key: str,
        store_recipient: bool = True,
        forget_links: bool = False,
    ) -> int | None:
        """A reply the executor sends itself right after commit: written already claimed
        (`sending`, attempt 1, leased), so no one else sends it unless the executor dies.

        `store_recipient=False` (the person was just erased): the row keeps no LINE user id; the
        reply goes by its token from memory, and if that fails there is no one left to push to.
        `forget_links`: the messages carry a download link the sender blanks once the row is done.
        """
        return self._add(
            "reply",
            dedupe_key,
            {"messages": messages, "forget_links": True} if forget_links else {"messages": messages},
            now,
            recipients=[to] if store_recipient else [],
            reply_token=reply_token,
            reply_token_expires_at=reply_token_expires_at,
            claimed_until=now + lease,
            retry_key=retry_key,
        )

    def enqueue_push(
        self, *, to: str, messages: list[dict], dedupe_key: str, now: datetime, urgent: bool = True
    ) -> bool:
        payload = {"messages": messages}
        return self._add("push", dedupe_key, payload, now, recipients=[to], urgent=urgent) is not None

    def enqueue_multicast(
        self, *, to: Sequence[str], messages: list[dict], dedupe_key: str, now: datetime, urgent: bool = True
    ) -> int:
        """One row per ≤500 recipients, each with its own retry key, so a resumed fan-out never
        resends a chunk LINE already accepted. Returns the number of new rows."""
        unique = list(dict.fromkeys(to))
        created = 0
        for index, start in enumerate(range(0, len(unique), MULTICAST_MAX_RECIPIENTS)):
            chunk = unique[start : start + MULTICAST_MAX_RECIPIENTS]
            row = self._add(
                "multicast",
                f"{dedupe_key}#{index}",
                {"messages": messages},
                now,
                recipients=chunk,
                urgent=urgent,
            )
            created += row is not None
        return created

    def enqueue_broadcast(
        self, *, messages: list[dict], dedupe_key: str, now: datetime, urgent: bool = True
    ) -> bool:
        return self._add("broadcast", dedupe_key, {"messages": messages}, now, urgent=urgent) is not None

    def enqueue_narrowcast(
        self,
        *,
        messages: list[dict],
        dedupe_key: str,
        now: datetime,
        recipient: dict | None = None,
        filter: dict | None = None,
    ) -> bool:
        payload: dict[str, Any] = {"messages": messages}
        if recipient:
            payload["recipient"] = recipient
        if filter:
            payload["filter"] = filter
        return self._add("narrowcast", dedupe_key, payload, now) is not None

    def enqueue_richmenu_link(
        self,
        *,
        line_user_ids: Sequence[str],
        menu: str,
        dedupe_key: str,
        now: datetime,
        assign: bool = True,
        rich_menu_id: str | None = None,
        forget_recipients: bool = False,
    ) -> int:
        """Link these users to the rich menu for `menu` (a role: "subscriber", "coordinator",
        "staff"), in rows of at most 500 users (LINE's bulk-link limit). The sender resolves
        `menu` to the rich menu the last sync created; returns the number of new rows.

        Each new row also records the users' menu (`RichMenuAssignmentRepository.assign`) in this
        transaction: the latest wish wins even if rows are sent out of order, and a sync that
        replaces menus links everyone again. A repeated dedupe key changes nothing. `assign=False`
        (the sync's relinks) sends the rows without recording: they apply only to users whose
        recorded menu is still `menu` when the row goes out; the sync also names the menu it
        just made (`rich_menu_id`), saving the sender a look-up that may still see the old one.
        `forget_recipients` (an erased person's unlink): once the row is sent or skipped, the
        sender empties its recipients (`forget_recipients` below), so the LINE user id is gone."""
        unique = list(dict.fromkeys(line_user_ids))
        created = 0
        for index, start in enumerate(range(0, len(unique), MULTICAST_MAX_RECIPIENTS)):
            chunk = unique[start : start + MULTICAST_MAX_RECIPIENTS]
            payload: dict[str, Any] = {"menu": menu}
            if rich_menu_id:
                payload["rich_menu_id"] = rich_menu_id
            if forget_recipients:
                payload["forget_recipients"] = True
            row = self._add("richmenu", f"{dedupe_key}#{index}", payload, now, recipients=chunk)
            if row is not None and assign:
                RichMenuAssignmentRepository(self.session).assign(chunk, menu, now)
            created += row is not None
        return created

    def due_rows(self, now: datetime, limit: int) -> list[tuple[int, str, str]]:
        """(id, kind, recipients JSON) of the rows ready to send, oldest first: pending and due, or
        stuck in `sending` past their lease (crash)."""
        return list(
            self.session.execute(
                select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.recipients)
                .where(
                    or_(
                        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                        and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
                    )
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
        )

    def hold_behind(self, row_id: int, later_ids: list[int]) -> None:
        """Keep `later_ids` (pending, same recipient) from going out before `row_id`, which is
        waiting for a retry: they become due when it does, and sort after it by id."""
        held = self.session.get(OutboxMessage, row_id)
        if held is None or held.status not in ("pending", "sending"):
            return
        until = held.next_attempt_at if held.status == "pending" else held.lease_until
        if until is None:
            return
        self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(later_ids),
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at < until,
            )
            .values(next_attempt_at=until)
        )

    def claim(self, row_id: int, now: datetime, lease: timedelta, *, ignore_schedule: bool = False) -> bool:
        """Take one row for sending. Exactly one caller wins; the attempt is counted up front so a
        crash mid-send still counts towards dead-lettering. (A Core statement built once: the
        sender runs it for every row, 200 times in a 100,000-recipient fan-out.)"""
        statement = _CLAIM_OUTBOX_ANY_TIME if ignore_schedule else _CLAIM_OUTBOX
        result = self.session.execute(statement, {"row": row_id, "now": now, "until": now + lease})
        return result.rowcount == 1

    def claim_many(self, row_ids: Sequence[int], now: datetime, lease: timedelta) -> list[ClaimedRow]:
        """Take several due rows at once (as `claim`, in one statement): the rows this caller won,
        oldest first, with what sending them needs."""
        if not row_ids:
            return []
        result = self.session.execute(
            update(_outbox)
            .where(_outbox.c.id.in_(list(row_ids)), _outbox_due())
            .values(_TAKE_OUTBOX)
            .returning(
                _outbox.c.id,
                _outbox.c.kind,
                _outbox.c.retry_key,
                _outbox.c.attempts,
                _outbox.c.recipients,
                _outbox.c.payload,
            ),
            {"now": now, "until": now + lease},
        )
        claimed = [
            ClaimedRow(row_id, kind, retry_key, attempts, json.loads(recipients or "[]"), json.loads(payload))
            for row_id, kind, retry_key, attempts, recipients, payload in result
        ]
        return sorted(claimed, key=lambda row: row.id)

    def get(self, row_id: int) -> OutboxMessage | None:
        return self.session.get(OutboxMessage, row_id)

    def finish(self, row_id: int, status: str, now: datetime, error: str | None = None) -> None:
        self.session.execute(
            _FINISH_OUTBOX,
            {
                "row": row_id,
                "outcome": status,
                "sent": now if status == "sent" else None,
                "error": error[:500] if error else None,
            },
        )

    def mark_sent(self, row_ids: Sequence[int], now: datetime) -> None:
        self.session.execute(
            _FINISH_OUTBOX,
            [{"row": row_id, "outcome": "sent", "sent": now, "error": None} for row_id in row_ids],
        )

    def rows_for_recipient(self, line_user_id: str, *, unfinished_only: bool = False) -> list[OutboxMessage]:
        """The rows whose recipient list holds exactly `line_user_id` as one of its elements.

        SQL narrows the search to rows whose JSON text holds the quoted id; the decision is made on
        the parsed list, so no other id, and no part of one, ever matches."""
        if not line_user_id:
            return []
        query = select(OutboxMessage).where(
            OutboxMessage.recipients.contains(json.dumps(line_user_id), autoescape=True)
        )
        if unfinished_only:
            query = query.where(OutboxMessage.status.in_(("pending", "sending")))
        return [
            row
            for row in self.session.scalars(query.order_by(OutboxMessage.id))
            if line_user_id in json.loads(row.recipients or "[]")
        ]

    def drop_recipient(self, line_user_id: str) -> tuple[int, int]:
        """Take one person off every row's recipient list (a multicast keeps its other recipients);
        a row left with nobody to send to is deleted. Returns (rows kept without them, rows deleted)."""
        kept = deleted = 0
        for row in self.rows_for_recipient(line_user_id):
            others = [who for who in json.loads(row.recipients) if who != line_user_id]
            if others:
                row.recipients = json.dumps(others)
                kept += 1
            else:
                self.session.delete(row)
                deleted += 1
        self.session.flush()
        return kept, deleted

    def forget_recipients(self, row_id: int) -> None:
        """Empty a finished row's recipients (a row kept for its status must not keep a LINE id);
        on SQLite the write-ahead log is emptied after the commit, so the id is gone from it too."""
        self.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(recipients="[]"))
        checkpoint_after_commit(self.session)

    def replace_payload(self, row_id: int, payload: dict) -> None:
        """Overwrite a finished row's payload (to keep less of it)."""
        self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
        )

    def forget_reply_token(self, row_id: int) -> None:
        """LINE refused the token: later attempts push instead."""
        self.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(reply_token=None))

    def unclaim(self, row_id: int, at: datetime) -> None:
        """Give a claimed row back untried (no rate-limit slot until `at`): the attempt is not counted."""
        self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(
                status="pending", next_attempt_at=at, lease_until=None, attempts=OutboxMessage.attempts - 1
            )
        )

    def retry_later(self, row_id: int, at: datetime, error: str) -> None:
        self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(status="pending", next_attempt_at=at, lease_until=None, last_error=error[:500])
        )

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func

        return dict(
            self.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )

"""Inviting a colleague (เชิญเพื่อนร่วมงาน): an approved coordinator gets an invitation code at once;
anyone else is told how to register or join (services.authz decides, in services.invitations)."""

from __future__ import annotations

from datetime import timedelta

from handlers.chat.engine import Flow, Outcome, Turn
from handlers.services.invitations import create_invitation
from handlers.services.thaitime import thai_date


def on_enter(turn: Turn) -> Outcome:
    invitation = create_invitation(turn.session, turn.line_user_id, turn.now)
    # The last whole day it works, so "until 8 Dec" is never a few hours too generous.
    last_day = invitation.expires_at - timedelta(seconds=1)
    return Outcome.end(
        turn.t(
            "invite.code",
            code=invitation.code,
            until=thai_date(last_day, turn.language),
            uses=invitation.max_uses,
        )
    )


FLOW = Flow(
    name="invite",
    title_key="invite.title",
    words_key="invite.words",
    start="invite:none",
    steps={},
    on_enter=on_enter,
    menu_roles=("coordinator",),
)

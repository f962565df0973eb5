"""A browser on the staff web (the Flask test client keeps its cookies) and the staff member's
phone (tests.helpers.Chat) that confirms its sign-in on the bot's card."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.runtime import runtime
from handlers.services.authz import add_staff
from tests.helpers import Chat

CODE = re.compile(r'<p class="code" id="code">([A-Z0-9-]+)</p>')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STAFF_USER = "U" + "5" * 32
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


def add_staff_member(app, user: str = STAFF_USER, name: str = "สมศรี ทดสอบ") -> int:
    with runtime(app).session_factory.begin() as session:
        return add_staff(session, user, name, datetime.now(UTC)).id


class Browser:
    """One browser: its cookies, the code its sign-in page showed and that page's CSRF token."""

    def __init__(self, app, ip: str = "203.0.113.7") -> None:
        self.client = app.test_client()
        self.environ = {"REMOTE_ADDR": ip}
        self.headers = {"User-Agent": CHROME_ON_WINDOWS}
        self.code: str | None = None
        self.token: str | None = None

    def get(self, path: str, **kwargs):
        return self.client.get(path, environ_base=self.environ, headers=self.headers, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(
            path, data=data or {}, environ_base=self.environ, headers=self.headers, **kwargs
        )

    def open_sign_in(self, path: str = "/staff/sign-in"):
        response = self.get(path)
        page = response.get_data(as_text=True)
        found = CODE.search(page)
        self.code = found.group(1) if found else None
        token = CSRF.search(page)
        self.token = token.group(1) if token else None
        return response

    def state(self) -> str:
        return self.get("/staff/sign-in/status").get_json()["state"]

    def collect(self):
        return self.post("/staff/sign-in/collect", {"csrf_token": self.token or ""})

    def sign_out(self, token: str | None = None):
        page = self.get("/staff/").get_data(as_text=True)
        found = CSRF.search(page)
        return self.post("/staff/sign-out", {"csrf_token": token if token is not None else found.group(1)})


def card_data(chat: Chat, button: int) -> str:
    """The postback data of the confirm card's button (0: confirm, 1: cancel)."""
    card = chat.last[-1]
    assert card["type"] == "flex", card
    return card["contents"]["footer"]["contents"][button]["action"]["data"]


def card_text(chat: Chat) -> str:
    card = chat.last[-1]
    return "\n".join(item.get("text", "") for item in card["contents"]["body"]["contents"])


def signed_in(app, fake_line, browser: Browser, chat: Chat) -> None:
    """The whole happy path: the browser shows a code, the phone sends it and confirms, the
    browser collects its session."""
    browser.open_sign_in()
    assert browser.code
    chat.say(browser.code)
    chat.tap_data(card_data(chat, 0))
    response = browser.collect()
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/"), response

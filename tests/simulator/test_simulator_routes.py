"""The simulator's routes: served only against an in-process fake platform; a simulated user's
actions reach the bot as signed webhooks, and the chat shows what the bot sent through LINE."""

from __future__ import annotations

import io
import json

import pytest
import urllib3
from PIL import Image
from sqlalchemy import select

from bot.timeutil import ShiftableClock
from handlers.catalog import t
from handlers.chat.pages.privacy import notice_text
from storage.models import InboxEvent
from tests.helpers import wait_for
from tests.simulator.line_setup import TEST_ACCESS_TOKEN, give_rich_menu


def create_user(client, name="สมใจ", language="th") -> str:
    response = client.post("/simulator/api/users", json={"display_name": name, "language": language})
    assert response.status_code == 201
    return response.get_json()["user_id"]


def chat(client, user_id: str) -> dict:
    response = client.get(f"/simulator/api/users/{user_id}/chat")
    assert response.status_code == 200
    return response.get_json()


def bot_texts(client, user_id: str) -> list[str]:
    return [e["message"].get("text", "") for e in chat(client, user_id)["entries"] if e["from"] == "bot"]


def wait_for_bot(client, user_id: str, count: int) -> list[str]:
    return wait_for(
        lambda: (lambda texts: texts if len(texts) >= count else None)(bot_texts(client, user_id))
    )


@pytest.mark.parametrize("base_url", [None, "https://api.line.me", "http://127.0.0.1:9"])
def test_the_simulator_is_not_served_with_real_line(make_app, settings, base_url):
    app = make_app(settings.with_(line_api_base_url=base_url))
    client = app.test_client()
    for path in ("/simulator", "/simulator/api/users", "/simulator/font/regular.ttf"):
        assert client.get(path).status_code == 404
    assert client.post("/simulator/api/users", json={"display_name": "x"}).status_code == 404
    assert "simulator" not in app.extensions


def test_the_page_and_its_thai_font_are_served_against_the_fake(client):
    page = client.get("/simulator")
    assert page.status_code == 200
    assert "ร่วมใจ" in page.get_data(as_text=True)
    assert "@font-face" in page.get_data(as_text=True)
    with client.get("/simulator/font/regular.ttf") as font:
        assert font.status_code == 200 and font.mimetype == "font/ttf"
        assert font.data[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    with client.get("/simulator/static/flex.js") as script:
        assert script.status_code == 200


def test_a_simulated_user_is_greeted_in_the_language_of_their_line_app(client, fake_line):
    user_id = create_user(client, "Somchai", "en")
    assert client.post(f"/simulator/api/users/{user_id}/follow").get_json() == {"status": 200}
    assert wait_for_bot(client, user_id, 2) == [t("welcome.greeting", "en"), notice_text("en")]
    # The bot asked LINE (the fake) for the profile the simulator registered.
    assert [r.status for r in fake_line.calls("GET", f"/v2/bot/profile/{user_id}")] == [200]
    entries = chat(client, user_id)["entries"]
    assert entries[0] == {"from": "user", "kind": "system", "event": "follow", "at": entries[0]["at"]}
    assert chat(client, user_id)["followed"] is True


def test_typing_tapping_and_blocking_send_line_events(client, app, fake_line):
    user_id = create_user(client)
    client.post(f"/simulator/api/users/{user_id}/follow")
    wait_for_bot(client, user_id, 2)
    client.post(f"/simulator/api/users/{user_id}/text", json={"text": "ตั้งค่า"})
    asked = wait_for_bot(client, user_id, 3)[-1]
    assert asked.startswith("การตั้งค่าของท่านตอนนี้ค่ะ")  # what is saved, then which to change
    for label, count in ((t("prefs.which_language", "th"), 4), ("English", 5)):
        question = chat(client, user_id)["entries"][-1]["message"]
        button = next(i["action"] for i in question["quickReply"]["items"] if i["action"]["label"] == label)
        client.post(
            f"/simulator/api/users/{user_id}/postback",
            json={"data": button["data"], "display_text": button["displayText"]},
        )
        wait_for_bot(client, user_id, count)
    assert bot_texts(client, user_id)[-1].startswith("Saved. Language: English")  # said in English
    client.post(
        f"/simulator/api/users/{user_id}/postback", json={"data": "a=pick", "params": {"date": "2027-01-31"}}
    )
    wait_for_bot(client, user_id, 6)
    client.post(f"/simulator/api/users/{user_id}/unfollow")
    assert chat(client, user_id)["followed"] is False
    with app.extensions["ruamjai"].session_factory() as session:
        events = session.scalars(select(InboxEvent).order_by(InboxEvent.id)).all()
        payloads = [json.loads(e.payload) for e in events]
    assert [p["type"] for p in payloads] == [
        "follow",
        "message",
        "postback",
        "postback",
        "postback",
        "unfollow",
    ]
    assert payloads[4]["postback"] == {"data": "a=pick", "params": {"date": "2027-01-31"}}
    # What the user saw themselves send: the text, then the button's displayText.
    sent = [
        e.get("text") for e in chat(client, user_id)["entries"] if e["from"] == "user" and e["kind"] == "text"
    ]
    assert sent == ["ตั้งค่า", t("prefs.which_language", "th"), "English"]


def test_a_photo_becomes_line_content_the_bot_can_download(client, fake_line):
    user_id = create_user(client)
    client.post(f"/simulator/api/users/{user_id}/follow")
    wait_for_bot(client, user_id, 2)
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(jpeg, "JPEG")
    response = client.post(
        f"/simulator/api/users/{user_id}/image",
        data={"photo": (io.BytesIO(jpeg.getvalue()), "tree.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    message_id = response.get_json()["message_id"]
    assert fake_line.content(message_id) == (jpeg.getvalue(), "image/jpeg")
    assert client.get(f"/simulator/api/content/{message_id}").data == jpeg.getvalue()
    assert len(wait_for_bot(client, user_id, 3)) == 3  # the bot answered the photo
    refused = client.post(
        f"/simulator/api/users/{user_id}/image",
        data={"photo": (io.BytesIO(b"%PDF-1.4"), "x.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "photo" in refused.get_json()["error"]


def test_location_and_bad_input(client):
    user_id = create_user(client)
    ok = client.post(
        f"/simulator/api/users/{user_id}/location",
        json={"latitude": 18.79, "longitude": 98.98, "title": "วัด"},
    )
    assert ok.status_code == 200
    assert client.post(f"/simulator/api/users/{user_id}/location", json={"latitude": 99}).status_code == 400
    assert client.post(f"/simulator/api/users/{user_id}/text", json={"text": " "}).status_code == 400
    assert client.post("/simulator/api/users/Unobody/text", json={"text": "hi"}).status_code == 404
    assert client.post("/simulator/api/users", json={"display_name": ""}).status_code == 400


def test_the_chat_shows_the_rich_menu_and_broadcasts(client, fake_line):
    user_id = create_user(client)
    assert chat(client, user_id)["rich_menu"] is None
    menu_id = give_rich_menu(fake_line, user_id, ["ตั้งค่า", "เมนู"])
    menu = chat(client, user_id)["rich_menu"]
    assert menu["richMenuId"] == menu_id and menu["chatBarText"] == "เมนู"
    assert [a["action"]["text"] for a in menu["areas"]] == ["ตั้งค่า", "เมนู"]
    image = client.get(f"/simulator/api/richmenus/{menu_id}/image")
    assert image.status_code == 200 and image.mimetype == "image/png"
    http = urllib3.PoolManager()
    response = http.request(
        "POST",
        fake_line.base_url + "/v2/bot/message/broadcast",
        body=json.dumps({"messages": [{"type": "text", "text": "ข่าวสารโครงการค่ะ"}]}),
        headers={"Authorization": f"Bearer {TEST_ACCESS_TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status == 200
    last = chat(client, user_id)["entries"][-1]
    assert last["via"] == "broadcast" and last["message"]["text"] == "ข่าวสารโครงการค่ะ"


def test_time_travel_needs_the_demo_clock(make_app, settings, client):
    assert client.get("/simulator/api/clock").get_json()["can_travel"] is False
    assert client.post("/simulator/api/clock/advance", json={"seconds": 60}).status_code == 409
    clock = ShiftableClock()
    travelling = make_app(settings, clock=clock).test_client()
    jumps = []
    clock.on_advance(jumps.append)
    assert travelling.get("/simulator/api/clock").get_json()["can_travel"] is True
    before = clock.now()
    assert travelling.post("/simulator/api/clock/advance", json={"seconds": 90000}).status_code == 200
    assert (clock.now() - before).total_seconds() >= 90000 and jumps == [90000]
    for bad in (-1, 0, "soon", 10**9):
        assert travelling.post("/simulator/api/clock/advance", json={"seconds": bad}).status_code == 400


def test_simulated_users_outlive_the_app(make_app, settings):
    first = make_app(settings).test_client()
    user_id = create_user(first, "ป้าแดง")
    second = make_app(settings).test_client()
    users = second.get("/simulator/api/users").get_json()["users"]
    assert [(u["user_id"], u["display_name"]) for u in users] == [(user_id, "ป้าแดง")]

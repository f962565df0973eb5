"""Set-up done through LINE's API on the fake platform, as the bot's own sync and sends would."""

from __future__ import annotations

import io
import json
from pathlib import Path

import fontpkg_sarabun
import urllib3
from PIL import Image, ImageDraw, ImageFont

TEST_ACCESS_TOKEN = "test-access-token"  # what tests/conftest.py gives the fake platform


def sarabun(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(Path(fontpkg_sarabun.ROOT) / "files" / "Sarabun-Bold.ttf"), size)


def give_rich_menu(fake, user_id: str, labels: list[str]) -> str:
    """A rich menu set up through LINE's API on the fake, as the rich-menu sync would: one area
    per label, each a message action saying its label. Returns its id."""
    width, height = 2500, 843
    cell = width // len(labels)
    image = Image.new("RGB", (width, height), "#06c755")
    draw = ImageDraw.Draw(image)
    for index, label in enumerate(labels):
        draw.rectangle(
            [index * cell + 12, 12, (index + 1) * cell - 12, height - 12], outline="white", width=8
        )
        size = 150
        while size > 40 and sarabun(size).getlength(label) > cell - 80:  # a long label fits its area
            size -= 10
        draw.text((index * cell + cell / 2, height / 2), label, font=sarabun(size), fill="white", anchor="mm")
    png = io.BytesIO()
    image.save(png, "PNG", optimize=True)
    menu = {
        "size": {"width": width, "height": height},
        "selected": True,
        "name": "simulator test",
        "chatBarText": "เมนู",
        "areas": [
            {
                "bounds": {"x": index * cell, "y": 0, "width": cell, "height": height},
                "action": {"type": "message", "label": label, "text": label},
            }
            for index, label in enumerate(labels)
        ],
    }
    http = urllib3.PoolManager()
    auth = {"Authorization": f"Bearer {TEST_ACCESS_TOKEN}"}
    created = http.request(
        "POST",
        fake.base_url + "/v2/bot/richmenu",
        body=json.dumps(menu),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert created.status == 200, created.data
    menu_id = json.loads(created.data)["richMenuId"]
    for method, path, body, kind in (
        ("POST", f"/v2/bot/richmenu/{menu_id}/content", png.getvalue(), "image/png"),
        ("POST", f"/v2/bot/user/{user_id}/richmenu/{menu_id}", None, None),
    ):
        headers = {**auth, "Content-Type": kind} if kind else auth
        assert http.request(method, fake.base_url + path, body=body, headers=headers).status == 200
    return menu_id

"""`/media/<key>`: photos only through signed, unexpired URLs; the store chosen from settings."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from bot import make_media_store
from bot.runtime import runtime
from bot.settings import Settings
from bot.web.media import signed_media_url
from handlers.chat.media_steps import wants_photo
from storage.media import LocalMediaStore, S3MediaStore, sign_media_url
from storage.repositories import ConversationRepository

KEY = "photos/123456789/display.jpg"


@pytest.fixture
def stored(app):
    runtime(app).media.put(KEY, b"\xff\xd8 a photo", "image/jpeg")
    return app


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_signed_url_serves_the_photo_until_it_expires(stored, client):
    fresh = sign_media_url("test-secret-key", KEY, int(time.time()) + 60)
    response = client.get(fresh)
    assert response.status_code == 200 and response.data == b"\xff\xd8 a photo"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    expired = sign_media_url("test-secret-key", KEY, int(time.time()) - 1)
    assert client.get(expired).status_code == 403


def test_forged_or_missing_signatures_get_403_without_saying_whether_the_photo_exists(stored, client):
    exp = int(time.time()) + 60
    assert client.get(f"/media/{KEY}").status_code == 403
    assert client.get(f"/media/{KEY}?exp={exp}").status_code == 403
    assert client.get(sign_media_url("another-secret", KEY, exp)).status_code == 403
    missing = "photos/999/display.jpg"
    assert client.get(f"/media/{missing}?exp={exp}&sig=x").status_code == 403
    # Only a valid signature learns that a key is gone.
    assert client.get(sign_media_url("test-secret-key", missing, exp)).status_code == 404


@pytest.mark.parametrize("path", ["/media/../ruamjai.sqlite3", "/media/photos/..%2F..%2Fruamjai.sqlite3"])
def test_paths_outside_the_store_are_refused(stored, client, path):
    assert client.get(f"{path}?exp=9999999999&sig=x").status_code in (403, 404)


def test_urls_start_with_the_public_base_url(make_app, settings):
    app = make_app(settings.with_(public_base_url="https://ruamjai.example.org"))
    url = signed_media_url(app, KEY)
    assert url.startswith(f"https://ruamjai.example.org/media/{KEY}?exp=")
    expires = int(urlsplit(url).query.split("exp=")[1].split("&")[0])
    assert expires - time.time() == pytest.approx(settings.media_url_seconds, abs=5)


def test_the_store_is_local_unless_a_bucket_is_configured(settings, monkeypatch):
    assert isinstance(make_media_store(settings), LocalMediaStore)
    env = {
        "LINE_CHANNEL_SECRET": "s",
        "LINE_CHANNEL_ACCESS_TOKEN": "t",
        "SECRET_KEY": "k",
        "MEDIA_S3_BUCKET": "ruamjai-photos",
        "MEDIA_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "MEDIA_S3_PREFIX": "staging",
        "MEDIA_URL_SECONDS": "300",
        "PHOTO_MAX_BYTES": "1000000",
    }
    from_env = Settings.from_env(env)
    assert (from_env.media_s3_bucket, from_env.media_s3_endpoint_url, from_env.media_s3_prefix) == (
        "ruamjai-photos",
        "http://127.0.0.1:9000",
        "staging",
    )
    assert (from_env.media_url_seconds, from_env.photo_max_bytes) == (300, 1_000_000)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    store = make_media_store(from_env)
    assert isinstance(store, S3MediaStore)
    url = store.signed_url(KEY, 300)  # presigning is local: no request leaves the machine
    assert url.startswith(f"http://127.0.0.1:9000/ruamjai-photos/staging/{KEY}?")


def test_wants_photo_only_at_a_question_that_takes_images(app):
    from tests.bot.line.test_photo_intake import TEST_FLOW

    rt = runtime(app)
    with rt.session_factory.begin() as session:
        assert not wants_photo(session, "U-nobody", flows=(TEST_FLOW,))
        conversation = ConversationRepository(session).lock("U-someone", rt.clock.now(), "c1")
        conversation.flow, conversation.state = "prefs", "prefs:language"
        assert not wants_photo(session, "U-someone", flows=(TEST_FLOW,))
        assert not wants_photo(session, "U-someone")  # the real flows: none takes photos yet
        conversation.flow, conversation.state = TEST_FLOW.name, "phototest:photos"
        assert wants_photo(session, "U-someone", flows=(TEST_FLOW,))
        conversation.pending = "leave:prefs"  # a yes/no question of the engine's is pending
        assert not wants_photo(session, "U-someone", flows=(TEST_FLOW,))


def test_an_expiry_that_is_not_ascii_digits_or_runs_too_long_gets_403(stored, client, settings):
    now = int(time.time())
    assert client.get(f"/media/{KEY}?exp=²&sig=x").status_code == 403
    assert client.get(f"/media/{KEY}?exp=١٢٣&sig=x").status_code == 403
    # Correctly signed but valid for longer than the app ever signs a photo URL.
    too_long = sign_media_url("test-secret-key", KEY, now + settings.media_url_seconds + 120)
    assert client.get(too_long).status_code == 403
    within = sign_media_url("test-secret-key", KEY, now + settings.media_url_seconds)
    response = client.get(within)
    assert response.status_code == 200
    assert int(response.headers["Cache-Control"].split("max-age=")[1]) <= settings.media_url_seconds

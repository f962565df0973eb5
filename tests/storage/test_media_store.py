"""Media stores: the local directory and S3 (moto's in-process S3: no network), behind one protocol."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from storage.media import (
    LocalMediaStore,
    MediaKeyError,
    S3MediaStore,
    media_signature,
    read_chunks,
    verify_media_url,
)


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def s3_store(monkeypatch):
    moto = pytest.importorskip("moto")  # the dev extra installs it; importorskip names it if not
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        store = S3MediaStore("ruamjai-media", prefix="prod")  # its own client, as in production
        store.client.create_bucket(
            Bucket="ruamjai-media", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
        )
        yield store, store.client


@pytest.fixture
def local_store(tmp_path):
    return LocalMediaStore(tmp_path / "media", secret_key="k" * 32, base_url="https://ruamjai.example")


def exercise(store) -> None:
    """What every store must do: put, get, replace, delete (twice), and absent keys."""
    assert store.get("photos/1/display.jpg") is None
    store.put("photos/1/display.jpg", b"first", "image/jpeg")
    store.put("photos/1/display.jpg", b"second", "image/jpeg")
    store.put("photos/1/thumb.jpg", b"thumb", "image/jpeg")
    assert store.get("photos/1/display.jpg") == b"second"
    store.delete("photos/1/display.jpg")
    store.delete("photos/1/display.jpg")  # idempotent: an unsend run twice
    assert store.get("photos/1/display.jpg") is None
    assert store.get("photos/1/thumb.jpg") == b"thumb"


def test_local_store_keeps_deletes_and_never_leaves_temporary_files(local_store):
    exercise(local_store)
    files = sorted(p.name for p in local_store.directory.rglob("*") if p.is_file())
    assert files == ["thumb.jpg"]


def test_s3_store_keeps_and_deletes_under_its_prefix(s3_store):
    store, client = s3_store
    exercise(store)
    names = [o["Key"] for o in client.list_objects_v2(Bucket="ruamjai-media")["Contents"]]
    assert names == ["prod/photos/1/thumb.jpg"]
    head = client.head_object(Bucket="ruamjai-media", Key="prod/photos/1/thumb.jpg")
    assert head["ContentType"] == "image/jpeg"


def test_s3_urls_are_presigned_and_expire(s3_store):
    store, _ = s3_store
    store.put("photos/2/display.jpg", b"x", "image/jpeg")
    url = store.signed_url("photos/2/display.jpg", 600)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path.endswith("/prod/photos/2/display.jpg")
    assert query["X-Amz-Expires"] == ["600"]
    assert query["X-Amz-Signature"][0]
    assert query["X-Amz-Credential"][0].endswith("/ap-southeast-1/s3/aws4_request")


@pytest.mark.parametrize("store_fixture", ["local_store", "s3_store"])
def test_keys_that_could_leave_the_store_are_refused(request, store_fixture):
    store = request.getfixturevalue(store_fixture)
    store = store[0] if isinstance(store, tuple) else store
    for key in ("../etc/passwd", "/etc/passwd", "photos/../../x", "photos\\x", "", "photos//x", ".hidden"):
        with pytest.raises(MediaKeyError):
            store.put(key, b"x", "image/jpeg")
        with pytest.raises(MediaKeyError):
            store.get(key)
        with pytest.raises(MediaKeyError):
            store.signed_url(key, 60)


def test_local_signed_urls_carry_an_expiry_and_a_signature_that_only_fits_that_key(tmp_path):
    clock = Clock()
    store = LocalMediaStore(tmp_path, secret_key="k" * 32, base_url="https://ruamjai.example/", clock=clock)
    url = store.signed_url("photos/3/display.jpg", 900)
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://ruamjai.example/media/photos/3/display.jpg"
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["exp"] == str(int(clock.now) + 900)
    assert store.verify("photos/3/display.jpg", query["exp"], query["sig"])
    # Another key, another expiry, another secret, a flipped character: all refused.
    assert not store.verify("photos/4/display.jpg", query["exp"], query["sig"])
    assert not store.verify("photos/3/display.jpg", str(int(query["exp"]) + 1), query["sig"])
    other = LocalMediaStore(tmp_path, secret_key="j" * 32, clock=clock)
    assert not other.verify("photos/3/display.jpg", query["exp"], query["sig"])
    flipped = ("A" if query["sig"][0] != "A" else "B") + query["sig"][1:]
    assert not store.verify("photos/3/display.jpg", query["exp"], flipped)
    # Expired a second after its time.
    clock.now += 900
    assert store.verify("photos/3/display.jpg", query["exp"], query["sig"])
    clock.now += 1
    assert not store.verify("photos/3/display.jpg", query["exp"], query["sig"])


@pytest.mark.parametrize("exp,sig", [(None, None), ("", "x"), ("abc", "x"), ("-5", "x"), ("9" * 40, "x")])
def test_malformed_signature_parameters_are_refused(exp, sig):
    assert not verify_media_url("secret", "photos/1/display.jpg", exp, sig, now=0)


def test_signatures_are_long_and_differ_per_key_and_expiry():
    signatures = {
        media_signature("secret", f"photos/{i}/display.jpg", 100 + j) for i in range(20) for j in range(5)
    }
    assert len(signatures) == 100
    assert all(len(s) == 43 for s in signatures)  # 256 bits, base64url without padding


@pytest.mark.parametrize("store_fixture", ["local_store", "s3_store"])
def test_read_chunks_gives_the_bytes_in_pieces_and_none_for_a_missing_key(request, store_fixture):
    store = request.getfixturevalue(store_fixture)
    store = store[0] if isinstance(store, tuple) else store
    data = bytes(range(256)) * 1000
    store.put("photos/big/display.jpg", data, "image/jpeg")
    pieces = list(read_chunks(store, "photos/big/display.jpg", size=10_000))
    assert b"".join(pieces) == data and max(len(piece) for piece in pieces) <= 10_000 and len(pieces) > 1
    assert read_chunks(store, "photos/none/display.jpg") is None

"""The media store: where photos' bytes live. The database keeps only their keys.

Two stores behind one small protocol (`MediaStore`):

- `LocalMediaStore`: files under a directory (`MEDIA_DIR`), the embedded default. Served only by
  the web app's `/media/<key>?exp=…&sig=…` route, whose URL carries an HMAC of the key and the
  expiry time (`sign_media_url` / `verify_media_url`); without a valid, unexpired signature the
  route answers 403, so a photo's address cannot be guessed or kept.
- `S3MediaStore`: an S3-compatible bucket (the `s3` extra, boto3), for more than one web host. The
  bucket stays private; photos are reached through presigned, expiring URLs.

Writes are durable before they return (the photo's row is committed after its files, and a crash
must not leave a row pointing at nothing) and deletes are idempotent (an `unsend` may be run twice).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import quote, urlencode, urlsplit

# Keys are ours (never from users): short path-like names. The pattern keeps every key a plain
# relative path inside the store (no "..", no absolute paths, no backslashes).
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$")


def public_https_base(url: str | None) -> str | None:
    """`url` without a trailing slash when LINE's servers could fetch links under it (https, a
    host name or public address, no query or fragment); else None. The one rule for every link
    the bot sends (share images, personal-data downloads)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        return None
    if parts.scheme != "https" or not host or parts.query or parts.fragment or parts.username:
        return None
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url.strip().rstrip("/") if "." in host else None
    return url.strip().rstrip("/") if address.is_global else None


class MediaKeyError(ValueError):
    """A key that is not one of ours (e.g. a path with "..")."""


def check_key(key: str) -> str:
    if len(key) > 200 or not _KEY.match(key) or ".." in key:
        raise MediaKeyError("not a media key")
    return key


class MediaStore(Protocol):
    """Where photos' bytes live; keys are relative paths such as `photos/<id>/display.jpg`."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (replacing what was there), durably, before returning."""

    def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None if there are none."""

    def delete(self, key: str) -> None:
        """Remove `key`; removing a key that is not there is not an error."""

    def signed_url(self, key: str, expires_in: int) -> str:
        """A URL that serves `key` for `expires_in` seconds, and nothing else, to whoever has it."""


# --- signed URLs for the local store ------------------------------------------------------------
def media_signature(secret_key: str, key: str, expires_at: int) -> str:
    """HMAC-SHA256 of the key and its expiry, keyed by a key derived from SECRET_KEY (so a media
    signature can never be replayed as another of the app's signatures), base64url."""
    derived = hmac.new(secret_key.encode(), b"ruamjai-media-url-v1", hashlib.sha256).digest()
    digest = hmac.new(derived, f"{key}\n{expires_at}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign_media_url(secret_key: str, key: str, expires_at: int, base_url: str = "") -> str:
    """`<base_url>/media/<key>?exp=<unix time>&sig=<signature>`."""
    query = urlencode({"exp": str(expires_at), "sig": media_signature(secret_key, key, expires_at)})
    return f"{base_url.rstrip('/')}/media/{quote(key)}?{query}"


def verify_media_url(secret_key: str, key: str, exp: str | None, sig: str | None, now: float) -> bool:
    """Whether `exp`/`sig` from a request are a valid, unexpired signature for `key`
    (constant-time comparison)."""
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not exp or not sig or not (exp.isascii() and exp.isdigit()) or len(exp) > 12:
        return False
    expected = media_signature(secret_key, key, int(exp))
    return hmac.compare_digest(expected.encode(), sig.encode()) and int(exp) >= now


# --- the stores ---------------------------------------------------------------------------------
class LocalMediaStore:
    """Files under `directory`; URLs signed with SECRET_KEY and served by the web app."""

    def __init__(self, directory: Path, *, secret_key: str, base_url: str | None = None, clock=time.time):
        self.directory = Path(directory)
        self.secret_key = secret_key
        self.base_url = base_url or ""
        self.clock = clock

    def path_of(self, key: str) -> Path:
        return self.directory / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write a temporary file, flush it to disk, then rename: a reader or a crash never sees half a
        # photo, and the file is on disk before the caller commits the row that names it.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self.path_of(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    def signed_url(self, key: str, expires_in: int) -> str:
        expires_at = int(self.clock()) + int(expires_in)
        return sign_media_url(self.secret_key, check_key(key), expires_at, self.base_url)

    def verify(self, key: str, exp: str | None, sig: str | None) -> bool:
        """Whether a request's `exp`/`sig` allow reading `key` now."""
        return verify_media_url(self.secret_key, key, exp, sig, self.clock())


class S3MediaStore:
    """An S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, …). Credentials and region come from
    boto3's usual sources (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, an
    instance role); `endpoint_url` points it at a non-AWS service."""

    def __init__(
        self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, client: Any = None
    ) -> None:
        if client is None:
            import boto3  # the `s3` extra; only needed when object storage is configured
            from botocore.config import Config

            # Signature version 4: what every S3-compatible service accepts, and presigned URLs
            # that say their lifetime (X-Amz-Expires).
            client = boto3.client("s3", endpoint_url=endpoint_url, config=Config(signature_version="s3v4"))
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        # PutObject returns once the object is stored durably (S3's read-after-write consistency).
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return response["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))  # no error if absent

    def signed_url(self, key: str, expires_in: int) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._name(key)}, ExpiresIn=int(expires_in)
        )


CHUNK_BYTES = 1 << 16


def read_chunks(store: MediaStore, key: str, size: int = CHUNK_BYTES) -> Iterator[bytes] | None:
    """The bytes under `key` in pieces of at most `size` (a file or an S3 body read as it streams),
    so copying many photos never holds more than one piece; None if there are none."""
    if isinstance(store, LocalMediaStore):
        try:
            handle = store.path_of(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        return _file_chunks(handle, size)
    if isinstance(store, S3MediaStore):
        try:
            response = store.client.get_object(Bucket=store.bucket, Key=store._name(key))
        except store.client.exceptions.NoSuchKey:
            return None
        return response["Body"].iter_chunks(size)
    data = store.get(key)
    return None if data is None else iter([data[i : i + size] for i in range(0, len(data), size)] or [b""])


def _file_chunks(handle: BinaryIO, size: int) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(size):
            yield chunk

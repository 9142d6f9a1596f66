"""Object storage through the `minio` client (S3-compatible: MinIO, SeaweedFS, …).

The client is synchronous: every call from async code goes through a worker thread.
Writes send `x-amz-checksum-sha256` (the SHA-256 the checks already computed), so the store
refuses bytes that changed on the way (BadDigest). No MD5 of our own besides: hashing
every upload a second time bought no check the store does not make already.
"""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import timedelta

import anyio
import urllib3
from fastapi import FastAPI
from minio import Minio
from minio.error import S3Error
from minio.versioningconfig import ENABLED, VersioningConfig

from services.kit.problems import ProblemError
from services.kit.s3 import make_s3_client
from services.kit.settings import S3Settings

# Transport failures and server-side errors both mean "the store is not usable now".
UNAVAILABLE = (urllib3.exceptions.HTTPError, OSError)
RETRY_AFTER_SECONDS = 10


def make_client(settings: S3Settings) -> Minio:
    return make_s3_client(settings, max_connections=32)


def make_link_client(settings: S3Settings, endpoint_url: str) -> Minio:
    """Signs download links for the address outside the cluster; never sends a request."""
    return make_s3_client(settings, max_connections=1, endpoint_url=endpoint_url)


def ensure_bucket(client: Minio, bucket: str) -> None:
    """Create the bucket if missing and turn versioning on (idempotent)."""
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
    if client.get_bucket_versioning(bucket).status != ENABLED:
        client.set_bucket_versioning(bucket, VersioningConfig(ENABLED))


async def check_s3(app: FastAPI) -> None:
    client: Minio = app.state.s3
    bucket: str = app.state.settings.s3_bucket
    exists = await anyio.to_thread.run_sync(client.bucket_exists, bucket)
    if not exists:
        raise RuntimeError(f"bucket {bucket} is missing")


def object_key(declaration_id: str, document_id: str, sha256: str, mime: str) -> str:
    """No personal data in keys: ids and the content hash only."""
    ext = "pdf" if mime == "application/pdf" else "jpg"
    return f"declarations/{declaration_id}/{document_id}/{sha256}.{ext}"


def put_verified(
    client: Minio, bucket: str, key: str, data: bytes, content_type: str, sha256_hex: str = ""
) -> str:
    """Write the object; returns its version id. The store checks the bytes against the
    SHA-256 sent with them and refuses them (BadDigest, `is_unavailable`) if they differ."""
    digest = bytes.fromhex(sha256_hex) if sha256_hex else hashlib.sha256(data).digest()
    sha = base64.b64encode(digest).decode()
    result = client.put_object(
        bucket,
        key,
        io.BytesIO(data),
        len(data),
        content_type=content_type,
        metadata={"x-amz-checksum-sha256": sha},
    )
    return result.version_id or ""


def presign(client: Minio, bucket: str, key: str, version_id: str | None, seconds: int) -> str:
    return client.presigned_get_object(
        bucket, key, expires=timedelta(seconds=seconds), version_id=version_id or None
    )


def unavailable() -> ProblemError:
    return ProblemError(
        503,
        "storage-unavailable",
        "文件存储暂时不可用，本次上传未保存任何内容。请稍后重新上传。",
        title="Object storage unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, S3Error):
        return exc.code in (
            "InternalError",
            "ServiceUnavailable",
            "SlowDown",
            "BadDigest",
            "NoSuchBucket",
        )
    return isinstance(exc, UNAVAILABLE)

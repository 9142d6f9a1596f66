"""Object storage through the `minio` client (S3-compatible: MinIO, SeaweedFS, …).

The client is synchronous: every call from async code goes through `anyio.to_thread`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import anyio
import urllib3
from fastapi import FastAPI
from minio import Minio

from services.kit.settings import KitSettings


def make_client(settings: KitSettings) -> Minio:
    endpoint = urlsplit(settings.s3_endpoint)
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=2.0, read=30.0),
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=(502, 503, 504)),
        maxsize=32,
    )
    return Minio(
        endpoint.netloc,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=endpoint.scheme == "https",
        region=settings.s3_region,
        http_client=http,
    )


def ensure_bucket(client: Minio, bucket: str) -> None:
    """Create the bucket if missing (run by the migration step, not at request time)."""
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)


async def check_s3(app: FastAPI) -> None:
    client: Minio = app.state.s3
    bucket: str = app.state.settings.s3_bucket
    exists = await anyio.to_thread.run_sync(client.bucket_exists, bucket)
    if not exists:
        raise RuntimeError(f"bucket {bucket} is missing")

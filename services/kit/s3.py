"""The S3 client every process that talks to the object store builds the same way."""

from __future__ import annotations

from urllib.parse import urlsplit

import urllib3
from minio import Minio

from services.kit.settings import S3Settings


def make_s3_client(
    settings: S3Settings, *, max_connections: int, endpoint_url: str | None = None
) -> Minio:
    """A `minio` client with bounded waits: refused connections and 502/503/504 are tried
    again; a read that timed out is not (it would multiply the wait on a hung store).

    `endpoint_url` names another address of the same store (the public one presigned
    links are signed for); the region is given, so signing a link asks the store nothing."""
    endpoint = urlsplit(endpoint_url or settings.s3_endpoint)
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=2.0, read=settings.s3_read_timeout),
        retries=urllib3.Retry(
            total=2, read=0, backoff_factor=0.2, status_forcelist=(502, 503, 504)
        ),
        maxsize=max_connections,
    )
    return Minio(
        endpoint.netloc,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=endpoint.scheme == "https",
        region=settings.s3_region,
        http_client=http,
    )

"""The S3 client every process that talks to the object store builds the same way."""

from __future__ import annotations

from urllib.parse import urlsplit

import urllib3
from minio import Minio
from prometheus_client import Counter

from services.kit.settings import S3Settings

# Failed S3 requests of this process, by kind: `transport` (refused, reset, timed out: no
# answer), `5xx` (the store answered an error of its own) or `403` (credentials or policy
# refused). A 404 is an answer (an object checked for and absent), not counted. The
# counter is the process's; install_metrics adds it to the registry of every app whose
# settings hold S3 (the gateway, the document service).
S3_ERRORS = Counter(
    "zhicheng_s3_errors_total",
    "S3 requests that failed, by kind (transport, 5xx, 403)",
    ["kind"],
    registry=None,
)


class _CountingPoolManager(urllib3.PoolManager):
    """urllib3's pool, counting the requests that fail into S3_ERRORS (after retries)."""

    def urlopen(self, method, url, redirect=True, **kw):
        try:
            response = super().urlopen(method, url, redirect=redirect, **kw)
        except (urllib3.exceptions.HTTPError, OSError):
            S3_ERRORS.labels("transport").inc()
            raise
        if response.status >= 500:
            S3_ERRORS.labels("5xx").inc()
        elif response.status == 403:
            S3_ERRORS.labels("403").inc()
        return response


def make_s3_client(
    settings: S3Settings, *, max_connections: int, endpoint_url: str | None = None
) -> Minio:
    """A `minio` client with bounded waits: refused connections and 502/503/504 are tried
    again; a read that timed out is not (it would multiply the wait on a hung store).

    `endpoint_url` names another address of the same store (the public one presigned
    links are signed for); the region is given, so signing a link asks the store nothing."""
    endpoint = urlsplit(endpoint_url or settings.s3_endpoint)
    http = _CountingPoolManager(
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

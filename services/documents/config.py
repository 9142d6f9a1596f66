from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import model_validator

from services.kit.settings import PostgresSettings, S3Settings, ServiceTokenVerifier


class DocumentsSettings(PostgresSettings, S3Settings, ServiceTokenVerifier):
    """Scan intake: metadata in Postgres, objects on S3-compatible storage; calls from the
    gateway only (SERVICE_TOKEN_PUBLIC_KEY checks its service tokens)."""

    # Whole request body, counted while it streams in (phone photos and PDFs are larger
    # than the 512 KB stored limit; normalisation brings photos under it).
    max_upload_bytes: int = 20 * 1024 * 1024
    # Decoded pixels allowed before decoding (decompression bombs).
    max_image_pixels: int = 60_000_000
    # Variance of the Laplacian of a page at PAGE_ANALYSIS_SIDE below which it counts as
    # blurred (150 at the 800 px used before: the same verdicts on the test corpus).
    clarity_threshold: float = 112.0
    # Longest side of the grey page the blank, clarity and upright checks look at (a JPEG
    # scan decodes straight to about this size), and of the photo the photo checks use.
    page_analysis_side: int = 880
    analysis_side: int = 800
    # Threads for decoding, checks, normalisation and the minio client.
    worker_threads: int = 8
    # Presigned download links live at most this long (seconds).
    presign_max_seconds: int = 900
    # The object store's address as a browser or a mini-program outside the cluster reaches
    # it (a reverse proxy or the store's public name; https in production): download
    # links are signed for this host, which the proxy must pass on unchanged. Empty: links
    # name S3_ENDPOINT (a single-machine setup where both are the same).
    s3_public_endpoint: str = ""
    # Objects younger than this are never swept (their row may still be committing).
    sweep_grace_seconds: int = 600
    sweep_interval_seconds: int = 300
    # The migration step (`python -m scripts.migrate`) creates the bucket and turns
    # versioning on; set this to do the same at start-up (single-process setups).
    ensure_bucket_on_start: bool = False

    @model_validator(mode="after")
    def _links_over_https(self) -> DocumentsSettings:
        # A link handed to a phone carries a bearer signature: never over plain http in
        # production (and S3_ENDPOINT is a cluster-internal address there).
        if self.environment == "production" and (
            not self.s3_public_endpoint or urlsplit(self.s3_public_endpoint).scheme != "https"
        ):
            raise ValueError(
                "S3_PUBLIC_ENDPOINT: production needs the https address download links "
                f"are signed for (got {self.s3_public_endpoint!r})"
            )
        return self


@lru_cache
def get_settings() -> DocumentsSettings:
    return DocumentsSettings()

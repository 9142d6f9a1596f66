"""The document service on the real stack (PostgreSQL + SeaweedFS S3)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from services.documents.config import DocumentsSettings
from services.documents.main import build_app
from services.documents.storage import make_client
from tests.conftest import Stack
from tests.support import AS_GATEWAY_TO_DOCUMENTS, running


def settings(stack: Stack, **overrides) -> DocumentsSettings:
    return DocumentsSettings(
        **{**stack.settings_kwargs(), "sweep_interval_seconds": 0, **overrides}
    )


@pytest.fixture(scope="session")
async def docs(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with running(build_app(settings(stack)), auth=AS_GATEWAY_TO_DOCUMENTS) as client:
        yield client


@pytest.fixture(scope="session")
def s3(stack: Stack):
    return make_client(settings(stack))


@pytest.fixture
def declaration() -> str:
    return uuid.uuid4().hex


async def upload(
    client: httpx.AsyncClient,
    declaration_id: str,
    data: bytes,
    *,
    kind: str = "title_certificate",
    filename: str = "scan.jpg",
    content_type: str = "image/jpeg",
    normalize: bool = False,
    note: str | None = None,
    headers: dict[str, str] | None = None,
    uploader: str | None = None,
) -> httpx.Response:
    fields = {"kind": kind}
    params = {"normalize": str(normalize).lower()}
    if uploader:
        params["uploader"] = uploader
    if note:
        fields["note"] = note
    return await client.post(
        f"/v1/declarations/{declaration_id}/documents",
        params=params,
        data=fields,
        files={"file": (filename, data, content_type)},
        headers=headers or {},
    )

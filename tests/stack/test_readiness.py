"""`/readyz` turns 503 (problem+json naming the dependency) when one stops, and 200 again
when it is back, without restarting the service. Each test stops a server of its own."""

from __future__ import annotations

import asyncio
import io

import pytest

from scripts.servers import Postgres, SeaweedS3, Valkey, free_port
from services.api.config import ApiSettings
from services.api.main import build_app as build_api
from services.documents.config import DocumentsSettings
from services.documents.main import build_app as build_documents
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.conftest import Stack
from tests.support import running


@pytest.fixture
def services(rules_url: str, documents_url: str) -> dict[str, str]:
    """The services a gateway calls, up: each test stops only the store it follows."""
    return {"rules_url": rules_url, "documents_url": documents_url}


async def _ready(client) -> dict:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    return response.json()


async def _down(client, dependency: str) -> dict:
    # The first probe after a stop may still find a pooled connection; allow a few tries.
    for _ in range(10):
        response = await client.get("/readyz")
        if response.status_code == 503:
            break
        await asyncio.sleep(0.3)
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["retry-after"]
    body = response.json()
    assert body["type"] == "urn:zhicheng:problem:dependency-unavailable"
    assert body["down"] == [dependency]
    return body


@pytest.mark.slow
async def test_gateway_follows_valkey(stack: Stack, tmp_path, services: dict) -> None:
    valkey = Valkey(tmp_path / "valkey", free_port(), persist=False).start()
    try:
        settings = ApiSettings(**{**stack.settings_kwargs(), "redis_url": valkey.url}, **services)
        async with running(build_api(settings)) as client:
            checks = (await _ready(client))["checks"]
            assert checks == {"database": "ok", "redis": "ok", "rules": "ok", "documents": "ok"}
            valkey.stop()
            body = await _down(client, "redis")
            assert "Redis" in body["detail"]
            assert (await client.get("/healthz")).status_code == 200
            valkey.start()
            await _ready(client)
    finally:
        valkey.stop()


@pytest.mark.slow
async def test_gateway_follows_postgres(stack: Stack, tmp_path, services: dict) -> None:
    pg = Postgres(tmp_path / "pg", free_port()).start()
    try:
        own = {"database_url": pg.url, "migration_database_url": None}
        settings = ApiSettings(**{**stack.settings_kwargs(), **own}, **services)
        async with running(build_api(settings)) as client:
            await _ready(client)
            pg.stop()
            body = await _down(client, "database")
            assert "数据库" in body["detail"]
            pg.start()
            await _ready(client)
    finally:
        pg.stop()


@pytest.mark.slow
async def test_documents_follow_s3(stack: Stack, tmp_path) -> None:
    s3 = SeaweedS3(tmp_path / "s3", free_port(), "probe-key", "probe-secret-123").start()
    try:
        settings = DocumentsSettings(
            **{
                **stack.settings_kwargs(),
                "s3_endpoint": s3.url,
                "s3_access_key": "probe-key",
                "s3_secret_key": "probe-secret-123",
                "s3_bucket": "probe-bucket",
            }
        )
        app = build_documents(settings)
        async with running(app) as client:
            # No bucket yet: not ready, and the body says it is the object store.
            await _down(client, "s3")
            app.state.s3.make_bucket("probe-bucket")
            app.state.s3.put_object("probe-bucket", "k", io.BytesIO(b"x"), 1)
            await _ready(client)
            s3.stop()
            body = await _down(client, "s3")
            assert "对象存储" in body["detail"]
            s3.start()
            await _ready(client)
    finally:
        s3.stop()

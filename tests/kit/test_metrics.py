"""`/metrics` speaks Prometheus: requests by route template and status, latency, DB pool,
S3 failures; on the metrics port, never the public one."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
import urllib3
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from scripts.servers import free_port
from services.kit.app import create_app
from services.kit.db import make_engine
from services.kit.s3 import S3_ERRORS, make_s3_client
from services.kit.settings import KitSettings, ProcessSettings, S3Settings
from tests.conftest import Stack
from tests.support import running, scrape


def _app(database_url: str | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if database_url:
            app.state.engine = make_engine(database_url, pool_size=3)
        yield
        if database_url:
            await app.state.engine.dispose()

    app = create_app(
        service="probe", title="t", description="t",
        settings=KitSettings(environment="test"), checks={}, lifespan=lifespan,
    )  # fmt: skip

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict:
        return {"id": item_id}

    return app


def _samples(text: str) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_requests_are_counted_by_route_template_and_status() -> None:
    app = _app()
    async with running(app) as client:
        for i in range(3):
            assert (await client.get(f"/items/{i}")).status_code == 200
        assert (await client.get("/items/not-a-number")).status_code == 422
        assert (await client.get("/nowhere/42")).status_code == 404
        # Not on the public app: the metrics port serves them.
        assert (await client.get("/metrics")).status_code == 404
        samples = _samples(await scrape(app))

    def count(route: str, status: str) -> float:
        labels = (("method", "GET"), ("route", route), ("service", "probe"), ("status", status))
        return samples.get(("zhicheng_http_requests_total", labels), 0)

    assert count("/items/{item_id}", "200") == 3
    assert count("/items/{item_id}", "422") == 1
    assert count("unmatched", "404") == 2
    # Raw ids never become labels.
    assert not any("/items/1" in str(k) for k in samples)
    latency = (
        "zhicheng_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/items/{item_id}"), ("service", "probe")),
    )
    assert samples[latency] == 4


async def test_database_pool_is_reported(stack: Stack) -> None:
    app = _app(stack.database_url)
    async with running(app):
        idle = _samples(await scrape(app))
        async with app.state.engine.connect():
            busy = _samples(await scrape(app))
    assert idle[("zhicheng_db_pool_size", ())] == 3
    assert idle[("zhicheng_db_pool_checked_out", ())] == 0
    # 3 pooled, no overflow (make_engine's default): one in use is 1/3 of the most.
    assert idle[("zhicheng_db_pool_max_connections", ())] == 3
    assert idle[("zhicheng_db_pool_saturation", ())] == 0
    assert busy[("zhicheng_db_pool_checked_out", ())] == 1
    assert busy[("zhicheng_db_pool_saturation", ())] == 1 / 3


async def test_s3_failures_are_counted_on_the_apps_that_hold_s3() -> None:
    """A store that does not answer counts as a `transport` failure, on the registry of an
    app whose settings hold S3 (and only there)."""
    settings = S3Settings(environment="test", s3_endpoint=f"http://127.0.0.1:{free_port()}")
    app = create_app(
        service="probe", title="t", description="t", settings=settings, checks={}
    )  # fmt: skip
    client = make_s3_client(settings, max_connections=1)
    before = S3_ERRORS.labels("transport")._value.get()
    with pytest.raises(urllib3.exceptions.HTTPError):
        client.bucket_exists("zhicheng-nowhere")
    async with running(app):
        samples = _samples(await scrape(app))
    assert samples[("zhicheng_s3_errors_total", (("kind", "transport"),))] == before + 1
    no_s3 = create_app(
        service="probe", title="t", description="t",
        settings=ProcessSettings(environment="test"), checks={},
    )  # fmt: skip
    async with running(no_s3):
        assert "zhicheng_s3_errors_total" not in await scrape(no_s3)

"""`/metrics` speaks Prometheus: requests by route template and status, latency, DB pool."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from services.kit.app import create_app
from services.kit.db import make_engine
from services.kit.settings import KitSettings
from tests.conftest import Stack
from tests.support import running


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
    async with running(_app()) as client:
        for i in range(3):
            assert (await client.get(f"/items/{i}")).status_code == 200
        assert (await client.get("/items/not-a-number")).status_code == 422
        assert (await client.get("/nowhere/42")).status_code == 404
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)

    def count(route: str, status: str) -> float:
        labels = (("method", "GET"), ("route", route), ("service", "probe"), ("status", status))
        return samples.get(("http_requests_total", labels), 0)

    assert count("/items/{item_id}", "200") == 3
    assert count("/items/{item_id}", "422") == 1
    assert count("unmatched", "404") == 1
    # Raw ids never become labels.
    assert not any("/items/1" in str(k) for k in samples)
    latency = (
        "http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/items/{item_id}"), ("service", "probe")),
    )
    assert samples[latency] == 4


async def test_database_pool_is_reported(stack: Stack) -> None:
    async with running(_app(stack.database_url)) as client:
        samples = _samples((await client.get("/metrics")).text)
    assert samples[("db_pool_size", ())] == 3
    assert samples[("db_pool_checked_out", ())] == 0

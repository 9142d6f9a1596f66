"""Prometheus metrics: request counts and latency by route, on a port of their own.

Every metric name starts with `zhicheng_` (PREFIX), so ours never clash with an exporter's
on a shared Prometheus; deploy/monitoring/prometheus.yaml alerts on them.

Each app has its own registry (several apps can live in one test process); services add
their own metrics to `app.state.metrics` (a `CollectorRegistry`), and figures that must be
read from Redis or Postgres at scrape time through `app.state.metrics_refresh` (async
callables taking the app, awaited before each scrape).

`/metrics` is not a route of the public app: it is served by a second, tiny app
(`app.state.metrics_app`) on METRICS_HOST:METRICS_PORT, started beside the public one in
the same event loop (`serve_metrics`), so the ingress, which routes to the public port
only, can never expose it. METRICS_PORT 0 (the default) serves no metrics.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import Scope

logger = logging.getLogger("zhicheng.metrics")
PREFIX = "zhicheng_"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class _PoolCollector(Collector):
    """Connection pool figures of the app's database engine, read at scrape time."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self):
        engine = getattr(self.app.state, "engine", None)
        pool = getattr(engine, "pool", None)
        if pool is None or not hasattr(pool, "checkedout"):
            return
        # The most connections the pool opens (size + overflow): checked out / this is the
        # saturation; at 1 requests wait DB_POOL_TIMEOUT, then answer 503 service-busy.
        most = pool.size() + max(getattr(pool, "_max_overflow", 0), 0)
        for name, value, doc in (
            ("db_pool_size", pool.size(), "Configured pool size"),
            ("db_pool_checked_out", pool.checkedout(), "Connections in use"),
            ("db_pool_checked_in", pool.checkedin(), "Idle connections in the pool"),
            ("db_pool_overflow", pool.overflow(), "Connections beyond the pool size"),
            ("db_pool_max_connections", most, "Most connections the pool opens"),
            (
                "db_pool_saturation",
                pool.checkedout() / most if most else 0.0,
                "Connections in use over the most the pool opens (0..1)",
            ),
        ):
            family = GaugeMetricFamily(PREFIX + name, doc)
            family.add_metric([], value)
            yield family


class RequestMetrics:
    """Request counts and latency by route template; the request pass (services/kit/edge.py)
    observes every request."""

    def __init__(self, *, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        self.requests = Counter(
            PREFIX + "http_requests_total",
            "HTTP requests by route and status",
            ["service", "method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            PREFIX + "http_request_duration_seconds",
            "HTTP request latency by route",
            ["service", "method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

        # The labelled series by (method, route, status), looked up once: `labels()` checks
        # and joins the label values on every call. As many as the metrics' own children.
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        # The route template, not the raw path: ids must not explode the label set.
        path = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope.get("method", "")
        series = self._series.get((method, path, status))
        if series is None:
            series = (
                self.requests.labels(self.service, method, path, str(status)),
                self.latency.labels(self.service, method, path),
            )
            self._series[(method, path, status)] = series
        series[0].inc()
        series[1].observe(seconds)


def install_metrics(app: FastAPI, service: str) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(_PoolCollector(app))
    app.state.metrics = registry
    app.state.metrics_refresh = []
    app.state.request_metrics = RequestMetrics(registry=registry, service=service)
    app.state.metrics_app = _metrics_app(app)
    return registry


def _metrics_app(app: FastAPI) -> FastAPI:
    """The app the metrics port serves: `/metrics` of `app`'s registry, nothing else."""
    metrics_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @metrics_app.get("/metrics", response_class=Response)
    async def metrics(request: Request) -> Response:
        for refresh in app.state.metrics_refresh:
            try:
                await refresh(app)
            except Exception:  # a dependency down must not take the scrape down with it
                logger.warning("metrics refresh failed", exc_info=True)
        return Response(generate_latest(app.state.metrics), media_type=CONTENT_TYPE_LATEST)

    return metrics_app


@dataclass
class MetricsServer:
    server: uvicorn.Server
    task: asyncio.Task

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def serve_metrics(app: FastAPI, host: str, port: int) -> MetricsServer:
    """Serve `app`'s metrics on host:port in this event loop until `stop()`.

    The socket is bound here, so a port already taken fails the process's start-up
    (OSError) instead of leaving it running unscraped."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    config = uvicorn.Config(
        app.state.metrics_app, log_config=None, lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    # `_serve` rather than `serve`: the latter installs its own signal handlers, and
    # SIGTERM belongs to the process's main server (or arq).
    task = asyncio.create_task(server._serve(sockets=[sock]))
    return MetricsServer(server, task)

"""The worker's own HTTP listener: probes and the providers' delivery-receipt webhooks; and,
on METRICS_PORT, its `/metrics` (never on the listener the receipts reach)."""

from __future__ import annotations

import asyncio

import uvicorn
from fastapi import FastAPI

from services.kit.app import create_app
from services.kit.clients import check_database, check_redis
from services.kit.db import make_sessionmaker
from services.kit.metrics import serve_metrics
from services.notify import metrics as notify_metrics
from services.notify.config import NotifySettings
from services.notify.inbox import router as inbox_router
from services.notify.receipts import router as receipts_router


def build_health_app(settings: NotifySettings, state: dict) -> FastAPI:
    app = create_app(
        service="notify",
        title="zhicheng notify worker",
        description="短信与缴费通知发送进程：健康检查与短信回执（状态报告）接收。",
        settings=settings,
        checks={"database": check_database, "redis": check_redis},
    )
    app.include_router(receipts_router)
    if settings.notify_dev_inbox:  # development only (NotifySettings refuses it elsewhere)
        app.include_router(inbox_router)
    app.state.engine = state["engine"]
    app.state.sessionmaker = state.get("maker") or make_sessionmaker(state["engine"])
    app.state.redis = state["redis"]
    notify_metrics.install(app)
    return app


async def start_health_server(settings: NotifySettings, state: dict) -> uvicorn.Server | None:
    if not settings.notify_health_port:
        return None
    app = build_health_app(settings, state)
    if settings.metrics_port:
        state["metrics_server"] = await serve_metrics(
            app, settings.metrics_host, settings.metrics_port
        )
    config = uvicorn.Config(
        app,
        host=settings.notify_health_host,
        port=settings.notify_health_port,
        log_config=None,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    # `_serve` rather than `serve`: the latter installs its own SIGTERM handler, and the
    # worker's shutdown on SIGTERM belongs to arq.
    state["health_task"] = asyncio.create_task(server._serve())
    return server

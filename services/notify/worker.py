"""The notify worker: `arq services.notify.worker.WorkerSettings`."""

from __future__ import annotations

import os
from typing import Any

from arq import func
from arq.connections import RedisSettings

from services.kit.db import make_engine
from services.kit.logs import configure_logging
from services.kit.queue import NOTIFY_QUEUE, PING, PingJob
from services.notify.config import get_settings
from services.notify.health import start_health_server

settings = get_settings()


async def ping(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Proves the queue end to end: validates the payload and echoes it."""
    job = PingJob.model_validate(payload)
    return {"echo": job.message, "pid": os.getpid(), "try": ctx["job_try"]}


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging("notify", settings.log_level)
    ctx["engine"] = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    ctx["health_server"] = await start_health_server(settings, ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    server = ctx.get("health_server")
    if server is not None:
        server.should_exit = True
        await ctx["health_task"]
    await ctx["engine"].dispose()


class WorkerSettings:
    functions = (func(ping, name=PING),)
    queue_name = NOTIFY_QUEUE
    redis_settings = RedisSettings.from_dsn(settings.redis_url)
    on_startup = startup
    on_shutdown = shutdown
    max_jobs = settings.notify_max_jobs
    job_timeout = settings.notify_job_timeout
    keep_result = 3600
    health_check_interval = 30

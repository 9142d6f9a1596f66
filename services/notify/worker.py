"""The notify worker: `arq services.notify.worker.WorkerSettings`."""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx
from arq import cron, func
from arq.connections import RedisSettings
from sqlalchemy.ext.asyncio import create_async_engine

from services.kit.clients import tls_context
from services.kit.db import connect_args, engine_for, make_sessionmaker
from services.kit.logs import configure_logging
from services.kit.queue import NOOP, NOTIFY_QUEUE, PING, SEND_NOTIFICATION, SWEEP, PingJob
from services.kit.tracing import configure_tracing
from services.notify import tasks
from services.notify.config import get_settings
from services.notify.health import start_health_server
from services.notify.service import Sender
from services.notify.sms.providers import build_providers

settings = get_settings()


async def ping(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Proves the queue end to end: validates the payload and echoes it."""
    job = PingJob.model_validate(payload)
    return {"echo": job.message, "pid": os.getpid(), "try": ctx["job_try"]}


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging("notify", settings.log_level)
    configure_tracing("notify", settings)
    # arq's CLI sets its own loggers to INFO (two lines per job); LOG_LEVEL governs them too.
    logging.getLogger("arq").setLevel(settings.log_level)
    # Jobs have no request to retry: the general engine pings on checkout.
    ctx["engine"] = engine_for(settings, pool_size=5, max_overflow=10, pre_ping=True)
    ctx["maker"] = make_sessionmaker(ctx["engine"])
    ctx["http"] = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=settings.notify_max_jobs),
        trust_env=False,
        verify=tls_context(),
    )
    # The send path's engine skips the per-checkout ping (a round trip per statement).
    # A statement that meets a connection broken by a database restart runs once more
    # on a fresh connection (service._run: the pool drops its broken connections); the
    # provider call is never repeated, and every statement is guarded, so it cannot
    # apply twice.
    ctx["hot_engine"] = create_async_engine(
        settings.database_url,
        pool_size=settings.notify_db_pool_size,
        max_overflow=10,
        pool_recycle=1800,
        # The same bounds as every engine (DB_*): a frozen database fails the send's
        # statement in seconds; the row waits for the sweeper, never resent blindly.
        pool_timeout=settings.db_pool_timeout,
        connect_args=connect_args(
            connect_timeout=settings.db_connect_timeout,
            statement_timeout=settings.db_statement_timeout,
        ),
    )
    ctx["sender"] = Sender(
        settings=settings,
        maker=ctx["maker"],
        redis=ctx["redis"],
        providers=build_providers(settings, ctx["http"]),
        engine=ctx["hot_engine"],
    )
    ctx["health_server"] = await start_health_server(settings, ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    if (metrics := ctx.get("metrics_server")) is not None:
        await metrics.stop()
    server = ctx.get("health_server")
    if server is not None:
        server.should_exit = True
        await ctx["health_task"]
    await ctx["http"].aclose()
    await ctx["hot_engine"].dispose()
    await ctx["engine"].dispose()


class WorkerSettings:
    functions = (
        func(ping, name=PING),
        # No stored result: the outcome lives in Postgres, and a done row is never relayed.
        func(tasks.send_notification, name=SEND_NOTIFICATION, keep_result=0),
        func(tasks.noop, name=NOOP),
    )
    cron_jobs = (
        cron(
            tasks.sweep,
            name=SWEEP,
            second=set(range(0, 60, settings.notify_sweep_every_seconds)),
            run_at_startup=True,
            timeout=max(settings.notify_job_timeout, 120),
        ),
    )
    queue_name = NOTIFY_QUEUE
    redis_settings = RedisSettings.from_dsn(settings.redis_url)
    on_startup = startup
    on_shutdown = shutdown
    max_jobs = settings.notify_max_jobs
    poll_delay = settings.notify_poll_delay
    job_timeout = settings.notify_job_timeout
    # On SIGTERM, let running sends finish (up to this many seconds) instead of
    # cancelling them mid-call, which would leave them `sending_unknown`.
    job_completion_wait = settings.notify_job_timeout
    keep_result = 3600
    health_check_interval = 30

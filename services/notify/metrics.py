"""Worker figures for `/metrics`, read at scrape time so every replica reports the same
truth: queue depth and the age of the oldest due job (Redis), notices by provider and
status over the last day, and how long the outbox's due notices have waited (Postgres)."""

from __future__ import annotations

import time

from fastapi import FastAPI
from prometheus_client import Gauge
from sqlalchemy import text

from services.kit.outbox import PENDING
from services.kit.queue import NOTIFY_QUEUE

_BY_STATUS = text(
    "SELECT coalesce(provider, 'none'), status, count(*) FROM notify.notification"
    " WHERE updated_at > now() - interval '1 day' GROUP BY 1, 2"
)

# Due notices not sent yet (`created`/`retry`, send_after passed or unset): how long the
# oldest has been due, and the same among those never handed to the queue (the outbox's
# relay is behind: neither the gateway's fast path nor the sweeper moved it).
_DUE = text(
    "SELECT extract(epoch FROM now() - min(coalesce(send_after, created_at))),"
    " extract(epoch FROM now() - min(coalesce(send_after, created_at))"
    "  FILTER (WHERE enqueued_at IS NULL))"
    " FROM notify.notification WHERE status = ANY(:pending)"
    " AND (send_after IS NULL OR send_after <= now())"
).bindparams(pending=list(PENDING))


def install(app: FastAPI) -> None:
    registry = app.state.metrics
    depth = Gauge(
        "zhicheng_notify_queue_depth", "Jobs waiting in the notify queue", registry=registry
    )
    age = Gauge(
        "zhicheng_notify_queue_oldest_job_age_seconds",
        "How long the oldest due job has waited (0 when none is due)",
        registry=registry,
    )
    due_age = Gauge(
        "zhicheng_notify_oldest_due_notice_age_seconds",
        "How long the oldest due notice not yet sent has been due (0 when none)",
        registry=registry,
    )
    outbox_age = Gauge(
        "zhicheng_outbox_oldest_unqueued_age_seconds",
        "How long the oldest due notice never handed to the queue has waited (0 when none)",
        registry=registry,
    )
    notices = Gauge(
        "zhicheng_sms_notifications",
        "Notices updated in the last 24 h, by provider and status",
        ["provider", "status"],
        registry=registry,
    )

    async def refresh(app: FastAPI) -> None:
        redis = app.state.redis
        depth.set(await redis.zcard(NOTIFY_QUEUE))
        now_ms = time.time() * 1000
        # arq scores a job by the time it is due to run (ms).
        due = await redis.zrangebyscore(
            NOTIFY_QUEUE, "-inf", now_ms, start=0, num=1, withscores=True
        )
        age.set(max(0.0, (now_ms - due[0][1]) / 1000) if due else 0.0)
        async with app.state.engine.connect() as conn:
            rows = (await conn.execute(_BY_STATUS)).all()
            oldest_due, oldest_unqueued = (await conn.execute(_DUE)).one()
        due_age.set(max(0.0, float(oldest_due or 0)))
        outbox_age.set(max(0.0, float(oldest_unqueued or 0)))
        notices.clear()
        for provider, status, count in rows:
            notices.labels(provider, status).set(count)

    app.state.metrics_refresh.append(refresh)

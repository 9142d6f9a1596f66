"""The worker's `/metrics`: queue depth, age of the oldest due job, notices by status, how
long the oldest due notice (and the oldest never queued) has waited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from arq import create_pool
from arq.connections import RedisSettings
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from scripts.servers import Valkey, free_port
from services.kit.clients import make_redis
from services.kit.db import make_engine
from services.kit.outbox import Notification
from services.kit.queue import NOTIFY_QUEUE
from services.notify.health import build_health_app
from tests.conftest import Stack
from tests.notify.conftest import add, settings_for
from tests.support import running, scrape


def _samples(text: str) -> dict[tuple, float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_worker_metrics(stack: Stack, fake, maker, tmp_path) -> None:
    valkey = Valkey(tmp_path / "valkey", free_port(), persist=False).start()
    engine = make_engine(stack.database_url)
    redis = make_redis(valkey.url)
    pool = await create_pool(RedisSettings.from_dsn(valkey.url))
    try:
        for _ in range(3):
            await pool.enqueue_job("noop", _queue_name=NOTIFY_QUEUE)
        await pool.enqueue_job("noop", _queue_name=NOTIFY_QUEUE, _defer_by=3600)
        provider = f"probe-{uuid.uuid4().hex[:6]}"
        ids = [await add(maker) for _ in range(2)]
        # Due two hours ago and never handed to the queue: the outbox is that far behind.
        two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
        await add(maker, send_after=two_hours_ago)
        async with maker() as session:
            await session.exec(
                update(Notification)
                .where(Notification.id.in_(ids))
                .values(status="permanent_failure", provider=provider)
            )
            await session.commit()

        app = build_health_app(settings_for(stack, fake), {"engine": engine, "redis": redis})
        async with running(app):
            samples = _samples(await scrape(app))
        assert samples[("zhicheng_notify_queue_depth", ())] == 4
        assert samples[("zhicheng_notify_queue_oldest_job_age_seconds", ())] >= 0
        assert samples[("zhicheng_notify_queue_oldest_job_age_seconds", ())] < 3600
        key = (
            "zhicheng_sms_notifications",
            (("provider", provider), ("status", "permanent_failure")),
        )
        assert samples[key] == 2
        assert samples[("zhicheng_notify_oldest_due_notice_age_seconds", ())] >= 7000
        assert samples[("zhicheng_outbox_oldest_unqueued_age_seconds", ())] >= 7000
    finally:
        await pool.aclose()
        await redis.aclose()
        await engine.dispose()
        valkey.stop(grace=3)

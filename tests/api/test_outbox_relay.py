"""A notice survives a queue that is down when its change commits; a later relay sends it once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt
from arq import create_pool
from arq.connections import RedisSettings
from sqlmodel import select

from scripts.servers import free_port
from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification, job_id, relay
from services.kit.queue import NOTIFY_QUEUE
from tests.api.factories import return_for_correction, submitted, token, verified_applicant
from tests.conftest import Stack
from tests.support import running


async def test_queue_down_at_commit_loses_nothing(
    client, stack: Stack, rules_url: str, documents_url: str
) -> None:
    # The applicant's account proved a phone (signed in while the queue was up). Their
    # token's session would be looked up in Valkey, down here with the queue, so the same
    # subject acts below through a token without a session.
    signed_in, _phone = await verified_applicant(client)
    sub = jwt.decode(signed_in, options={"verify_signature": False})["sub"]
    down = f"redis://127.0.0.1:{free_port()}/0"
    settings = ApiSettings(
        **{**stack.settings_kwargs(), "redis_url": down},
        rules_url=rules_url,
        documents_url=documents_url,
    )
    async with running(build_app(settings)) as client:
        tree, _campaign, _applicant, did = await submitted(
            client,
            applicant=token("applicant", sub=sub),
            label="断队列",
            supervisor=False,
            county=False,
        )
        r = await return_for_correction(client, tree, did, within=timedelta(hours=12))
        # The change is committed and answered although the queue is unreachable.
        assert r.status_code == 201, r.text

    engine = make_engine(stack.database_url)
    maker = make_sessionmaker(engine)
    redis = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    try:
        async with maker() as session:
            rows = (
                await session.exec(
                    select(Notification)
                    .where(Notification.declaration_id == uuid.UUID(did))
                    .order_by(Notification.created_at)
                )
            ).all()
        # The submission's receipt and the return's notice, each committed, neither queued.
        assert [(n.event, n.status, n.enqueued_at) for n in rows] == [
            ("declaration.submitted", "created", None),
            ("declaration.returned", "created", None),
        ]
        # The sweeper's relay (or any later one) hands them over, once.
        ids = [n.id for n in rows]
        assert await relay(maker, redis, ids=ids) == 2
        assert await relay(maker, redis, ids=ids) == 0
        for n in rows:
            assert await redis.zscore(NOTIFY_QUEUE, job_id(n.id, 0)) is not None
    finally:
        await redis.aclose()
        await engine.dispose()

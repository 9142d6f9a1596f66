"""Fixtures for the gateway tests: the real eligibility and document services, the app.

Data is built by the factories in tests/api/factories.py."""

from __future__ import annotations

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from sqlmodel import select

from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import Declaration
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification, cancel_notifications, job_id
from services.kit.queue import NOTIFY_QUEUE
from tests.conftest import Stack
from tests.support import running


@pytest.fixture(scope="package", autouse=True)
async def leave_no_jobs(stack: Stack):
    """After the gateway tests, cancel their notices and take their jobs off the queue.

    Nothing here sends SMS; later suites that run a real notify worker must not receive
    these tests' notices.
    """
    yield
    engine = make_engine(stack.database_url)
    redis = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (
                await session.exec(
                    select(
                        Notification.id, Notification.attempts, Notification.declaration_id
                    ).where(Notification.declaration_id.in_(select(Declaration.id)))
                )
            ).all()
            for declaration_id in {r[2] for r in rows}:
                events = ["declaration." + e for e in EVENTS]
                await cancel_notifications(session, declaration_id=declaration_id, events=events)
            await session.commit()
        for notification_id, attempts, _ in rows:
            jid = job_id(notification_id, attempts)
            await redis.zrem(NOTIFY_QUEUE, jid)
            await redis.delete(f"arq:job:{jid}")
    finally:
        await redis.aclose()
        await engine.dispose()


EVENTS = (
    "returned",
    "correction_reminder",
    "accepted",
    "payment_due",
    "payment_reminder",
    "payment_received",
    "defence_scheduled",
    "withdrawn",
)


@pytest.fixture(scope="session")
def rules_url(stack: Stack, uvicorn_service) -> str:
    return uvicorn_service("services.rules.main:app", stack.env())


@pytest.fixture(scope="session")
def documents_url(stack: Stack, uvicorn_service) -> str:
    """The real document service: the unit files its materials through it."""
    return uvicorn_service("services.documents.main:app", stack.env())


@pytest.fixture
async def client(stack: Stack, rules_url: str, documents_url: str):
    settings = ApiSettings(
        **stack.settings_kwargs(), rules_url=rules_url, documents_url=documents_url
    )
    async with running(build_app(settings)) as c:
        yield c

"""Fixtures for the gateway tests: the real eligibility and document services, the app.

Data is built by the factories in tests/api/factories.py."""

from __future__ import annotations

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import update
from sqlmodel import select

from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import Declaration
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import PENDING, Notification, cancel_notifications, job_id
from services.kit.queue import NOTIFY_QUEUE
from tests.api.factories import LOGIN_CODE
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
                    ).where(
                        Notification.declaration_id.in_(select(Declaration.id))
                        | (Notification.event == LOGIN_CODE)
                    )
                )
            ).all()
            for declaration_id in {r[2] for r in rows} - {None}:
                events = ["declaration." + e for e in EVENTS]
                await cancel_notifications(session, declaration_id=declaration_id, events=events)
            # The login codes of verified_applicant (factories.py).
            await session.exec(
                update(Notification)
                .where(Notification.event == LOGIN_CODE, Notification.status.in_(PENDING))
                .values(status="cancelled")
            )
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
def urls(rules_url: str, documents_url: str) -> tuple[str, str]:
    """(eligibility, documents): the services a gateway of a test's own talks to."""
    return rules_url, documents_url


@pytest.fixture
async def client(stack: Stack, rules_url: str, documents_url: str):
    # A real document service: materials are attached by uploading scans (factories).
    settings = ApiSettings(
        **stack.settings_kwargs(), rules_url=rules_url, documents_url=documents_url
    )
    async with running(build_app(settings)) as c:
        yield c

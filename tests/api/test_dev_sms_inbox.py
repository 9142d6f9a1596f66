"""In development a login code is readable: with NOTIFY_DEV_INBOX the `log` provider keeps
what it delivered and the notify worker's listener answers GET /dev/sms-inbox
(services/notify/inbox.py). The path walked: the gateway sends a code, the worker's send
(the `log` provider) delivers it and scrubs the outbox row, the inbox shows it, and the
code signs the applicant in. Off by default, refused in production."""

from __future__ import annotations

import random

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from pydantic import ValidationError
from sqlmodel import select

from services.kit.clients import make_redis
from services.kit.db import make_engine
from services.kit.outbox import Notification
from services.notify.config import NotifySettings
from services.notify.health import build_health_app
from services.notify.service import Sender, send_notification
from services.notify.sms.providers import build_providers
from tests.api.factories import LOGIN_CODE, withdraw_notices
from tests.support import running


def _settings(stack, **extra) -> NotifySettings:
    return NotifySettings(**{**stack.settings_kwargs(), "notify_providers": ["log"], **extra})


@pytest.fixture
async def listener_state(stack):
    engine = make_engine(stack.database_url)
    redis = make_redis(stack.redis_url)
    yield {"engine": engine, "redis": redis}
    await redis.aclose()
    await engine.dispose()


async def _deliver(app, stack, settings: NotifySettings, phone: str) -> None:
    """What the notify worker does with the queued code: send it through its providers."""
    async with app.state.sessionmaker() as session:
        query = select(Notification.id).where(
            Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE
        )
        [nid] = (await session.exec(query)).all()
    arq = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    try:
        sender = Sender(
            settings=settings, maker=app.state.sessionmaker, redis=arq,
            providers=build_providers(settings, None),
        )  # fmt: skip
        assert await send_notification(sender, nid) == "sent"
    finally:
        await arq.aclose()
    async with app.state.sessionmaker() as session:
        row = await session.get(Notification, nid)
        assert row.status == "sent"
        assert row.params["code"] == "******"  # scrubbed once sent: the outbox keeps no code


async def test_the_code_in_the_inbox_signs_the_applicant_in(client, stack, listener_state):
    app = client._transport.app
    phone = "139" + f"{random.randrange(10**8):08d}"
    settings = _settings(stack, notify_dev_inbox=True)
    r = await client.post("/v1/auth/sms-codes", json={"phone": phone})
    assert r.status_code == 202, r.text
    try:
        await _deliver(app, stack, settings, phone)
        async with running(build_health_app(settings, listener_state)) as notify:
            r = await notify.get("/dev/sms-inbox", params={"phone": phone})
            assert r.status_code == 200, r.text
            [message] = r.json()
            assert message["code"].isdigit() and message["code"] in message["text"]
            assert message["text"].startswith("【职称申报】")
            other = await notify.get("/dev/sms-inbox", params={"phone": "13800000000"})
            assert other.json() == []
            bad = await notify.get("/dev/sms-inbox", params={"phone": "x"})
            assert bad.status_code == 422
        r = await client.post("/v1/auth/sms-logins", json={"phone": phone, "code": message["code"]})
        assert r.status_code == 200, r.text
        assert r.json()["access_token"]
    finally:
        await withdraw_notices(stack, Notification.phone == "+86" + phone)


async def test_off_by_default_nothing_kept_and_no_route(client, stack, listener_state):
    app = client._transport.app
    phone = "139" + f"{random.randrange(10**8):08d}"
    settings = _settings(stack)
    assert settings.notify_dev_inbox is False
    r = await client.post("/v1/auth/sms-codes", json={"phone": phone})
    assert r.status_code == 202, r.text
    try:
        await _deliver(app, stack, settings, phone)
        async with running(build_health_app(settings, listener_state)) as notify:
            r = await notify.get("/dev/sms-inbox", params={"phone": phone})
            assert r.status_code == 404
        on = _settings(stack, notify_dev_inbox=True)
        async with running(build_health_app(on, listener_state)) as notify:
            r = await notify.get("/dev/sms-inbox", params={"phone": phone})
            assert r.json() == []  # the log provider kept nothing while it was off
    finally:
        await withdraw_notices(stack, Notification.phone == "+86" + phone)


def test_production_refuses_the_inbox(stack) -> None:
    with pytest.raises(ValidationError, match="NOTIFY_DEV_INBOX"):
        _settings(stack, environment="production", notify_dev_inbox=True)
    with pytest.raises(ValidationError, match="NOTIFY_DEV_INBOX"):
        _settings(stack, notify_dev_inbox=True, notify_health_host="0.0.0.0")  # noqa: S104

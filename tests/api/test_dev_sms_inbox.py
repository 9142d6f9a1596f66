"""In development a login code is readable: the notify worker's listener answers
GET /dev/sms-inbox (services/notify/inbox.py) when NOTIFY_DEV_INBOX is on, and the code
it shows signs the applicant in. Off by default, refused in production."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from services.kit.clients import make_redis
from services.kit.db import make_engine
from services.notify.config import NotifySettings
from services.notify.health import build_health_app
from tests.api.factories import withdraw_notices
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


async def test_the_code_in_the_inbox_signs_the_applicant_in(client, stack, listener_state):
    from services.kit.outbox import Notification

    phone = "139" + f"{random.randrange(10**8):08d}"
    r = await client.post("/v1/auth/sms-codes", json={"phone": phone})
    assert r.status_code == 202, r.text
    try:
        inbox = build_health_app(_settings(stack, notify_dev_inbox=True), listener_state)
        async with running(inbox) as notify:
            r = await notify.get("/dev/sms-inbox", params={"phone": phone})
            assert r.status_code == 200, r.text
            [message] = r.json()
            assert message["code"] and message["code"] in message["text"]
            other = await notify.get("/dev/sms-inbox", params={"phone": "13800000000"})
            assert other.json() == []
            bad = await notify.get("/dev/sms-inbox", params={"phone": "x"})
            assert bad.status_code == 422
        r = await client.post("/v1/auth/sms-logins", json={"phone": phone, "code": message["code"]})
        assert r.status_code == 200, r.text
        assert r.json()["access_token"]

        # Without the setting the route does not exist.
        async with running(build_health_app(_settings(stack), listener_state)) as notify:
            r = await notify.get("/dev/sms-inbox", params={"phone": phone})
            assert r.status_code == 404
    finally:
        await withdraw_notices(stack, Notification.phone == "+86" + phone)


def test_production_refuses_the_inbox(stack) -> None:
    with pytest.raises(ValidationError, match="NOTIFY_DEV_INBOX"):
        _settings(stack, environment="production", notify_dev_inbox=True)
    with pytest.raises(ValidationError, match="NOTIFY_DEV_INBOX"):
        _settings(stack, notify_dev_inbox=True, notify_health_host="0.0.0.0")  # noqa: S104

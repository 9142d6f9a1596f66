"""Fixtures of the notify tests: the fake SMS gateway, a sender on the real stack."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings

from services.kit.outbox import Notification, add_notification
from services.notify.config import NotifySettings
from services.notify.service import Sender
from services.notify.sms.providers import build_providers
from tests.conftest import Stack
from tests.notify.fakesms import provider_env


class Fake:
    """Talks to the fake gateway's control endpoints."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, trust_env=False, timeout=10)

    def reset(self) -> None:
        self.client.post("/_fake/reset").raise_for_status()

    def mode(self, **body) -> None:
        self.client.post("/_fake/mode", json=body).raise_for_status()

    def release(self) -> None:
        """Stalled answers go now; the records stay."""
        self.client.post("/_fake/release").raise_for_status()

    def records(self) -> list[dict]:
        answer = self.client.get("/_fake/records").json()
        assert answer["rejected"] == 0, "the fake refused a signature"
        return answer["records"]

    def stats(self) -> dict:
        return self.client.get("/_fake/stats").json()

    def env(self, providers: str = '["aliyun","tencent"]') -> dict[str, str]:
        return provider_env(self.base_url, providers)


@pytest.fixture(scope="session")
def fake_url(stack: Stack, uvicorn_service) -> str:
    return uvicorn_service("tests.notify.fakesms:app", stack.env())


@pytest.fixture
def fake(fake_url: str) -> Fake:
    f = Fake(fake_url)
    f.reset()
    yield f
    f.reset()  # also releases any stalled answer
    f.client.close()


def settings_for(stack: Stack, fake: Fake, providers: str = '["aliyun","tencent"]', **extra):
    kwargs = {k.lower(): v for k, v in fake.env(providers).items()}
    kwargs["notify_providers"] = json.loads(kwargs["notify_providers"])
    return NotifySettings(**{**stack.settings_kwargs(), **kwargs, **extra})


@pytest.fixture
async def arq_redis(stack: Stack):
    pool = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    yield pool
    await pool.aclose()


@pytest.fixture
async def make_sender(stack: Stack, fake: Fake, maker, arq_redis):
    clients: list[httpx.AsyncClient] = []

    def build(providers: str = '["aliyun","tencent"]', **extra) -> Sender:
        settings = settings_for(stack, fake, providers, **extra)
        http = httpx.AsyncClient(trust_env=False)
        clients.append(http)
        return Sender(
            settings=settings,
            maker=maker,
            redis=arq_redis,
            providers=build_providers(settings, http),
        )

    yield build
    for http in clients:
        await http.aclose()


def phone() -> str:
    """A fresh mainland mobile number per notice, so per-phone limits do not interfere."""
    return "+86139" + str(uuid.uuid4().int)[:8]


async def add(
    maker,
    *,
    template: str = "PAYMENT_DUE",
    params: dict | None = None,
    to: str | None = None,
    event: str = "declaration.payment_due",
    declaration_id: uuid.UUID | None = None,
    not_after: datetime | None = None,
    send_after: datetime | None = None,
) -> uuid.UUID:
    async with maker() as session:
        nid = await add_notification(
            session,
            event=event,
            template_code=template,
            phone=to or phone(),
            params=params
            if params is not None
            else {"name": "张三", "deadline": "2023-10-10 18:00", "amount": "230"},
            dedupe_key=f"test:{uuid.uuid4()}",
            declaration_id=declaration_id,
            not_after=not_after,
            send_after=send_after,
        )
        await session.commit()
    assert nid is not None
    return nid


async def load(maker, nid: uuid.UUID) -> Notification:
    async with maker() as session:
        row = await session.get(Notification, nid)
        assert row is not None
        return row

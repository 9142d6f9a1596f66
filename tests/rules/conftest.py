from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.rules.main import app, registry
from tests.support import AS_GATEWAY_TO_RULES


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://rules.test", auth=AS_GATEWAY_TO_RULES
    ) as c:
        yield c


@pytest.fixture(scope="session")
def clause_ref():
    def ref(policy_id: str, key: str) -> str:
        return registry.by_id[policy_id].refs[key]

    return ref

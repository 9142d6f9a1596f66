"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519

from services.kit.service_tokens import (
    DEV_SERVICE_TOKEN_PRIVATE_KEY,
    DOCUMENTS_AUDIENCE,
    RULES_AUDIENCE,
    ServiceAuth,
    load_private_key,
    private_key_setting,
    public_key_setting,
)
from tests.contract import recorder

# The gateway's development service-token key, which every test process uses: a test
# calling the eligibility or document service directly plays the gateway.
GATEWAY_KEY = load_private_key(DEV_SERVICE_TOKEN_PRIVATE_KEY)
AS_GATEWAY_TO_RULES = ServiceAuth(GATEWAY_KEY, RULES_AUDIENCE)
AS_GATEWAY_TO_DOCUMENTS = ServiceAuth(GATEWAY_KEY, DOCUMENTS_AUDIENCE)

# A service-token key pair other than the development one: what production accepts.
_PRODUCTION_GATEWAY_KEY = ed25519.Ed25519PrivateKey.generate()
PRODUCTION_SERVICE_TOKEN_KEYS = {
    "service_token_private_key": private_key_setting(_PRODUCTION_GATEWAY_KEY),
    "service_token_public_key": public_key_setting(_PRODUCTION_GATEWAY_KEY),
}


@asynccontextmanager
async def running(app, *, auth: httpx.Auth | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan and give an httpx client that talks to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        # Each answer is held against the app's OpenAPI document (tests/contract.py).
        hooks = {"response": [recorder(app)]}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", auth=auth, event_hooks=hooks
        ) as client:
            yield client


async def scrape(app) -> str:
    """The app's `/metrics`, from the app its metrics port serves (never the public one)."""
    transport = httpx.ASGITransport(app=app.state.metrics_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://metrics") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


# An engineering 助理工程师 in 柳州 (450200) asking about 中级 on 2022-07-31: the
# eligibility request the suites send when any well-formed one will do.
EVALUATE_CASE = {
    "region": "450200",
    "series": "engineering",
    "level": "intermediate",
    "as_of": "2022-07-31",
    "applicant": {
        "employer_type": "state_owned",
        "education": [{"level": "bachelor", "related_major": True, "graduated_on": "2013-06-30"}],
        "titles": [{"series": "engineering", "level": "assistant", "obtained_on": "2017-12-01"}],
        "professional_work_since": "2013-07-01",
    },
}

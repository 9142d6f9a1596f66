"""The gateway verifies ES256 tokens with the public key from settings."""

from __future__ import annotations

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.auth import Principal, issue_token
from tests.conftest import Stack
from tests.kit.test_auth import _es256_pair
from tests.support import running


async def test_gateway_accepts_es256_and_refuses_hs256(stack: Stack) -> None:
    private, public = _es256_pair()
    settings = ApiSettings(**stack.settings_kwargs(), jwt_algorithm="ES256", jwt_public_key=public)
    principal = Principal(sub="applicant-es256", role="applicant")
    good = issue_token(principal, secret=private, algorithm="ES256")
    hs = issue_token(principal, secret="h" * 48, algorithm="HS256")
    async with running(build_app(settings)) as client:
        ok = await client.get("/v1/declarations", headers={"Authorization": f"Bearer {good}"})
        assert ok.status_code == 200, ok.text
        assert ok.json()["items"] == []
        bad = await client.get("/v1/declarations", headers={"Authorization": f"Bearer {hs}"})
        assert bad.status_code == 401
        assert bad.json()["type"] == "urn:zhicheng:problem:invalid-token"

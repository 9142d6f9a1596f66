"""The gateway reaches the eligibility service over real HTTP."""

from __future__ import annotations

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.auth import Principal, issue_token
from services.kit.problems import PROBLEM_MEDIA_TYPE
from services.kit.settings import DEV_JWT_SECRET
from tests.conftest import Stack
from tests.support import EVALUATE_CASE, running

CASE = EVALUATE_CASE

# Evaluating needs a signed-in caller (any role; portals the eligibility:evaluate scope).
# Made when the module is collected: valid for the whole run, however long it takes.
AUTH = {
    "Authorization": "Bearer "
    + issue_token(Principal(sub="a1", role="applicant"), secret=DEV_JWT_SECRET, ttl_seconds=3600)
}


async def test_eligibility_unavailable_is_503_problem(stack: Stack) -> None:
    from scripts.servers import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    settings = ApiSettings(**stack.settings_kwargs(), rules_url=closed)
    async with running(build_app(settings)) as client:
        response = await client.post("/v1/eligibility/evaluate", json=CASE, headers=AUTH)
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert response.headers["retry-after"]
        assert response.json()["type"] == "urn:zhicheng:problem:rules-unavailable"


async def test_eligibility_is_forwarded(stack: Stack, uvicorn_service) -> None:
    rules_url = uvicorn_service("services.rules.main:app", stack.env())
    settings = ApiSettings(**stack.settings_kwargs(), rules_url=rules_url)
    async with running(build_app(settings)) as client:
        ok = await client.post("/v1/eligibility/evaluate", json=CASE, headers=AUTH)
        assert ok.status_code == 200, ok.text
        assert ok.json()["eligible"] is True
        bad = await client.post(
            "/v1/eligibility/evaluate",
            json={**CASE, "level": "boss"},
            headers={"X-Request-ID": "gw-fwd-1", **AUTH},
        )
        assert bad.status_code == 422
        assert bad.headers["content-type"] == PROBLEM_MEDIA_TYPE
        # The request id travelled to the eligibility service and back.
        assert bad.json()["request_id"] == "gw-fwd-1"

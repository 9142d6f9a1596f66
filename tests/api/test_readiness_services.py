"""The gateway's /readyz reports the services it calls (eligibility, documents) beside its
stores: one it cannot reach is named in a 503 problem, and the answer turns 200 again
once it answers, without a restart."""

from __future__ import annotations

import pytest

from scripts.servers import free_port
from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.conftest import Stack
from tests.support import running


async def test_ready_names_each_service_it_calls(
    stack: Stack, rules_url: str, documents_url: str
) -> None:
    settings = ApiSettings(
        **stack.settings_kwargs(), rules_url=rules_url, documents_url=documents_url
    )
    async with running(build_app(settings)) as client:
        r = await client.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json()["checks"] == {
            "database": "ok",
            "redis": "ok",
            "rules": "ok",
            "documents": "ok",
        }


@pytest.mark.parametrize(("down", "zh"), [("rules", "资格评估服务"), ("documents", "材料服务")])
async def test_a_service_out_of_reach_is_named(
    stack: Stack, rules_url: str, documents_url: str, down: str, zh: str
) -> None:
    urls = {"rules_url": rules_url, "documents_url": documents_url}
    urls[f"{down}_url"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with running(build_app(ApiSettings(**stack.settings_kwargs(), **urls))) as client:
        r = await client.get("/readyz")
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == PROBLEM_MEDIA_TYPE and r.headers["retry-after"]
        body = r.json()
        assert body["type"] == "urn:zhicheng:problem:dependency-unavailable"
        assert body["down"] == [down] and zh in body["detail"]
        assert (await client.get("/healthz")).status_code == 200

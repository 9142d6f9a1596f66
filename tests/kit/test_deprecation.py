"""A deprecated route says so and says when it goes: the Deprecation (RFC 9745) and Sunset
(RFC 8594) headers on every answer, errors included, and `deprecated: true` with the
headers documented in OpenAPI (services/kit/deprecation.py)."""

from __future__ import annotations

from datetime import date
from email.utils import parsedate_to_datetime

import pytest
from fastapi import FastAPI

from services.kit.app import create_app
from services.kit.deprecation import deprecated
from services.kit.problems import ProblemError
from services.kit.settings import KitSettings
from tests.support import running

SINCE, SUNSET = date(2026, 1, 1), date(2026, 7, 1)


def _app() -> FastAPI:
    app = create_app(
        service="test", title="t", description="t",
        settings=KitSettings(environment="test"), checks={},
    )  # fmt: skip

    @app.get("/v1/old/{n}", **deprecated(since=SINCE, sunset=SUNSET, instead="/v1/new/{n}"))
    async def old(n: int) -> dict:
        if n == 0:
            raise ProblemError(409, "declaration-submitted", "申报已提交，不能再写入数据。")
        return {"n": n}

    @app.get("/v1/new/{n}")
    async def new(n: int) -> dict:
        return {"n": n}

    return app


async def test_every_answer_of_a_deprecated_route_carries_the_headers() -> None:
    async with running(_app()) as client:
        for url, status in (("/v1/old/1", 200), ("/v1/old/0", 409), ("/v1/old/x", 422)):
            r = await client.get(url)
            assert r.status_code == status, url
            assert r.headers["deprecation"] == "@1767225600", url  # 2026-01-01T00:00Z
            assert parsedate_to_datetime(r.headers["sunset"]).date() == SUNSET, url
            assert r.headers["sunset"].endswith(" GMT"), url
            assert r.headers["link"] == '</v1/new/{n}>; rel="successor-version"', url
        r = await client.get("/v1/new/1")
        assert r.status_code == 200
        assert "deprecation" not in r.headers and "sunset" not in r.headers


async def test_openapi_marks_the_operation_and_documents_the_headers() -> None:
    async with running(_app()) as client:
        spec = (await client.get("/openapi.json")).json()
    old = spec["paths"]["/v1/old/{n}"]["get"]
    assert old["deprecated"] is True
    assert old["x-sunset"] == "2026-07-01"
    assert "2026-07-01" in old["description"]
    for status, response in old["responses"].items():
        assert {"Deprecation", "Sunset"} <= set(response["headers"]), status
    new = spec["paths"]["/v1/new/{n}"]["get"]
    assert "deprecated" not in new
    assert all("Deprecation" not in r.get("headers", {}) for r in new["responses"].values())


def test_a_sunset_needs_the_policy_notice() -> None:
    with pytest.raises(ValueError, match="180"):
        deprecated(since=date(2026, 1, 1), sunset=date(2026, 3, 1))


def test_no_route_of_the_gateway_is_past_its_sunset() -> None:
    """A route past its sunset date is removed, not left answering (the policy)."""
    from services.api.main import app

    spec = app.openapi()
    late = [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        and "x-sunset" in operation
        and date.fromisoformat(operation["x-sunset"]) <= date.today()
    ]
    assert late == []

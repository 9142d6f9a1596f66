"""Every error any service returns is RFC 9457 problem+json, with a Chinese detail."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy.exc import TimeoutError as PoolTimeout

from services.kit.app import create_app
from services.kit.problems import PROBLEM_MEDIA_TYPE, ProblemError
from services.kit.settings import KitSettings
from tests.support import running


class Body(BaseModel):
    level: str = Field(pattern="^(assistant|intermediate)$")
    as_of: date
    years: int = Field(ge=0)


def _app() -> FastAPI:
    app = create_app(
        service="test",
        title="t",
        description="t",
        settings=KitSettings(environment="test"),
        checks={},
    )

    @app.post("/things")
    async def make(body: Body) -> dict:
        logging.getLogger("zhicheng.test").info("made a thing")
        return body.model_dump(mode="json")

    @app.get("/conflict")
    async def conflict() -> dict:
        raise ProblemError(409, "declaration-submitted", "申报已提交，不能再写入数据。")

    @app.get("/pool-exhausted")
    async def pool_exhausted() -> dict:
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")

    @app.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("secret internal state")

    return app


def _is_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["type"] == f"urn:zhicheng:problem:{code}"
    assert body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]
    return body


async def test_unknown_route_is_problem() -> None:
    async with running(_app()) as client:
        body = _is_problem(await client.get("/no/such/route"), 404, "not-found")
        assert body["instance"] == "/no/such/route"


async def test_wrong_method_is_problem() -> None:
    async with running(_app()) as client:
        _is_problem(await client.delete("/things"), 405, "method-not-allowed")


async def test_validation_names_every_bad_field_in_chinese_and_english() -> None:
    async with running(_app()) as client:
        response = await client.post(
            "/things", json={"level": "boss", "as_of": "2022/07/31", "years": -1}
        )
        body = _is_problem(response, 422, "validation-error")
        fields = {e["field"]: e for e in body["errors"]}
        assert set(fields) == {"level", "as_of", "years"}
        assert "日期格式" in fields["as_of"]["message"]
        assert "下限 0" in fields["years"]["message"]
        assert all(e["message_en"] for e in body["errors"])
        assert "level" in body["detail"] and "as_of" in body["detail"]


async def test_malformed_json_is_problem() -> None:
    async with running(_app()) as client:
        response = await client.post(
            "/things", content=b"{not json", headers={"content-type": "application/json"}
        )
        _is_problem(response, 422, "validation-error")


async def test_domain_problem_keeps_its_type_and_status() -> None:
    async with running(_app()) as client:
        body = _is_problem(await client.get("/conflict"), 409, "declaration-submitted")
        assert body["detail"] == "申报已提交，不能再写入数据。"


async def test_unexpected_error_is_500_problem_without_internals() -> None:
    async with running(_app()) as client:
        response = await client.get("/boom")
        body = _is_problem(response, 500, "internal-error")
        assert "secret internal state" not in response.text
        assert body["request_id"] == response.headers["x-request-id"]


async def test_request_id_is_echoed_or_generated() -> None:
    async with running(_app()) as client:
        given = await client.get("/healthz", headers={"X-Request-ID": "portal-42.a"})
        assert given.headers["x-request-id"] == "portal-42.a"
        generated = await client.get("/healthz")
        assert len(generated.headers["x-request-id"]) == 32
        hostile = await client.get("/healthz", headers={"X-Request-ID": 'a b"<script>'})
        assert hostile.headers["x-request-id"] != 'a b"<script>'


async def test_log_lines_are_json_and_carry_the_request_id(capfd: pytest.CaptureFixture) -> None:
    async with running(_app()) as client:
        capfd.readouterr()
        response = await client.post(
            "/things",
            json={"level": "assistant", "as_of": "2022-07-31", "years": 3},
            headers={"X-Request-ID": "trace-7"},
        )
        assert response.status_code == 200
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.strip()]
    mine = [line for line in lines if line.get("message") == "made a thing"]
    assert mine and mine[0]["request_id"] == "trace-7" and mine[0]["service"] == "test"
    access = [line for line in lines if line.get("logger") == "zhicheng.access"]
    assert access[-1]["status"] == 200 and access[-1]["request_id"] == "trace-7"


async def test_exhausted_connection_pool_is_503_not_500() -> None:
    async with running(_app()) as client:
        response = await client.get("/pool-exhausted")
    _is_problem(response, 503, "service-busy")
    assert response.headers["retry-after"] == "5"

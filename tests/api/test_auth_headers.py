"""Security headers on every answer; CORS only for the origins the settings allow."""

from __future__ import annotations

from services.api.config import ApiSettings
from services.api.main import build_app
from tests.api.factories import auth, token
from tests.conftest import Stack
from tests.support import running

H5 = "https://h5.zhicheng.example.gov.cn"


async def test_security_headers_and_cors(stack: Stack) -> None:
    settings = ApiSettings(**stack.settings_kwargs(), cors_allow_origins=[H5])
    async with running(build_app(settings)) as client:
        for r in (
            await client.get("/healthz"),
            await client.get("/v1/declarations"),  # a 401 problem
            await client.get("/v1/declarations", headers=auth(token("applicant"))),
        ):
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["referrer-policy"] == "no-referrer"
            assert "default-src 'none'" in r.headers["content-security-policy"]
            assert r.headers["strict-transport-security"].startswith("max-age=")
        docs = await client.get("/docs")
        # The docs load their assets from this origin only (tests/kit/test_docs.py).
        assert docs.status_code == 200
        assert "default-src 'self'" in docs.headers["content-security-policy"]

        preflight = {
            "Origin": H5,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        }
        r = await client.options("/v1/declarations", headers=preflight)
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == H5
        assert "idempotency-key" in r.headers["access-control-allow-headers"].lower()
        # A browser front end revalidates its copy of the public policy packs.
        cached = {**preflight, "Access-Control-Request-Method": "GET"}
        cached["Access-Control-Request-Headers"] = "if-none-match"
        r = await client.options("/v1/policies", headers=cached)
        assert r.status_code == 200
        assert "if-none-match" in r.headers["access-control-allow-headers"].lower()
        r = await client.get("/v1/declarations", headers={"Origin": H5})
        assert r.headers["access-control-allow-origin"] == H5
        assert "x-request-id" in r.headers["access-control-expose-headers"].lower()

        evil = {**preflight, "Origin": "https://evil.example.com"}
        r = await client.options("/v1/declarations", headers=evil)
        assert r.status_code == 400 and "access-control-allow-origin" not in r.headers
        r = await client.get("/v1/declarations", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in r.headers


async def test_no_cors_unless_configured(stack: Stack) -> None:
    async with running(build_app(ApiSettings(**stack.settings_kwargs()))) as client:
        r = await client.get("/v1/declarations", headers={"Origin": H5})
        assert "access-control-allow-origin" not in r.headers

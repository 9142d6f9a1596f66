"""/docs and /redoc come from the service's own files (services/kit/docs_assets), never
a CDN, and DOCS_ENABLED turns them off (off by default in production)."""

from __future__ import annotations

import hashlib
import re

import pytest

from services.kit.app import create_app
from services.kit.docs import ASSETS
from services.kit.settings import ProcessSettings
from tests.support import running


def _app(**settings):
    return create_app(
        service="probe",
        title="probe",
        description="probe",
        settings=ProcessSettings(**settings),
        checks={},
    )


def test_the_vendored_assets_are_the_ones_the_readme_names() -> None:
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    listed = dict(
        (name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.M)
    )
    assert set(listed) == {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "redoc.standalone.js",
        "favicon.png",
    }
    for name, digest in listed.items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name
    for licence in ("LICENSE-swagger-ui.txt", "LICENSE-redoc.txt", "LICENSE-fastapi-offline.txt"):
        assert (ASSETS / licence).stat().st_size > 500, licence


async def test_the_pages_load_only_from_this_origin() -> None:
    async with running(_app()) as client:
        for page, assets in (
            ("/docs", ["swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"]),
            ("/redoc", ["redoc.standalone.js", "favicon.png"]),
        ):
            r = await client.get(page)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
            # Every script, style and icon the page names is a path of this service.
            urls = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', r.text)
            urls += re.findall(r"url:\s*'([^']+)'", r.text)
            assert urls and all(u.startswith("/") for u in urls), urls
            assert not re.search(r"https?://", r.text.replace("http://www.w3.org", "")), page
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "http" not in csp
            for name in assets:
                assert f"/docs/assets/{name}" in r.text, (page, name)
                got = await client.get(f"/docs/assets/{name}")
                assert got.status_code == 200, name
                assert got.content == (ASSETS / name).read_bytes()
        assert (await client.get("/docs/oauth2-redirect")).status_code == 200
        assert (await client.get("/docs/assets/../settings.py")).status_code == 404


@pytest.mark.parametrize(
    "settings", [{"docs_enabled": False}, {"environment": "test", "docs_enabled": False}]
)
async def test_docs_enabled_false_turns_them_off(settings: dict) -> None:
    async with running(_app(**settings)) as client:
        for path in ("/docs", "/redoc", "/docs/oauth2-redirect", "/docs/assets/swagger-ui.css"):
            assert (await client.get(path)).status_code == 404, path
        # The contract stays: portals generate their clients from it.
        assert (await client.get("/openapi.json")).status_code == 200


def test_production_serves_no_docs_unless_asked() -> None:
    assert ProcessSettings(environment="production").docs_on is False
    assert ProcessSettings(environment="production", docs_enabled=True).docs_on is True
    assert ProcessSettings().docs_on is True

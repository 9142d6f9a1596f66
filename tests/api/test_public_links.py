"""Download links work from outside the cluster: the document service signs them for
S3_PUBLIC_ENDPOINT (here a real reverse proxy on a port of its own, keeping the Host
header), and a client that can reach only that address fetches the file."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import httpx
import pytest

from services.api.config import ApiSettings
from services.api.main import build_app
from tests.api.factories import auth, drafted, upload_scan
from tests.conftest import Stack
from tests.public_proxy import OnlyTo, public_proxy
from tests.support import PRODUCTION_SERVICE_TOKEN_KEYS, running


@pytest.fixture(scope="module")
def public_store(stack: Stack):
    with public_proxy(stack.s3_endpoint) as (url, hosts):
        yield url, hosts


@pytest.fixture(scope="module")
def public_documents_url(stack: Stack, uvicorn_service, public_store) -> str:
    env = stack.env(SWEEP_INTERVAL_SECONDS="0", S3_PUBLIC_ENDPOINT=public_store[0])
    return uvicorn_service("services.documents.main:app", env)


@pytest.fixture
async def gateway(stack: Stack, rules_url: str, public_documents_url: str):
    settings = ApiSettings(
        **stack.settings_kwargs(), rules_url=rules_url, documents_url=public_documents_url
    )
    async with running(build_app(settings)) as c:
        yield c


async def test_a_download_link_names_the_public_address_and_works_from_outside(
    gateway, stack: Stack, public_store
) -> None:
    public, hosts = public_store
    _tree, _campaign, applicant, did = await drafted(gateway, label="公网链接")
    r = await upload_scan(gateway, did, applicant, kind="title_certificate", seed=5)
    assert r.status_code == 201, r.text
    doc = r.json()

    r = await gateway.get(
        f"/v1/declarations/{did}/documents/{doc['id']}/download", headers=auth(applicant)
    )
    assert r.status_code == 200, r.text
    link = r.json()["url"]
    assert urlsplit(link).netloc == urlsplit(public).netloc, link
    assert urlsplit(stack.s3_endpoint).netloc not in link

    async with httpx.AsyncClient(transport=OnlyTo(public)) as phone:
        fetched = await phone.get(link)
        assert fetched.status_code == 200, fetched.text
        assert hashlib.sha256(fetched.content).hexdigest() == doc["stored_sha256"]
        # The phone cannot reach the store's internal address at all.
        with pytest.raises(httpx.ConnectError):
            await phone.get(stack.s3_endpoint)
    assert hosts[-1] == urlsplit(public).netloc  # the proxy kept the Host it was sent

    # The signature covers the public host: the same link sent to the internal address
    # (from inside) is refused by the store, and a changed query is refused through the proxy.
    internal = link.replace(public, stack.s3_endpoint)
    async with httpx.AsyncClient() as inside:
        assert (await inside.get(internal)).status_code == 403
        tampered = link.replace("X-Amz-Expires=", "X-Amz-Expires=1")
        assert (await inside.get(tampered)).status_code == 403


def test_production_wants_an_https_public_address() -> None:
    from pydantic import ValidationError

    from services.documents.config import DocumentsSettings

    strong = {
        "environment": "production",
        "database_url": "postgresql+asyncpg://app:a-long-enough-password-0123@db/z",
        "s3_access_key": "documents-service",
        "s3_secret_key": "s" * 40,
        **PRODUCTION_SERVICE_TOKEN_KEYS,
    }
    for bad in ("", "http://files.example"):
        with pytest.raises(ValidationError, match="S3_PUBLIC_ENDPOINT"):
            DocumentsSettings(**strong, s3_public_endpoint=bad)
    ok = DocumentsSettings(**strong, s3_public_endpoint="https://files.example")
    assert ok.s3_public_endpoint == "https://files.example"

"""The eligibility and document services answer the gateway only.

Both run as real processes under uvicorn. A direct call without a service token, or with
one that is badly signed, expired, for the other service, longer-lived than the gateway
issues, or unsigned (`alg: none`), is 401 problem+json; the probes and metrics need none.
A gateway holding the right keys gets its answers; one holding a wrong key answers its
callers 503 (the service is unusable to it), never the service's 401.
"""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.auth import Principal, issue_token
from services.kit.problems import PROBLEM_MEDIA_TYPE
from services.kit.service_tokens import (
    DOCUMENTS_AUDIENCE,
    ISSUER,
    RULES_AUDIENCE,
    ServiceAuth,
    issue,
)
from services.kit.settings import DEV_DOCUMENTS_SERVICE_KEY, DEV_JWT_SECRET, DEV_RULES_SERVICE_KEY
from tests.conftest import Stack
from tests.documents import corpus
from tests.support import EVALUATE_CASE, running

OTHER_KEY = "an-attacker-chosen-key-of-32-characters-or-more"
BODY_CAP = 4096
REFUSED = "urn:zhicheng:problem:service-token-refused"


@pytest.fixture(scope="module")
def services(stack: Stack, uvicorn_service) -> dict[str, str]:
    # A small body cap, to show the token is checked before any body is read.
    env = stack.env(SWEEP_INTERVAL_SECONDS="0", MAX_BODY_BYTES=str(BODY_CAP))
    return {
        "rules": uvicorn_service("services.rules.main:app", env),
        "documents": uvicorn_service("services.documents.main:app", env),
    }


# A route of each service, called as the gateway calls it.
ROUTES = {
    "rules": ("POST", "/v1/evaluate", {"json": EVALUATE_CASE}),
    "documents": ("GET", "/v1/kinds", {}),
}
KEYS = {"rules": DEV_RULES_SERVICE_KEY, "documents": DEV_DOCUMENTS_SERVICE_KEY}
AUDIENCES = {"rules": RULES_AUDIENCE, "documents": DOCUMENTS_AUDIENCE}


def _bad_tokens(service: str) -> dict[str, str | None]:
    key, audience = KEYS[service], AUDIENCES[service]
    other = "documents" if service == "rules" else "rules"
    now = int(time.time())
    unsigned = jwt.encode(
        {"iss": ISSUER, "aud": audience, "iat": now, "exp": now + 30}, None, algorithm="none"
    )
    return {
        "none": None,
        "not a jwt": "not-a-token",
        "another key": issue(OTHER_KEY, audience),
        "expired": issue(key, audience, ttl_seconds=-60),
        # The other service's token, signed with the other service's key.
        "the other service's": issue(KEYS[other], AUDIENCES[other]),
        # Right key, wrong audience: a token for the other service signed with this key.
        "wrong audience": issue(key, AUDIENCES[other]),
        "longer than 60 s": issue(key, audience, ttl_seconds=3600),
        "alg none": unsigned,
        "a user's access token": issue_token(
            Principal(sub="a1", role="applicant"), secret=DEV_JWT_SECRET
        ),
    }


@pytest.mark.parametrize("service", ["rules", "documents"])
async def test_a_direct_call_without_the_gateways_token_is_refused(
    services: dict[str, str], service: str
) -> None:
    method, path, kwargs = ROUTES[service]
    async with httpx.AsyncClient(base_url=services[service], timeout=30) as client:
        for label, token in _bad_tokens(service).items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await client.request(method, path, headers=headers, **kwargs)
            assert response.status_code == 401, (label, response.text)
            assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE, label
            assert response.json()["type"] == REFUSED, label
            assert response.headers["www-authenticate"].startswith("Bearer"), label
        # A token of the gateway's, for this service: answered.
        good = {"Authorization": "Bearer " + issue(KEYS[service], AUDIENCES[service])}
        response = await client.request(method, path, headers=good, **kwargs)
        assert response.status_code == 200, response.text
        # Probes need no token (/metrics is served on its own port, never this one).
        for probe in ("/healthz", "/readyz"):
            assert (await client.get(probe)).status_code == 200, probe
        # Without a token nothing else is answered: not which paths exist, nor the body
        # (over the cap: the caller's 401 comes first, the gateway's 413).
        unknown = await client.get("/v1/nothing-here")
        assert unknown.status_code == 401 and unknown.json()["type"] == REFUSED
        big = b"[" + b"0," * BODY_CAP + b"0]"
        plain = {"Content-Type": "application/json"}
        assert (await client.post(path, content=big, headers=plain)).status_code == 401
        over = await client.post(path, content=big, headers={**plain, **good})
        assert over.status_code == 413, over.text


async def test_an_upload_straight_to_the_document_service_stores_nothing(
    services: dict[str, str],
) -> None:
    declaration = "a" * 32
    files = {"file": ("scan.jpg", corpus.clean_scan(3), "image/jpeg")}
    async with httpx.AsyncClient(base_url=services["documents"], timeout=30) as client:
        forged = await client.post(
            f"/v1/declarations/{declaration}/documents",
            data={"kind": "title_certificate"},
            files=files,
            headers={"Authorization": "Bearer " + issue(OTHER_KEY, DOCUMENTS_AUDIENCE)},
        )
        assert forged.status_code == 401, forged.text
    auth = ServiceAuth(DEV_DOCUMENTS_SERVICE_KEY, DOCUMENTS_AUDIENCE)
    async with httpx.AsyncClient(base_url=services["documents"], auth=auth) as gateway:
        listed = await gateway.get(f"/v1/declarations/{declaration}/documents")
        assert listed.status_code == 200 and listed.json() == []


async def test_the_gateway_path_works_and_a_wrong_key_is_a_503(
    stack: Stack, services: dict[str, str]
) -> None:
    user = {
        "Authorization": "Bearer "
        + issue_token(Principal(sub="a1", role="applicant"), secret=DEV_JWT_SECRET)
    }
    right = ApiSettings(**stack.settings_kwargs(), rules_url=services["rules"])
    async with running(build_app(right)) as client:
        ok = await client.post("/v1/eligibility/evaluate", json=EVALUATE_CASE, headers=user)
        assert ok.status_code == 200, ok.text
    wrong = ApiSettings(
        **stack.settings_kwargs(), rules_url=services["rules"], rules_service_key=OTHER_KEY
    )
    async with running(build_app(wrong)) as client:
        refused = await client.post("/v1/eligibility/evaluate", json=EVALUATE_CASE, headers=user)
        assert refused.status_code == 503, refused.text
        assert refused.json()["type"] == "urn:zhicheng:problem:rules-unavailable"

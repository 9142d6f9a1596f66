"""The eligibility and document services answer the gateway only.

Both run as real processes under uvicorn, holding only the public half of the gateway's
Ed25519 service-token key. A direct call without a service token, or with one that is
signed by another key, expired, for the other service, longer-lived than the gateway
issues, unsigned (`alg: none`), or an HS256 token "signed" with the public key as its HMAC
secret (the algorithm-confusion attack open to anyone who can read the public key), is
401 problem+json; the probes and metrics need none. A gateway holding the right key gets
its answers; one holding a wrong key answers its callers 503 (the service is unusable to
it), never the service's 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.auth import Principal, issue_token
from services.kit.problems import PROBLEM_MEDIA_TYPE
from services.kit.service_tokens import (
    DEV_SERVICE_TOKEN_PUBLIC_KEY,
    DOCUMENTS_AUDIENCE,
    ISSUER,
    RULES_AUDIENCE,
    ServiceAuth,
    issue,
    private_key_setting,
)
from services.kit.settings import DEV_JWT_SECRET
from tests.conftest import Stack
from tests.documents import corpus
from tests.support import EVALUATE_CASE, GATEWAY_KEY, running

# An Ed25519 key of an attacker's: a well-formed token, but not the gateway's signature.
OTHER_KEY = ed25519.Ed25519PrivateKey.generate()
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
AUDIENCES = {"rules": RULES_AUDIENCE, "documents": DOCUMENTS_AUDIENCE}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _hs256_forged(audience: str, secret: bytes) -> str:
    """An HS256 token whose HMAC key is `secret`, assembled by hand (PyJWT itself refuses
    to use a PEM public key as an HMAC secret; an attacker's tool does not)."""
    now = int(time.time())
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"iss": ISSUER, "sub": "gateway", "aud": audience, "iat": now, "exp": now + 30}
    payload = _b64url(json.dumps(claims).encode())
    signed = f"{header}.{payload}".encode()
    return f"{header}.{payload}." + _b64url(hmac.new(secret, signed, hashlib.sha256).digest())


def _public_key_forms() -> dict[str, bytes]:
    """Every form in which the gateway's public key is known (the services' setting, PEM,
    DER, raw): each one tried as an HMAC secret."""
    der = base64.b64decode(DEV_SERVICE_TOKEN_PUBLIC_KEY)
    public = serialization.load_der_public_key(der)
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {
        "setting": DEV_SERVICE_TOKEN_PUBLIC_KEY.encode(),
        "pem": pem,
        "der": der,
        "raw": raw,
    }


def _bad_tokens(service: str) -> dict[str, str | None]:
    key, audience = GATEWAY_KEY, AUDIENCES[service]
    other = "documents" if service == "rules" else "rules"
    now = int(time.time())
    unsigned = jwt.encode(
        {"iss": ISSUER, "aud": audience, "iat": now, "exp": now + 30}, None, algorithm="none"
    )
    forged = {
        f"HS256 with the public key ({form}) as secret": _hs256_forged(audience, secret)
        for form, secret in _public_key_forms().items()
    }
    return {
        "none": None,
        "not a jwt": "not-a-token",
        "another key": issue(OTHER_KEY, audience),
        "expired": issue(key, audience, ttl_seconds=-60),
        # The gateway's own token, but for the other service.
        "wrong audience": issue(key, AUDIENCES[other]),
        "longer than 60 s": issue(key, audience, ttl_seconds=3600),
        "alg none": unsigned,
        **forged,
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
        good = {"Authorization": "Bearer " + issue(GATEWAY_KEY, AUDIENCES[service])}
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
    auth = ServiceAuth(GATEWAY_KEY, DOCUMENTS_AUDIENCE)
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
        **stack.settings_kwargs(),
        rules_url=services["rules"],
        service_token_private_key=private_key_setting(OTHER_KEY),
    )
    async with running(build_app(wrong)) as client:
        refused = await client.post("/v1/eligibility/evaluate", json=EVALUATE_CASE, headers=user)
        assert refused.status_code == 503, refused.text
        assert refused.json()["type"] == "urn:zhicheng:problem:rules-unavailable"

"""The client address behind an ingress, seen by a real gateway process under uvicorn.

X-Forwarded-For counts only when the direct peer is in TRUSTED_PROXIES (the peer here is
always 127.0.0.1): from an untrusted peer a forged header is ignored, so per-address
limits and sign-in audit rows see the peer; from a trusted one the list is walked from
the right, skipping trusted hops. The gateways get a Valkey of their own, so the per-address
counters start at zero and no other test's calls count against them.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlmodel import select

from scripts.servers import Valkey, free_port
from services.api.models import SignInEvent
from services.kit.proxies import client_address, parse_networks
from tests.conftest import Stack

VERIFY = "/v1/public/results-postings/verification"
CHECKS_PER_MINUTE = 30  # services/api/results/router.py


@pytest.fixture(scope="module")
def valkey(stack: Stack):
    server = Valkey(stack.workdir / f"valkey-ip-{uuid.uuid4().hex[:6]}", free_port(), persist=False)
    yield server.start()
    server.stop(grace=3)


def _gateway(stack: Stack, uvicorn_service, valkey: Valkey, trusted: str) -> str:
    env = stack.env(REDIS_URL=valkey.url, TRUSTED_PROXIES=trusted)
    return uvicorn_service("services.api.main:app", env)


async def _check(client: httpx.AsyncClient, forwarded: str) -> int:
    response = await client.post(
        VERIFY, content=b"not a posting", headers={"X-Forwarded-For": forwarded}
    )
    assert response.status_code != 500, response.text
    return response.status_code


async def _signed_in_from(client: httpx.AsyncClient, maker, forwarded: str) -> str | None:
    """The address the sign-in audit row records for a failed staff sign-in."""
    username = f"nobody-{uuid.uuid4().hex[:10]}"
    response = await client.post(
        "/v1/auth/staff-logins",
        json={"username": username, "password": "wrong-password"},
        headers={"X-Forwarded-For": forwarded},
    )
    assert response.status_code == 401, response.text
    async with maker() as session:
        query = select(SignInEvent.ip).where(SignInEvent.subject == username)
        return (await session.exec(query)).one()


async def test_a_forged_header_from_an_untrusted_peer_is_ignored(
    stack: Stack, uvicorn_service, valkey: Valkey, maker
) -> None:
    # Trusting only the ingress network: the 127.0.0.1 peer is not a proxy of ours.
    base = _gateway(stack, uvicorn_service, valkey, "10.0.0.0/8")
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        # Each call claims another address; all count against the peer's one budget.
        for n in range(CHECKS_PER_MINUTE):
            assert await _check(client, f"203.0.113.{n + 1}") != 429
        assert await _check(client, "198.51.100.200") == 429
        assert await _signed_in_from(client, maker, "203.0.113.99") == "127.0.0.1"


async def test_a_trusted_peer_gives_the_real_client(
    stack: Stack, uvicorn_service, valkey: Valkey, maker
) -> None:
    base = _gateway(stack, uvicorn_service, valkey, "127.0.0.1/32, 10.0.0.0/8")
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(CHECKS_PER_MINUTE):
            assert await _check(client, "192.0.2.10") != 429
        assert await _check(client, "192.0.2.10") == 429
        # Another client behind the same ingress has a budget of its own.
        assert await _check(client, "192.0.2.11") != 429
        # The walk from the right skips the trusted hop (10.1.2.3) and stops at the first
        # address not ours: what the caller wrote to its left (a forged 1.2.3.4) is ignored.
        forwarded = "1.2.3.4, 192.0.2.20, 10.1.2.3"
        assert await _signed_in_from(client, maker, forwarded) == "192.0.2.20"


def test_the_walk_from_the_right() -> None:
    trusted = parse_networks("10.0.0.0/8, 127.0.0.1")
    assert client_address("203.0.113.5", ["1.2.3.4"], trusted) == "203.0.113.5"
    assert client_address("127.0.0.1", [], trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", ["1.2.3.4, 192.0.2.1"], trusted) == "192.0.2.1"
    # Two header lines are one list; ports and IPv6 brackets are read.
    assert client_address("10.0.0.1", ["192.0.2.1:5000", "10.2.2.2"], trusted) == "192.0.2.1"
    assert client_address("10.0.0.1", ["[2001:db8::1]:443"], trusted) == "2001:db8::1"
    # Garbage stops the walk at the last trusted hop; it never becomes the address.
    assert client_address("10.0.0.1", ["evil, 10.9.9.9"], trusted) == "10.9.9.9"
    # Only trusted hops: the leftmost of them is the client.
    assert client_address("10.0.0.1", ["10.3.3.3, 10.4.4.4"], trusted) == "10.3.3.3"
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_networks("10.0.0.0/8, ingress.local")

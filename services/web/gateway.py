"""Calls to the gateway's public API on behalf of the person signed in.

The access token goes as a Bearer token; when the gateway answers 401 and a refresh token
is held, the pair is refreshed once (POST /v1/auth/refresh, each use returns a new one)
and the call repeated. A problem+json answer becomes `GatewayProblem`, whose Chinese
`detail` (and `errors`, `findings`) the pages show as they are.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from fastapi import Request

from services.web.session import Session


class GatewayProblem(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body
        self.detail = str(body.get("detail") or body.get("title") or f"请求未成功（{status}）")
        self.type = str(body.get("type") or "")
        super().__init__(self.detail)

    @property
    def code(self) -> str:
        return self.type.rsplit(":", 1)[-1]


class SignInNeeded(Exception):
    """No session, or one the gateway no longer accepts: the person signs in again."""


def _problem(r: httpx.Response) -> GatewayProblem:
    try:
        body = r.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return GatewayProblem(r.status_code, body)


class Gateway:
    """One request's view of the gateway: its session and the caller's address."""

    def __init__(self, client: httpx.AsyncClient, request: Request, session: Session) -> None:
        self.client = client
        self.session = session
        # A page asks several things at once: one refresh serves all of them (a refresh
        # token used twice would end the session).
        self._refreshing = asyncio.Lock()
        # The gateway's per-address limits (SMS codes) count the person, not this process:
        # it reads X-Forwarded-For from the peers in its TRUSTED_PROXIES (kit/proxies.py).
        self.forwarded = request.client.host if request.client else None

    def _headers(self, auth: bool, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.forwarded:
            headers["X-Forwarded-For"] = self.forwarded
        if auth:
            if not self.session.access:
                raise SignInNeeded
            headers["Authorization"] = f"Bearer {self.session.access}"
        return headers

    async def _send(self, method: str, path: str, headers: dict[str, str], **kw) -> httpx.Response:
        try:
            return await self.client.request(method, path, headers=headers, **kw)
        except httpx.TransportError:
            # The gateway did not answer: a page saying so, never a 500.
            raise GatewayProblem(
                503, {"detail": "系统暂时无法连接，请稍后再试。", "type": "gateway-unavailable"}
            ) from None

    async def raw(
        self, method: str, path: str, *, auth: bool = True, headers: dict | None = None, **kw
    ) -> httpx.Response:
        used = self.session.access
        r = await self._send(method, path, self._headers(auth, headers), **kw)
        if r.status_code == 401 and auth:
            async with self._refreshing:
                if self.session.access == used:  # not refreshed meanwhile by another call
                    await self._refresh()
            r = await self._send(method, path, self._headers(auth, headers), **kw)
            if r.status_code == 401:
                self.session.sign_out()
                raise SignInNeeded
        return r

    async def _refresh(self) -> None:
        if not self.session.refresh:
            self.session.sign_out()
            raise SignInNeeded
        r = await self._send(
            "POST",
            "/v1/auth/refresh",
            self._headers(False, None),
            json={"refresh_token": self.session.refresh},
        )
        if r.status_code != 200:
            self.session.sign_out()
            raise SignInNeeded
        pair = r.json()
        self.session.access = pair["access_token"]
        self.session.refresh = pair.get("refresh_token") or self.session.refresh
        self.session.changed = True

    async def call(self, method: str, path: str, **kw) -> httpx.Response:
        """A call that must succeed (2xx/304); otherwise its problem is raised."""
        r = await self.raw(method, path, **kw)
        if r.status_code >= 400:
            raise _problem(r)
        return r

    async def get(self, path: str, **kw) -> Any:
        return (await self.call("GET", path, **kw)).json()

    async def send(self, method: str, path: str, body: Any = None, **kw) -> httpx.Response:
        """A write: JSON body and a fresh Idempotency-Key (a form posted twice by the
        browser is two intents; the gateway's replay guard is for retried requests)."""
        headers = {"Idempotency-Key": uuid.uuid4().hex, **(kw.pop("headers", None) or {})}
        return await self.call(
            method, path, json=body if body is not None else {}, headers=headers, **kw
        )

"""httpx client for the eligibility service."""

from __future__ import annotations

from typing import Any

import httpx

from services.kit.logs import request_id_var
from services.kit.problems import ProblemError


def make_client(base_url: str, timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=timeout)


def _unavailable() -> ProblemError:
    return ProblemError(
        503,
        "rules-unavailable",
        "资格评估服务暂不可用，请稍后再试。",
        title="Eligibility service unavailable",
        headers={"Retry-After": "5"},
    )


async def forward(
    client: httpx.AsyncClient, method: str, path: str, *, json: Any = None, params: Any = None
) -> httpx.Response:
    """Call the eligibility service, passing the request id along; 503 when it is down."""
    headers = {}
    if rid := request_id_var.get():
        headers["X-Request-ID"] = rid
    try:
        response = await client.request(method, path, json=json, params=params, headers=headers)
    except httpx.TransportError as exc:
        raise _unavailable() from exc
    if response.status_code >= 500:
        raise _unavailable()
    return response

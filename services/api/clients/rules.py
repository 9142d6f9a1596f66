"""httpx client for the eligibility service."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.kit.clients import tls_context
from services.kit.logs import request_id_var
from services.kit.problem_kinds import Problem
from services.kit.problems import ProblemError
from services.kit.service_tokens import RULES_AUDIENCE, ServiceAuth

log = logging.getLogger("zhicheng.api.rules")


class EligibilityRequestInvalid(Problem):
    status = 422
    code = "eligibility-request-invalid"
    title = "Eligibility facts invalid"
    text = "申报人资格信息（applicant_facts）不完整或格式有误，资格评估服务无法评估：…"


class RouteRequestInvalid(Problem):
    status = 422
    code = "route-request-invalid"
    title = "Route not resolvable"
    text = "无法解析该申报的评委会与上报链路：…"


class CommitteeQueryInvalid(Problem):
    status = 422
    code = "committee-query-invalid"
    title = "Committee query invalid"
    text = "评委会查询条件有误：…"


class RulesUnavailable(Problem):
    status = 503
    code = "rules-unavailable"
    title = "Eligibility service unavailable"
    text = "资格评估服务暂不可用，请稍后再试。"


def make_client(base_url: str, key: Ed25519PrivateKey, timeout: float) -> httpx.AsyncClient:
    # Every call carries a service token signed with SERVICE_TOKEN_PRIVATE_KEY.
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        auth=ServiceAuth(key, RULES_AUDIENCE),
        verify=tls_context(),
    )


def _unavailable() -> ProblemError:
    return RulesUnavailable(headers={"Retry-After": "5"})


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
    if response.status_code == 401:
        # The service refused the gateway's token: the key pair differs between them.
        # The caller did nothing wrong, and must not read it as their own sign-in failing.
        log.error("the eligibility service refused the gateway's service token")
        raise _unavailable()
    return response


async def _post(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], kind: type[Problem]
) -> dict[str, Any]:
    """POST a body the eligibility service answers; a body it refuses is the 422 `kind`
    whose text ends (where its `…` stands) with the service's own reason."""
    response = await forward(client, "POST", path, json=body)
    if response.status_code == 200:
        return response.json()
    try:
        upstream = response.json()
    except ValueError:
        upstream = {}
    reason = str(upstream.get("detail") or response.status_code)
    raise kind(kind.text.removesuffix("…") + reason, errors=upstream.get("errors", []))


async def evaluate(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/evaluate` (DESIGN.md "The eligibility contract"); a refused body is a 422."""
    return await _post(
        client,
        "/v1/evaluate",
        body,
        EligibilityRequestInvalid,
    )


async def committees(client: httpx.AsyncClient, params: dict[str, str]) -> list[dict[str, Any]]:
    """`GET /v1/committees`: the committees a region × series × level resolves to."""
    response = await forward(client, "GET", "/v1/committees", params=params)
    if response.status_code == 200:
        return response.json()
    if response.status_code == 404:
        return []
    reason = str(response.json().get("detail", response.status_code))
    raise CommitteeQueryInvalid(CommitteeQueryInvalid.text.removesuffix("…") + reason)


async def policies(client: httpx.AsyncClient, params: dict[str, str]) -> list[dict[str, Any]]:
    """`GET /v1/policies`: the packs (with region, series and as_of: the one in force)."""
    response = await forward(client, "GET", "/v1/policies", params=params)
    if response.status_code != 200:
        raise _unavailable()
    return response.json()


async def policy(client: httpx.AsyncClient, policy_id: str) -> dict[str, Any] | None:
    """`GET /v1/policies/{id}`: one pack in full (clauses with their references); None if
    the eligibility service has no such pack."""
    response = await forward(client, "GET", f"/v1/policies/{policy_id}")
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise _unavailable()
    return response.json()


async def policy_in_force(
    client: httpx.AsyncClient, *, region: str, series: str, on: str
) -> dict[str, Any] | None:
    """The pack in force for a region and series on a date (YYYY-MM-DD), or None."""
    found = await policies(client, {"region": region, "series": series, "as_of": on})
    return found[0] if found else None


async def route(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/route`: the committee, the series office and the steps and materials the
    routing rules add for one declaration, each with its clause."""
    return await _post(
        client,
        "/v1/route",
        body,
        RouteRequestInvalid,
    )

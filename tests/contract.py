"""The answers the tests receive, held against the answering app's OpenAPI document.

Every client `tests/support.running` gives records each answer here: its status must be
documented on the operation, a problem's `type` listed there (an example of that status's
problem+json, or `validation-error` on a 422 of an operation with input), and each of
ETag, Location, Retry-After and X-Request-ID it carries documented on that answer.
`assert_documented` checks one answer at once; `undocumented()` is what a whole run met
(tests/conftest.py prints it at the end, and fails the run under ZHICHENG_CONTRACT=strict).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import httpx

PROBLEM_PREFIX = "urn:zhicheng:problem:"
WATCHED = ("etag", "location", "retry-after", "x-request-id")
_FOUND: dict[str, set[str]] = {}


@cache
def _templates(spec_id: int, paths: tuple[str, ...]) -> list[tuple[re.Pattern, str]]:
    # Literal segments before parameters: /v1/x/y matches /v1/x/y, not /v1/x/{id}.
    ordered = sorted(paths, key=lambda p: (p.count("{"), -len(p)))
    return [(re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$"), p) for p in ordered]


def operation_of(spec: dict, method: str, path: str) -> tuple[str, dict] | None:
    paths = spec.get("paths", {})
    for pattern, template in _templates(id(spec), tuple(paths)):
        if pattern.match(path):
            operation = paths[template].get(method.lower())
            return (template, operation) if operation is not None else None
    return None


def problems_of(operation: dict, status: str) -> set[str] | None:
    """The types listed on an answer (None: the status is not documented)."""
    answer = operation.get("responses", {}).get(status)
    if answer is None:
        return None
    media = answer.get("content", {}).get("application/problem+json", {})
    codes = set(media.get("examples", {}))
    codes |= set(re.findall(r"urn:zhicheng:problem:([a-z0-9-]+)", answer.get("description", "")))
    return codes


def faults(spec: dict, response: httpx.Response) -> list[str]:
    """What this answer shows that its operation does not document."""
    request = response.request
    found = operation_of(spec, request.method, request.url.path)
    if found is None:
        return []  # not a route of the document (an unknown path's 404, /metrics)
    template, operation = found
    where = f"{request.method} {template} {response.status_code}"
    status = str(response.status_code)
    answer = operation.get("responses", {}).get(status)
    if answer is None:
        return [f"{where}: status not documented"]
    out = []
    listed = {k.lower() for k in answer.get("headers", {})}
    sent = {h for h in WATCHED if h in response.headers}
    if missing := sorted(sent - listed):
        out.append(f"{where}: sends {', '.join(missing)} undocumented")
    ctype = response.headers.get("content-type", "")
    if response.status_code >= 400 and ctype.startswith("application/problem+json"):
        try:
            code = str(response.json().get("type", "")).removeprefix(PROBLEM_PREFIX)
        except ValueError:
            return out
        if code not in (problems_of(operation, status) or set()):
            out.append(f"{where}: type {code} not listed")
    return out


def record(spec: dict, response: httpx.Response) -> None:
    for fault in faults(spec, response):
        _FOUND.setdefault(fault, set()).add(response.request.url.path)


def undocumented() -> dict[str, set[str]]:
    return _FOUND


def assert_documented(spec: dict, response: httpx.Response) -> None:
    problems = faults(spec, response)
    assert not problems, problems


# The services whose documents are published (openapi/*.json); an app a test builds for
# itself (a bare create_app with a route of its own) publishes nothing.
PUBLISHED = (
    "zhicheng gateway",
    "zhicheng eligibility service",
    "zhicheng document service",
    "zhicheng notify worker",
)


# Documents already built, by app and routes: building the gateway's takes seconds, and
# most tests build an app of their own with the same routes.
_SPECS: dict[tuple, dict] = {}


def _spec_of(app: Any) -> dict:
    routes = tuple(
        sorted(
            (getattr(r, "path", ""), tuple(sorted(getattr(r, "methods", None) or ())))
            for r in app.routes
        )
    )
    key = (app.title, routes)
    if key not in _SPECS:
        _SPECS[key] = app.openapi()
    return _SPECS[key]


def recorder(app: Any):
    """An httpx response hook recording each answer of `app` against its document."""

    async def hook(response: httpx.Response) -> None:
        if getattr(app, "title", None) not in PUBLISHED:
            return
        spec = _spec_of(app)
        await response.aread()
        record(spec, response)

    return hook

"""Deprecating a route of /v1 (the policy: README.md, "Versions and deprecation").

A route to be removed is marked with `**deprecated(since=…, sunset=…, instead=…)` in its
decorator. From then on every answer it gives, errors included, carries

    Deprecation: @<since, Unix seconds>        (RFC 9745, a Structured Field Date)
    Sunset: <sunset, an HTTP-date>             (RFC 8594)
    Link: <instead>; rel="successor-version"   (when a replacement exists)

and its OpenAPI operation is `deprecated: true`, with `x-sunset` and the headers documented
on each of its answers. After the sunset date the route may be removed; never before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

from starlette.types import Scope

# The least time between announcing a deprecation and removing the route (the policy).
MIN_NOTICE_DAYS = 180

HEADERS_DOC = {
    "Deprecation": {
        "description": "RFC 9745: this operation is deprecated since the date given "
        "(`@` and Unix seconds).",
        "schema": {"type": "string", "example": "@1767225600"},
    },
    "Sunset": {
        "description": "RFC 8594: the operation may be removed after this HTTP-date.",
        "schema": {"type": "string", "example": "Wed, 01 Jul 2026 00:00:00 GMT"},
    },
}


def deprecated(*, since: date, sunset: date, instead: str | None = None) -> dict[str, Any]:
    """Keyword arguments for a route decorator that deprecate the route: `since` is the
    day it was announced, `sunset` the first day it may be gone (at least MIN_NOTICE_DAYS
    later), `instead` the path of its replacement, if any."""
    if (sunset - since).days < MIN_NOTICE_DAYS:
        raise ValueError(f"a sunset needs {MIN_NOTICE_DAYS} days' notice: {since} → {sunset}")
    extra = {"x-deprecated-since": since.isoformat(), "x-sunset": sunset.isoformat()}
    if instead:
        extra["x-successor"] = instead
    return {"deprecated": True, "openapi_extra": extra}


def _midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)


def headers_for(extra: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """The Deprecation / Sunset / Link headers of a route's `openapi_extra`, or none."""
    if "x-sunset" not in extra:
        return []
    since = int(_midnight(extra["x-deprecated-since"]).timestamp())
    headers = [
        (b"deprecation", f"@{since}".encode()),
        (b"sunset", format_datetime(_midnight(extra["x-sunset"]), usegmt=True).encode()),
    ]
    if successor := extra.get("x-successor"):
        headers.append((b"link", f'<{successor}>; rel="successor-version"'.encode()))
    return headers


def route_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The headers of the route the router matched, if it is deprecated: read by the
    request pass (services/kit/edge.py) when the answer starts, errors included."""
    return headers_for(getattr(scope.get("route"), "openapi_extra", None) or {})


def document_deprecations(schema: dict[str, Any]) -> None:
    """On each deprecated operation: its answers document the headers, its description
    says when it goes."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "x-sunset" not in operation:
                continue
            since, sunset = operation["x-deprecated-since"], operation["x-sunset"]
            note = f"已弃用（自 {since} 起），{sunset} 后可能移除"
            if successor := operation.get("x-successor"):
                note += f"，请改用 {successor}"
            operation["description"] = (note + "。\n\n" + operation.get("description", "")).strip()
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {}).update(HEADERS_DOC)

"""A documented route's most frequent request, answered without FastAPI's per-request work.

FastAPI spends about 150 µs of CPU on every request between the router and the endpoint:
walking its included routers (matching twice), solving the dependencies, opening its exit
stacks, wrapping the endpoint. For the read every front end polls (a declaration's GET)
that was a third of the gateway's CPU per request, more than the endpoint itself.

A `LeanRoute` stands in front of the routers and takes only the requests it answers
exactly as its documented route would: that route's method and path, each parameter in
the one form the route's validation accepts without a doubt (a UUID as 36 lower-case hex
digits and hyphens, say). Anything else (another method, another form of the id) goes on
to the documented route, whose validation and errors answer it as before. The handler is
given the request and the parsed parameters and calls the same functions the documented
endpoint calls. What it raises is rendered by the app's exception handlers (the router
sits inside Starlette's ExceptionMiddleware), and the request pass adds its headers,
metrics and span as for any route: `scope["route"]` is the documented route, so the
metrics' route label, a portal's scope check and deprecation headers read the same route.

The OpenAPI document knows only the documented route (a LeanRoute is not an APIRoute).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

Handler = Callable[..., Awaitable[Response]]
# A path parameter's parser: its value, or None where the lean route does not vouch for
# the form (the documented route then answers, valid or not).
Parser = Callable[[str], Any]

# The scope key under which `matches` hands `handle` the parameters it parsed.
_VALUES = "zhicheng.lean_values"

_CANONICAL_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
).fullmatch


def canonical_uuid(value: str) -> uuid.UUID | None:
    """A UUID written as UUIDs are written in our answers (lower case, hyphenated): the
    form FastAPI's `uuid.UUID` parameter accepts with no doubt. Other forms it may also
    accept (upper case, no hyphens, braces) are left to it."""
    return uuid.UUID(value) if _CANONICAL_UUID(value) else None


class LeanRoute(BaseRoute):
    def __init__(self, documented: APIRoute, handler: Handler, **params: Parser) -> None:
        if set(params) != set(documented.param_convertors):
            raise ValueError(f"{documented.path}: a parser for each path parameter")
        if len(documented.methods) != 1:
            raise ValueError(f"{documented.path}: one method")
        self.documented = documented
        self.handler = handler
        self.params = params
        (self.method,) = documented.methods
        # What routing introspection reads (allowed methods, the route-order test).
        self.path = documented.path
        self.path_format = documented.path_format
        self.name = documented.name
        self.methods = documented.methods

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope.get("method") != self.method:
            return Match.NONE, {}
        found = self.documented.path_regex.fullmatch(scope["path"])
        if found is None:
            return Match.NONE, {}
        given = found.groupdict()
        values = {}
        for name, parse in self.params.items():
            if (value := parse(given[name])) is None:
                return Match.NONE, {}
            values[name] = value
        path_params = {**scope.get("path_params", {}), **given}
        # The parsed values ride in the scope to `handle`: each parameter parsed once.
        child = {"route": self.documented, "path_params": path_params, _VALUES: values}
        return Match.FULL, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive, send), **scope[_VALUES])
        await response(scope, receive, send)


def serve_lean(
    app: FastAPI,
    router: APIRouter,
    endpoint: Callable[..., Any],
    handler: Handler,
    **params: Parser,
) -> None:
    """Put a LeanRoute for `router`'s route of `endpoint` in front of the app's included
    routers (after its own routes: the OpenAPI document and the probes)."""
    documented = [r for r in router.routes if isinstance(r, APIRoute) and r.endpoint is endpoint]
    if len(documented) != 1:
        raise ValueError(f"{endpoint.__qualname__}: not one route of this router")
    routes = app.router.routes
    # The app's own routes have a path; an included router (FastAPI's wrapper) has none.
    first = next((i for i, r in enumerate(routes) if getattr(r, "path", None) is None), 0)
    routes.insert(first, LeanRoute(documented[0], handler, **params))

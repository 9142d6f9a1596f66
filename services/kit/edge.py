"""The one pass every request makes before (and after) the app's routes.

Pure ASGI, one layer, one wrapper of `send`, in this order:

1. the client address from X-Forwarded-For of trusted proxies (services/kit/proxies.py);
2. the request's server span, when traces are on (services/kit/tracing.py);
3. the request id: set for the log lines, echoed in `X-Request-ID`, one access line
   per request; an unhandled error is answered here as a 500 problem carrying it
   (services/kit/logs.py);
4. the security headers on every answer, a 500 rendered here included
   (services/kit/headers.py), and a deprecated route's Deprecation / Sunset headers
   (services/kit/deprecation.py: the router has put the route in the scope by then);
5. CORS for the origins the settings allow, if any (Starlette's, a layer of its own);
6. request metrics by route template (services/kit/metrics.py), refusals below counted;
7. on a service that answers the gateway only, its service token, before the body is
   read (services/kit/service_tokens.py);
8. the input limits: URL, body size, JSON depth and text, path parameters included
   (services/kit/limits.py);
9. a read (GET, HEAD, no body) that met a database connection the database had dropped
   runs once more, on a fresh connection (services/kit/db.py; the DBAPIError handler in
   services/kit/problems.py asks for it). A write is never run twice: it answers 503
   database-unavailable, and the client retries with its Idempotency-Key.

Each step was its own middleware before; one pass does the same work with one
`send` wrapper and one coroutine frame instead of eight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.kit.db import READ_METHODS
from services.kit.deprecation import route_headers
from services.kit.headers import cors_options, security_headers
from services.kit.limits import read_checked, replaying, unstorable_path
from services.kit.logs import access_logger, internal_error_response, request_id_of, request_id_var
from services.kit.metrics import RequestMetrics
from services.kit.problems import RETRY_READ, ProblemError, RetryRead, problem_response
from services.kit.proxies import Network, forward
from services.kit.service_tokens import refusal
from services.kit.tracing import server_span, span_done, span_status

problems_logger = logging.getLogger("zhicheng.problems")
# The response's status as the pass saw it go out (the metrics read it under CORS too).
_STATUS = "zhicheng.status"


class RequestPass:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: RequestMetrics,
        max_body_bytes: int,
        max_json_depth: int,
        trusted: Sequence[Network] = (),
        gateway_only: tuple[Ed25519PublicKey, str] | None = None,
        cors_origins: Sequence[str] = (),
    ) -> None:
        """`gateway_only`: (the service-token public key, the audience) of a service that answers
        the gateway only."""
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.trusted = tuple(trusted)
        self.gateway_only = gateway_only
        self.inner: ASGIApp = self._inner
        if cors_origins:
            self.inner = CORSMiddleware(self._inner, **cors_options(cors_origins))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket" and self.trusted:
                forward(scope, self.trusted)
            await self.app(scope, receive, send)
            return
        if self.trusted:
            forward(scope, self.trusted)
        request_id = request_id_of(scope)
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        scope[_STATUS] = None
        extra = security_headers(scope["path"])
        request_id_header = (b"x-request-id", request_id.encode())
        started = time.perf_counter()
        with server_span(scope) as span:

            async def send_out(message: Message) -> None:
                if message["type"] == "http.response.start":
                    scope[_STATUS] = message["status"]
                    headers = list(message.get("headers", ()))
                    headers.append(request_id_header)
                    present = {k.lower() for k, _ in headers}
                    headers += [(k, v) for k, v in extra if k not in present]
                    headers += route_headers(scope)
                    message = {**message, "headers": headers}
                    if span is not None:
                        span_status(span, message["status"])
                await send(message)

            try:
                await self.inner(scope, receive, send_out)
            except Exception:
                # Rendered here rather than by Starlette's outermost handler, so that the
                # answer and the log line carry the request id.
                problems_logger.exception("unhandled error")
                if scope[_STATUS] is not None:
                    raise
                await internal_error_response(scope, request_id)(scope, receive, send_out)
            finally:
                status = scope[_STATUS]
                access_logger.info(
                    "request",
                    extra={
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": 500 if status is None else status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
                if span is not None:
                    span_done(span, scope)
                request_id_var.reset(token)

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            await self._checked(scope, receive, send)
        finally:
            status = scope[_STATUS]
            # Unanswered (an error on its way up): the 500 the pass renders.
            status = 500 if status is None else status
            self.metrics.observe(scope, status, time.perf_counter() - started)

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gateway_only is not None:
            key, audience = self.gateway_only
            if (refused := refusal(scope, key, audience)) is not None:
                await problem_response(refused, Request(scope))(scope, receive, send)
                return
        try:
            body = await read_checked(
                scope,
                receive,
                max_body_bytes=self.max_body_bytes,
                max_json_depth=self.max_json_depth,
            )
        except ProblemError as problem:
            await problem_response(problem, Request(scope))(scope, receive, send)
            return
        if (problem := unstorable_path(scope)) is not None:
            await problem_response(problem, Request(scope))(scope, receive, send)
            return
        if body is not None:
            await self.app(scope, replaying(body, receive), send)
            return
        if scope["method"] not in READ_METHODS:
            await self.app(scope, receive, send)
            return
        # A read with no body: it may run once more on a dead connection (problems.py).
        scope[RETRY_READ] = False
        try:
            await self.app(scope, receive, send)
        except RetryRead:
            if scope[_STATUS] is not None:
                raise
            await self.app(scope, receive, send)

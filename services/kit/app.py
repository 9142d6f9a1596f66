"""The one way every HTTP service builds its FastAPI app."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from services.kit.docs import install_docs
from services.kit.edge import RequestPass
from services.kit.health import Check, install_health
from services.kit.logs import configure_logging
from services.kit.metrics import install_metrics, serve_metrics
from services.kit.openapi import OpenApiHook, install_contract, operation_id, project_version
from services.kit.problems import install_problem_handlers
from services.kit.s3 import S3_ERRORS
from services.kit.settings import ProcessSettings, S3Settings, ServiceTokenVerifier
from services.kit.tracing import configure_tracing

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]


def create_app(
    *,
    service: str,
    title: str,
    description: str,
    settings: ProcessSettings,
    checks: Mapping[str, Check],
    lifespan: Lifespan | None = None,
    openapi_hooks: Iterable[OpenApiHook] = (),
    gateway_only: str | None = None,
    routers: Iterable[APIRouter] = (),
) -> FastAPI:
    """`gateway_only` = the service's audience: the service answers the gateway only,
    checking its service tokens with SERVICE_TOKEN_PUBLIC_KEY (services/kit/
    service_tokens.py). `routers`: the service's own, in the order FastAPI is to try them,
    included after the probes and ahead of the docs (FastAPI tries every route in
    inclusion order until one matches: a request for /v1/… went past the docs' first)."""
    configure_logging(service, settings.log_level)
    configure_tracing(service, settings)
    app = FastAPI(
        title=title,
        description=description,
        version=project_version(),
        lifespan=_with_metrics_port(lifespan, settings),
        openapi_url="/openapi.json",
        # Served from our own files (kit/docs.py), or not at all.
        docs_url=None,
        redoc_url=None,
        # `declarations.submit`, not `submit_v1_declarations__declaration_id__submissions_post`.
        generate_unique_id_function=operation_id(service),
        # One server span per request, ours (services/kit/tracing.py: no query strings,
        # no probes, the request id): FastAPI's own would start a second, separate trace.
        # Its metrics and logs off too: ours are Prometheus' (kit/metrics.py) and the
        # JSON log; left on, FastAPI asks OpenTelemetry for its providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Every error answer documented as the problem+json it is (services/kit/openapi.py).
    install_contract(app, openapi_hooks)
    app.state.settings = settings
    # The probes first (asked every few seconds, they go past no route; plain routes,
    # quick to pass), then the service's own routes, then the docs.
    install_health(app, checks, settings.readiness_timeout)
    for router in routers:
        app.include_router(router)
    if settings.docs_on:
        install_docs(app, title)
    install_problem_handlers(app)
    registry = install_metrics(app, service)
    if isinstance(settings, S3Settings):
        registry.register(S3_ERRORS)
    gateway = None
    if gateway_only is not None:
        if not isinstance(settings, ServiceTokenVerifier):
            raise TypeError("a gateway-only service needs SERVICE_TOKEN_PUBLIC_KEY")
        gateway = (settings.service_token_verifying_key(), gateway_only)
    # Everything a request goes through before its route, in one pure-ASGI pass
    # (services/kit/edge.py): client address, trace, request id, security headers, CORS
    # (only the origins the settings allow; none by default), metrics, the gateway's
    # service token, input limits, and a read's retry on a dead database connection.
    app.add_middleware(
        RequestPass,
        metrics=app.state.request_metrics,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        trusted=settings.trusted_proxy_networks(),
        gateway_only=gateway,
        cors_origins=getattr(settings, "cors_allow_origins", None) or (),
    )
    return app


def _with_metrics_port(lifespan: Lifespan | None, settings: ProcessSettings) -> Lifespan:
    """The app's lifespan, with `/metrics` served on METRICS_PORT while it runs (if set)."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[Any]:
        if lifespan is None:
            state = None
            async with _metrics_served(app, settings), _startup_frozen():
                yield state
        else:
            async with lifespan(app) as state, _metrics_served(app, settings), _startup_frozen():
                yield state

    return run


@asynccontextmanager
async def _startup_frozen() -> AsyncIterator[None]:
    """Everything the process built to start (modules, routes, schemas: a quarter of a
    million objects in the gateway) out of the cyclic garbage collector's sight while it
    serves: a full collection walked them all, a pause of a few hundred milliseconds that
    fell on whichever requests were in flight. Handed back when the app stops (a test
    process builds many apps)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@asynccontextmanager
async def _metrics_served(app: FastAPI, settings: ProcessSettings) -> AsyncIterator[None]:
    server = None
    if settings.metrics_port:
        server = await serve_metrics(app, settings.metrics_host, settings.metrics_port)
    try:
        yield
    finally:
        if server is not None:
            await server.stop()

"""The one way every HTTP service builds its FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from services.kit.deprecation import DeprecationMiddleware
from services.kit.docs import install_docs
from services.kit.headers import CORSMiddleware, SecurityHeadersMiddleware, cors_options
from services.kit.health import Check, health_router
from services.kit.limits import InputLimitsMiddleware, storable_path
from services.kit.logs import RequestIdMiddleware, configure_logging
from services.kit.metrics import install_metrics, serve_metrics
from services.kit.openapi import OpenApiHook, install_contract, operation_id, project_version
from services.kit.problems import install_problem_handlers
from services.kit.proxies import ForwardedForMiddleware
from services.kit.s3 import S3_ERRORS
from services.kit.service_tokens import GatewayOnlyMiddleware
from services.kit.settings import ProcessSettings, S3Settings
from services.kit.tracing import TracingMiddleware, configure_tracing

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
    gateway_only: tuple[str, str] | None = None,
) -> FastAPI:
    """`gateway_only` = (the setting holding the service-token key, the audience): the
    service answers the gateway only (services/kit/service_tokens.py)."""
    configure_logging(service, settings.log_level)
    tracing = configure_tracing(service, settings)
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
        telemetry={"tracing": False},
        # Path parameters hold storable text, named when they do not (kit/limits.py).
        dependencies=[Depends(storable_path)],
    )
    # Every error answer documented as the problem+json it is (services/kit/openapi.py).
    install_contract(app, openapi_hooks)
    app.state.settings = settings
    if settings.docs_on:
        install_docs(app, title)
    install_problem_handlers(app)
    app.include_router(health_router(checks, settings.readiness_timeout))
    # Inside the metrics middleware, so refused input is counted too.
    app.add_middleware(
        InputLimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
    )
    if gateway_only is not None:
        # Outside the input limits: a caller without the gateway's token gets its 401
        # before its body is read.
        key_setting, audience = gateway_only
        app.add_middleware(
            GatewayOnlyMiddleware, key=getattr(settings, key_setting), audience=audience
        )
    registry = install_metrics(app, service)
    if isinstance(settings, S3Settings):
        registry.register(S3_ERRORS)
    # Browser clients: only the origins the settings allow (none by default).
    origins = getattr(settings, "cors_allow_origins", None)
    if origins:
        app.add_middleware(CORSMiddleware, **cors_options(origins))
    # A deprecated route's Deprecation / Sunset headers on all its answers (kit/deprecation.py).
    app.add_middleware(DeprecationMiddleware)
    # The request id is set before anything else runs.
    app.add_middleware(RequestIdMiddleware)
    if tracing:
        # Outside the request id's middleware, so its access line carries the trace id.
        app.add_middleware(TracingMiddleware)
    # Outermost, so every answer carries them (a 500 rendered above included).
    app.add_middleware(SecurityHeadersMiddleware)
    # Before anything reads the client address: X-Forwarded-For from trusted proxies only.
    if trusted := settings.trusted_proxy_networks():
        app.add_middleware(ForwardedForMiddleware, trusted=trusted)
    return app


def _with_metrics_port(lifespan: Lifespan | None, settings: ProcessSettings) -> Lifespan:
    """The app's lifespan, with `/metrics` served on METRICS_PORT while it runs (if set)."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[Any]:
        if lifespan is None:
            state = None
            async with _metrics_served(app, settings):
                yield state
        else:
            async with lifespan(app) as state, _metrics_served(app, settings):
                yield state

    return run


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

"""The one way every HTTP service builds its FastAPI app."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI

from services.kit.deprecation import DeprecationMiddleware
from services.kit.headers import CORSMiddleware, SecurityHeadersMiddleware, cors_options
from services.kit.health import Check, health_router
from services.kit.limits import InputLimitsMiddleware
from services.kit.logs import RequestIdMiddleware, configure_logging
from services.kit.metrics import install_metrics
from services.kit.openapi import OpenApiHook, install_contract, operation_id, project_version
from services.kit.problems import install_problem_handlers
from services.kit.settings import ProcessSettings


def create_app(
    *,
    service: str,
    title: str,
    description: str,
    settings: ProcessSettings,
    checks: Mapping[str, Check],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    openapi_hooks: Iterable[OpenApiHook] = (),
) -> FastAPI:
    configure_logging(service, settings.log_level)
    app = FastAPI(
        title=title,
        description=description,
        version=project_version(),
        lifespan=lifespan,
        openapi_url="/openapi.json",
        # `declarations.submit`, not `submit_v1_declarations__declaration_id__submissions_post`.
        generate_unique_id_function=operation_id(service),
    )
    # Every error answer documented as the problem+json it is (services/kit/openapi.py).
    install_contract(app, openapi_hooks)
    app.state.settings = settings
    install_problem_handlers(app)
    app.include_router(health_router(checks, settings.readiness_timeout))
    # Inside the metrics middleware, so refused input is counted too.
    app.add_middleware(
        InputLimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
    )
    install_metrics(app, service)
    # Browser clients: only the origins the settings allow (none by default).
    origins = getattr(settings, "cors_allow_origins", None)
    if origins:
        app.add_middleware(CORSMiddleware, **cors_options(origins))
    # A deprecated route's Deprecation / Sunset headers on all its answers (kit/deprecation.py).
    app.add_middleware(DeprecationMiddleware)
    # The request id is set before anything else runs.
    app.add_middleware(RequestIdMiddleware)
    # Outermost, so every answer carries them (a 500 rendered above included).
    app.add_middleware(SecurityHeadersMiddleware)
    return app

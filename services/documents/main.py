"""Document service: scan intake, checks, normalisation and storage on S3."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from services.documents import memory, storage, sweeper
from services.documents import metrics as doc_metrics
from services.documents.checks import CheckConfig
from services.documents.config import DocumentsSettings, get_settings
from services.documents.router import router
from services.documents.service import Runtime
from services.kit.app import create_app
from services.kit.clients import check_database
from services.kit.db import engine_for, make_sessionmaker
from services.kit.problem_kinds import documented
from services.kit.service_tokens import DOCUMENTS_AUDIENCE, ServiceTokenRefused


def build_app(settings: DocumentsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        memory.keep_freed_memory()
        app.state.engine = engine_for(settings)
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        app.state.s3 = storage.make_client(settings)
        if settings.ensure_bucket_on_start:
            # Best effort: with S3 down the service still starts and /readyz says so.
            with contextlib.suppress(Exception):
                await anyio.to_thread.run_sync(
                    storage.ensure_bucket, app.state.s3, settings.s3_bucket
                )
        app.state.runtime = Runtime(
            s3=app.state.s3,
            bucket=settings.s3_bucket,
            links=(
                storage.make_link_client(settings, settings.s3_public_endpoint)
                if settings.s3_public_endpoint
                else app.state.s3
            ),
            checks=CheckConfig(
                max_image_pixels=settings.max_image_pixels,
                clarity_threshold=settings.clarity_threshold,
                analysis_side=settings.analysis_side,
                page_side=settings.page_analysis_side,
            ),
            cpu=anyio.CapacityLimiter(settings.worker_threads),
            io=anyio.CapacityLimiter(32),
        )
        sweep = None
        if settings.sweep_interval_seconds > 0:
            sweep = asyncio.create_task(
                sweeper.run_forever(
                    app.state.sessionmaker,
                    app.state.s3,
                    settings.s3_bucket,
                    interval=settings.sweep_interval_seconds,
                    grace=settings.sweep_grace_seconds,
                )
            )
        try:
            yield
        finally:
            if sweep is not None:
                sweep.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweep
            await app.state.engine.dispose()

    app = create_app(
        service="documents",
        title="zhicheng document service",
        description="申报材料扫描件的接收、检查、规范化与存储。",
        settings=settings,
        checks={"database": check_database, "s3": storage.check_s3},
        lifespan=lifespan,
        # Every route but the probes and metrics answers the gateway only (a service token).
        gateway_only=DOCUMENTS_AUDIENCE,
    )
    app.include_router(router, responses=documented(ServiceTokenRefused))
    doc_metrics.install(app)
    return app


app = build_app()

"""Document service: scan intake, checks, normalisation and storage on S3."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.documents import storage
from services.documents.config import DocumentsSettings, get_settings
from services.kit.app import create_app
from services.kit.clients import check_database
from services.kit.db import make_engine, make_sessionmaker


def build_app(settings: DocumentsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        app.state.s3 = storage.make_client(settings)
        try:
            yield
        finally:
            await app.state.engine.dispose()

    return create_app(
        service="documents",
        title="zhicheng document service",
        description="申报材料扫描件的接收、检查、规范化与存储。",
        settings=settings,
        checks={"database": check_database, "s3": storage.check_s3},
        lifespan=lifespan,
    )


app = build_app()

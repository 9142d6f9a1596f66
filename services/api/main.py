"""The gateway: the public /v1 API that portals, mobile and mini-program clients call."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import timedelta

from arq.connections import ArqRedis
from fastapi import FastAPI, Request

from services.api import clock
from services.api.access import document_security
from services.api.applicants.router import router as applicants_router
from services.api.audit import checkpoints
from services.api.audit.checkpoints import check_app_role
from services.api.audit.router import router as audit_router
from services.api.auth.router import router as auth_router
from services.api.calendar.router import router as calendar_router
from services.api.campaigns.router import router as campaigns_router
from services.api.chain import lapses
from services.api.chain.filing import router as filing_router
from services.api.chain.router import router as reviews_router
from services.api.chain.unit_router import router as unit_router
from services.api.clients import rules as rules_client
from services.api.clients.probes import check_documents, check_rules
from services.api.committee.router import router as committee_router
from services.api.config import ApiSettings, get_settings
from services.api.deadlines import reminders as deadline_reminders
from services.api.deadlines.router import declaration_routes as plan_router
from services.api.deadlines.router import router as deadlines_router
from services.api.declarations import router as declarations
from services.api.declarations.router import router as declarations_router
from services.api.documents.router import kinds_router
from services.api.documents.router import router as documents_router
from services.api.eligibility.router import router as eligibility_router
from services.api.http import Replay, document_headers, replay_response
from services.api.integrity.router import router as integrity_router
from services.api.journals.router import router as journals_router
from services.api.messages.router import router as messages_router
from services.api.notices import stop_tasks
from services.api.orgs.router import router as orgs_router
from services.api.payments import provider as payment_provider
from services.api.payments import tasks as payment_tasks
from services.api.payments.router import router as payments_router
from services.api.policies.router import committees_router
from services.api.policies.router import router as policies_router
from services.api.problem_types.router import router as problem_types_router
from services.api.radar import sweep as radar_sweep
from services.api.radar.router import router as radar_router
from services.api.registries import service as registries
from services.api.registries.router import router as registries_router
from services.api.results.router import router as results_router
from services.api.routing.router import router as routing_router
from services.api.specialties.router import router as specialties_router
from services.api.statistics.router import router as statistics_router
from services.api.statistics.workers import ExportPool
from services.kit.app import create_app
from services.kit.clients import check_database, check_redis, make_redis
from services.kit.db import engine_for, make_sessionmaker
from services.kit.lean import canonical_uuid, serve_lean


def build_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = engine_for(settings)
        app.state.sessionmaker = make_sessionmaker(
            app.state.engine, info=clock.session_info(settings)
        )
        app.state.redis = make_redis(settings.redis_url)
        app.state.rules = rules_client.make_client(
            settings.rules_url, settings.service_token_key(), settings.rules_timeout
        )
        app.state.registries = registries.make_registries(
            settings, redis=app.state.redis, cipher=app.state.pii
        )
        # The queue the outbox relay hands notification ids to (see services/kit/outbox.py).
        # Connects lazily, so a Valkey outage turns /readyz red instead of failing start-up.
        app.state.arq = ArqRedis.from_url(
            settings.redis_url, socket_connect_timeout=1.0, socket_timeout=2.0
        )
        # The payment provider (pay codes, 缴费验证, refunds); None when none is connected.
        app.state.payment_provider = payment_provider.make_provider(settings)
        # Where the audit chain's signed checkpoints are anchored, outside the database.
        app.state.audit_anchor = checkpoints.make_anchor(settings)
        # The processes exports are encoded in, started on first use (statistics/workers.py).
        app.state.export_pool = ExportPool(settings.export_processes)
        tasks = []
        if settings.audit_checkpoint_interval > 0:
            tasks.append(
                asyncio.create_task(
                    checkpoints.run_periodically(
                        app.state.sessionmaker,
                        app.state.audit_anchor,
                        settings.audit_checkpoint_key,
                        interval=settings.audit_checkpoint_interval,
                    )
                )
            )
        if settings.payment_sweep_interval > 0:
            sweeper = payment_tasks.run_periodically(
                app.state.sessionmaker,
                app.state.arq,
                app.state.payment_provider,
                interval=settings.payment_sweep_interval,
                grace=timedelta(seconds=settings.payment_expiry_grace_seconds),
            )
            tasks.append(asyncio.create_task(sweeper))
        if settings.return_sweep_interval > 0:
            app.state.lapse_wake = asyncio.Event()
            lapse = lapses.run_periodically(
                app.state.sessionmaker,
                app.state.arq,
                interval=settings.return_sweep_interval,
                wake=app.state.lapse_wake,
            )
            tasks.append(asyncio.create_task(lapse))
        if settings.reminder_sweep_interval > 0:
            reminding = deadline_reminders.run_periodically(
                app.state.sessionmaker,
                app.state.arq,
                app.state.pii,
                interval=settings.reminder_sweep_interval,
            )
            tasks.append(asyncio.create_task(reminding))
        if settings.radar_sweep_interval > 0:
            radar = radar_sweep.run_periodically(
                app.state.sessionmaker,
                app.state.arq,
                app.state.pii,
                interval=settings.radar_sweep_interval,
            )
            tasks.append(asyncio.create_task(radar))
        # What start-up built is kept out of the cyclic collector's full passes by
        # create_app (services/kit/app.py); seen during 100k-row exports: 300-800 ms
        # pauses, 20-95 ms once frozen.
        try:
            yield
        finally:
            await stop_tasks(tasks)
            await app.state.arq.aclose()
            await app.state.rules.aclose()
            if app.state.payment_provider is not None:
                await app.state.payment_provider.aclose()
            for registry in app.state.registries.values():
                await registry.aclose()
            await app.state.export_pool.close()
            await app.state.redis.aclose()
            await app.state.engine.dispose()

    app = create_app(
        service="api",
        title="zhicheng gateway",
        description="职称申报评审平台对外接口：资格评估、申报、审核流转、缴费。",
        settings=settings,
        checks={
            "database": check_database,
            "redis": check_redis,
            # The services it calls (their /healthz): a gateway that cannot reach them
            # cannot evaluate, submit or take an upload.
            "rules": check_rules,
            "documents": check_documents,
            # Production: refuse a DATABASE_URL whose role could rewrite the audit chain.
            **({"database_role": check_app_role} if settings.environment == "production" else {}),
        },
        lifespan=lifespan,
        # Who may call each operation: bearer tokens, portals' OAuth2 scopes, or no one.
        openapi_hooks=[document_security, document_headers],
        # FastAPI tries the routes in the order they were included, each a regular
        # expression and some bookkeeping: the most-read routes first (a declaration's GET
        # went past 30 others), all after the probes and ahead of the docs. No route here
        # answers a path another one answers (tests/api/test_route_order.py).
        routers=[
            declarations_router,
            eligibility_router,
            committees_router,
            documents_router,
            kinds_router,
            orgs_router,
            campaigns_router,
            calendar_router,
            filing_router,
            reviews_router,
            unit_router,
            audit_router,
            payments_router,
            applicants_router,
            auth_router,
            registries_router,
            journals_router,
            policies_router,
            problem_types_router,
            specialties_router,
            routing_router,
            integrity_router,
            committee_router,
            statistics_router,
            messages_router,
            radar_router,
            results_router,
            plan_router,
            deadlines_router,
        ],
    )
    # The read every front end polls, served past FastAPI's per-request work when its id
    # is written as we write ids (services/kit/lean.py); any other form goes to the route.
    serve_lean(
        app,
        declarations_router,
        declarations.get,
        declarations.get_lean,
        declaration_id=canonical_uuid,
    )
    # Sealing and blind-indexing personal data (services/kit/pii.py).
    app.state.pii = settings.pii_cipher()

    @app.exception_handler(Replay)
    async def _replay(request: Request, exc: Replay):
        return replay_response(exc.record)

    return app


app = build_app()

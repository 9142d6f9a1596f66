"""Reference web front end: the applicant's H5 pages and the reviewers' workbench,
server-rendered (Jinja2), a client of the gateway's public API and of nothing else."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from services.kit.app import create_app
from services.kit.clients import tls_context
from services.web import applicant, committee, experts, results, signin, staff, uploads
from services.web.config import WebSettings, get_settings
from services.web.gateway import GatewayProblem, SignInNeeded
from services.web.pages import CsrfRefused, csrf_page, problem_page, sign_in_again
from services.web.session import COOKIE, dump, load

# Pages load only this origin's stylesheet and images; forms post only here.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


async def check_gateway(app: FastAPI) -> None:
    r = await app.state.gateway.get("/healthz")
    r.raise_for_status()


def build_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        timeout = httpx.Timeout(settings.gateway_timeout, connect=5.0)
        async with httpx.AsyncClient(
            base_url=settings.gateway_url, timeout=timeout, verify=tls_context()
        ) as client:
            app.state.gateway = client
            yield

    app = create_app(
        service="web",
        title="zhicheng web",
        description="职称申报评审参考前端：申报人 H5 与审核工作台（服务端渲染）。",
        settings=settings,
        checks={"gateway": check_gateway},
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def session_cookie(request: Request, call_next):
        started = time.perf_counter()
        request.state.session = session = load(
            request.cookies.get(COOKIE), settings.web_session_secret
        )
        response = await call_next(request)
        # How long the page took here, its calls to the gateway included (the benchmark
        # reads it: scripts/bench_web.py).
        elapsed = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"page;dur={elapsed:.1f}"
        if session.changed:
            response.set_cookie(
                COOKIE,
                dump(session, settings.web_session_secret, settings.web_session_max_age),
                max_age=settings.web_session_max_age,
                httponly=True,
                secure=settings.web_cookie_secure,
                samesite="lax",
                path="/",
            )
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Content-Security-Policy"] = CSP
            response.headers["Cache-Control"] = "no-store"
        return response

    app.add_exception_handler(GatewayProblem, problem_page)
    app.add_exception_handler(SignInNeeded, sign_in_again)
    app.add_exception_handler(CsrfRefused, csrf_page)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(signin.router)
    app.include_router(applicant.router)
    app.include_router(uploads.router)
    app.include_router(staff.router)
    app.include_router(committee.router)
    app.include_router(experts.router)
    app.include_router(results.router)
    return app


app = build_app()

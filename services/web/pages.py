"""What every page handler shares: the session and gateway of the request, CSRF checks
on forms, rendering, and how a gateway problem or a lapsed session is shown."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.web import labels
from services.web.gateway import Gateway, GatewayProblem, SignInNeeded
from services.web.session import Session

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["name"] = labels.name
templates.env.globals["LEVELS"] = labels.LEVEL_CHOICES
templates.env.globals["PATHS"] = labels.PATH_NAMES


CHINA = timezone(timedelta(hours=8), "CST")


class CsrfRefused(Exception):
    pass


def session_of(request: Request) -> Session:
    return request.state.session


def gateway(request: Request) -> Gateway:
    return Gateway(request.app.state.gateway, request, session_of(request))


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's (else CsrfRefused)."""
    form = await request.form()
    sent = str(form.get("csrf", ""))
    if not sent or not hmac.compare_digest(sent, session_of(request).csrf):
        raise CsrfRefused
    return form


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = session_of(request)
    context.update(request=request, session=session, csrf=session.csrf)
    return templates.TemplateResponse(request, template, context, status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def problem_page(request: Request, exc: GatewayProblem) -> HTMLResponse:
    status = exc.status if 400 <= exc.status < 600 else 502
    return render(request, "problem.html", status=status, problem=exc)


def staff_home(role: str | None) -> str:
    """Where a staff member lands: an expert has no review queue, only their pool entry."""
    return "/experts/me" if role == "expert" else "/review"


def sign_in_again(request: Request, _exc: SignInNeeded) -> RedirectResponse:
    staff = request.url.path.startswith(("/review", "/office", "/committee", "/experts"))
    return redirect("/staff/login" if staff else "/login")


def csrf_page(request: Request, _exc: CsrfRefused) -> HTMLResponse:
    problem = GatewayProblem(
        403, {"detail": "表单已过期或来源不明，请返回上一页刷新后重新提交。", "type": "csrf"}
    )
    return render(request, "problem.html", status=403, problem=problem)


def china_time(value: str | None) -> str:
    """An API instant (UTC, ISO 8601) as the time a person in China reads."""
    if not value:
        return "—"
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


templates.env.filters["cst"] = china_time

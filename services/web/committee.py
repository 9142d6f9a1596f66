"""Committee pages (desktop): the committee office's sessions (create, the drawn panel, the
defence schedule, opening and closing, the tallies) and an expert's secret ballot. What
each person may see or do is the gateway's answer to their token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.gateway import GatewayProblem
from services.web.pages import checked_form, gateway, redirect, render, session_of

router = APIRouter(include_in_schema=False)
CHOICES = {"agree": "同意", "disagree": "不同意", "abstain": "弃权"}
STATES = {"created": "待抽取专家", "drawn": "专家已抽取", "open": "评审中", "closed": "已结束"}


@router.get("/committee")
async def sessions(request: Request) -> Response:
    return await _sessions_page(request)


async def _sessions_page(request: Request, status: int = 200, **extra: Any) -> Response:
    gw = gateway(request)
    items = await gw.get("/v1/committee-sessions")
    campaigns = await gw.get("/v1/campaigns")
    return render(
        request,
        "committee.html",
        status=status,
        sessions=items,
        campaigns=campaigns,
        session_states=STATES,
        **extra,
    )


@router.post("/committee")
async def create(request: Request) -> Response:
    form = await checked_form(request)
    body = {
        "campaign_id": form.get("campaign_id"),
        "level": form.get("level"),
        "panel_size": str(form.get("panel_size", "")).strip(),
    }
    try:
        r = await gateway(request).send("POST", "/v1/committee-sessions", body)
    except GatewayProblem as exc:
        if exc.status in (401, 403):
            raise
        return await _sessions_page(request, exc.status, problem=exc)
    return redirect(f"/committee/{r.json()['id']}")


async def _session_page(request: Request, sid: str, status: int = 200, **extra) -> Response:
    gw = gateway(request)
    item = await gw.get(f"/v1/committee-sessions/{sid}")
    office = session_of(request).role == "committee_office"
    reads = {}
    for key, path in (("panel", "panel"), ("slots", "defence-slots"), ("tallies", "tallies")):
        r = await gw.raw("GET", f"/v1/committee-sessions/{sid}/{path}")
        reads[key] = r.json() if r.status_code == 200 else None
    return render(
        request,
        "committee_session.html",
        status=status,
        s=item,
        office=office,
        choices=CHOICES,
        session_states=STATES,
        **reads,
        **extra,
    )


@router.get("/committee/{sid}")
async def session_page(request: Request, sid: str) -> Response:
    return await _session_page(request, sid)


async def _act(request: Request, sid: str, path: str, body: Any, done: str) -> Response:
    try:
        await gateway(request).send("POST", f"/v1/committee-sessions/{sid}/{path}", body)
    except GatewayProblem as exc:
        if exc.status in (401, 403, 404):
            raise
        return await _session_page(request, sid, exc.status, problem=exc)
    return await _session_page(request, sid, done=done)


@router.post("/committee/{sid}/draw")
async def draw(request: Request, sid: str) -> Response:
    await checked_form(request)
    return await _act(request, sid, "draw", None, "评审专家已随机抽取。")


@router.post("/committee/{sid}/opening")
async def opening(request: Request, sid: str) -> Response:
    await checked_form(request)
    return await _act(request, sid, "opening", None, "评审会已开始。")


@router.post("/committee/{sid}/closing")
async def closing(request: Request, sid: str) -> Response:
    await checked_form(request)
    return await _act(request, sid, "closing", None, "评审会已结束，结果已统计。")


@router.post("/committee/{sid}/defence-slots")
async def schedule(request: Request, sid: str) -> Response:
    form = await checked_form(request)
    body = {
        "declaration_id": form.get("declaration_id"),
        "starts_at": f"{form.get('starts_at')}:00+08:00" if form.get("starts_at") else None,
        "place": str(form.get("place", "")).strip() or None,
    }
    return await _act(request, sid, "defence-slots", body, "答辩时间已安排，并通知申报人。")


@router.post("/committee/{sid}/ballots")
async def ballot(request: Request, sid: str) -> Response:
    form = await checked_form(request)
    body = {"declaration_id": form.get("declaration_id"), "choice": form.get("choice")}
    return await _act(request, sid, "ballots", body, "已投票（不记名）。")

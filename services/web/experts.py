"""The expert pool (评委库) pages (desktop): an expert applies to their committee office's
pool and follows the entry's status; the committee office lists its pool by status, opens
an entry and decides on it (核准入库, 不予入库, 暂停, 恢复, 退出) with a reason. What each
person may see or do is the gateway's answer to their token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.gateway import GatewayProblem
from services.web.pages import checked_form, gateway, render

router = APIRouter(include_in_schema=False)
STATUS = {
    "pending": "待审核",
    "approved": "在库",
    "rejected": "未核准",
    "suspended": "暂停",
    "retired": "已退出",
}
DECISIONS = {
    "approve": "核准入库",
    "reject": "不予入库",
    "suspend": "暂停",
    "reinstate": "恢复",
    "retire": "退出评委库",
}
SERIES = ("engineering", "arts_crafts")  # the series the pool takes (ExpertApplication)
FIELDS = ("name", "title", "employer_name", "region_code")


def _application(form: Any) -> dict[str, Any]:
    """The form as the gateway's ExpertApplication (specialties: one line or comma each)."""
    text = str(form.get("specialties", "")).replace("，", ",").replace("、", ",")
    body: dict[str, Any] = {key: str(form.get(key, "")).strip() for key in FIELDS}
    body["series"] = form.get("series")
    body["specialties"] = [s.strip() for s in text.replace("\n", ",").split(",") if s.strip()]
    return body


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("，", "\n").splitlines() if line.strip()]


async def _conflict_ids(request: Request, names: list[str]) -> list[str]:
    """The units an expert names for 申报回避 (a name or credit code each), as the gateway's
    unit search finds them: the exact match, else the only hit; else a problem saying
    which one to write out in full."""
    ids = []
    for text in names:
        hits = await gateway(request).get("/v1/orgs", params={"q": text})
        pick = [u for u in hits if text in (u["name"], u.get("credit_code"))] or hits
        if len(pick) != 1:
            detail = (
                f"没有找到单位“{text}”，请填写单位全称或统一社会信用代码。"
                if not pick
                else f"“{text}”对应多个单位，请填写单位全称或统一社会信用代码。"
            )
            raise GatewayProblem(422, {"detail": detail, "type": "conflict-org-unclear"})
        ids.append(pick[0]["id"])
    return ids


async def _org_names(request: Request, ids: list[str]) -> list[str]:
    gw = gateway(request)
    return [(await gw.get(f"/v1/orgs/{oid}"))["name"] for oid in ids]


async def _mine_page(request: Request, status: int = 200, **extra: Any) -> Response:
    try:
        entry = await gateway(request).get("/v1/experts/me")
    except GatewayProblem as exc:
        if exc.status != 404:
            raise
        entry = None  # not applied yet: the form
    conflicts = await _org_names(request, entry["conflict_org_ids"]) if entry else []
    form = extra.pop("form", None) or {**(entry or {}), "conflicts": "\n".join(conflicts)}
    return render(
        request,
        "experts_me.html",
        status=status,
        entry=entry,
        conflicts=conflicts,
        form=form,
        statuses=STATUS,
        series=SERIES,
        **extra,
    )


@router.get("/experts/me")
async def mine(request: Request) -> Response:
    return await _mine_page(request)


@router.post("/experts/me")
async def apply(request: Request) -> Response:
    form = await checked_form(request)
    body = _application(form)
    typed = str(form.get("conflicts", ""))
    try:
        body["conflict_org_ids"] = await _conflict_ids(request, _lines(typed))
        await gateway(request).send("POST", "/v1/experts/applications", body)
    except GatewayProblem as exc:
        if exc.status in (401, 403):
            raise
        shown = {**body, "conflicts": typed}
        return await _mine_page(request, exc.status, problem=exc, form=shown)
    return await _mine_page(request, done="入库申请已提交，等待评委会办公室审核。")


@router.get("/experts")
async def pool(request: Request, status: str = "") -> Response:
    params = {"status": status} if status else None
    items = await gateway(request).get("/v1/experts", params=params)
    return render(request, "experts_pool.html", items=items, chosen=status, statuses=STATUS)


async def _entry_page(request: Request, eid: str, status: int = 200, **extra: Any) -> Response:
    entry = await gateway(request).get(f"/v1/experts/{eid}")
    return render(
        request,
        "experts_entry.html",
        status=status,
        e=entry,
        statuses=STATUS,
        decisions=DECISIONS,
        **extra,
    )


@router.get("/experts/{eid}")
async def entry(request: Request, eid: str) -> Response:
    return await _entry_page(request, eid)


@router.post("/experts/{eid}/decisions")
async def decide(request: Request, eid: str) -> Response:
    form = await checked_form(request)
    decision = str(form.get("decision", ""))
    body = {"decision": decision, "reason": str(form.get("reason", "")).strip()}
    # The version the office read: a decision made meanwhile by someone else is refused.
    headers = {"If-Match": f'"{form.get("version", "")}"'}
    try:
        await gateway(request).send("POST", f"/v1/experts/{eid}/decisions", body, headers=headers)
    except GatewayProblem as exc:
        if exc.status in (401, 403, 404):
            raise
        return await _entry_page(request, eid, exc.status, problem=exc, reason=body["reason"])
    done = f"已{DECISIONS.get(decision, decision)}。"
    return await _entry_page(request, eid, done=done)

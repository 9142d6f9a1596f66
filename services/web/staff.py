"""The reviewers' workbench (desktop): staff sign-in, the review queue (riskiest first,
with the risk summary), a declaration with its documents side by side, the one-list
return, the unit's steps (defence, deliberation, posting, recommendation, its materials,
原件核实 and 承诺书), judgements on open conditions, approval, the posting list export
and the campaign statistics. Each person sees what the gateway lets their token see."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web import sections
from services.web.gateway import GatewayProblem
from services.web.pages import checked_form, gateway, redirect, render, session_of, staff_home
from services.web.uploads import download

router = APIRouter(include_in_schema=False)
CHINA = timedelta(hours=8)
UNIT_PRODUCED = ("public_posting", "unit_recommendation")  # the gateway writes these


@router.get("/staff/login")
async def login_page(request: Request) -> Response:
    return render(request, "staff_login.html", username="")


@router.post("/staff/login")
async def login(request: Request) -> Response:
    form = await checked_form(request)
    username = str(form.get("username", "")).strip()
    body = {"username": username, "password": str(form.get("password", ""))}
    try:
        r = await gateway(request).call("POST", "/v1/auth/staff-logins", json=body, auth=False)
    except GatewayProblem as exc:
        return render(request, "staff_login.html", exc.status, username=username, problem=exc)
    pair = r.json()
    session = session_of(request)
    session.sign_in(pair, "staff", username)
    session.role = await _role(request)
    if session.role == "expert" and await _in_the_pool(request):
        return redirect("/committee")  # the sessions they sit on
    return redirect(staff_home(session.role))


async def _in_the_pool(request: Request) -> bool:
    """An expert the office took into its pool lands on their sessions; one who has not
    applied, or whose application is pending or was refused, on their pool entry."""
    r = await gateway(request).raw("GET", "/v1/experts/me")
    return r.status_code == 200 and r.json().get("status") == "approved"


async def _role(request: Request) -> str:
    """The staff role, as the gateway's own token says (its claims, read without checking
    the signature: the gateway checks it on every call; this only chooses the menus)."""
    import base64
    import json

    token = session_of(request).access or ""
    try:
        part = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        return str(claims.get("role") or "staff")
    except (IndexError, ValueError):
        return "staff"


@router.get("/review")
async def queue(request: Request) -> Response:
    gw = gateway(request)
    items, campaigns = await asyncio.gather(
        gw.get("/v1/review-queue", params={"limit": 100}), gw.get("/v1/campaigns")
    )
    return render(request, "queue.html", items=items, campaigns=campaigns)


async def _review_page(request: Request, did: str, status: int = 200, **extra: Any) -> Response:
    gw = gateway(request)
    url = f"/v1/declarations/{did}"
    unit = session_of(request).role == "unit_reviewer"

    async def unit_review() -> dict | None:
        r = await gw.raw("GET", url + "/unit-review")
        return r.json() if r.status_code == 200 else None

    async def nothing() -> None:
        return None

    # The page's reads, at once (each answers for this person's token).
    declaration, documents, returns, judgements, review, checks, pledge = await asyncio.gather(
        gw.get(url),
        gw.get(url + "/documents"),
        gw.get(url + "/returns"),
        gw.get(url + "/judgements"),
        unit_review() if unit else nothing(),
        gw.get(url + "/original-checks") if unit else nothing(),
        gw.get(url + "/unit-pledge") if unit else nothing(),
    )
    materials = (declaration.get("eligibility") or {}).get("materials") or []
    unit_materials = [
        m for m in materials if m.get("producer") == "unit" and m["id"] != "unit_pledge"
    ]
    return render(
        request,
        "review.html",
        status=status,
        d=declaration,
        documents=documents,
        returns=returns,
        judgements=judgements,
        unit=unit,
        review=review,
        checks=checks,
        pledge=pledge,
        unit_materials=unit_materials,
        generated=UNIT_PRODUCED,
        filed={doc.get("material") or doc["kind"] for doc in documents},
        readable=sections.readable(declaration["sections"]),
        material_names={m["id"]: m["name"] for m in materials},
        **extra,
    )


@router.get("/review/{did}")
async def review(request: Request, did: str) -> Response:
    return await _review_page(request, did)


async def _act(
    request: Request, did: str, method: str, path: str, body: Any, done: str
) -> Response:
    """One reviewer action; its problem shown on the declaration's page."""
    try:
        if method == "PUT":
            await gateway(request).call(method, path, json=body)
        else:
            await gateway(request).send(method, path, body)
    except GatewayProblem as exc:
        if exc.status in (401, 403, 404):
            raise
        return await _review_page(request, did, exc.status, problem=exc)
    return await _review_page(request, did, done=done)


def _end_of_day(day: str) -> str:
    """A date's end in China Standard Time, as the deadline instant the API takes."""
    on = datetime.fromisoformat(day).date()
    return (datetime.combine(on, time(23, 59, 59), tzinfo=UTC) - CHINA).isoformat()


@router.post("/review/{did}/returns")
async def issue_return(request: Request, did: str) -> Response:
    form = await checked_form(request)
    items = [
        {"message": line.strip()}
        for line in str(form.get("items", "")).splitlines()
        if line.strip()
    ]
    deadline = str(form.get("deadline_on", ""))
    try:
        deadline_at = _end_of_day(deadline)
    except ValueError:
        problem = GatewayProblem(422, {"detail": "请填写补正截止日期。"})
        return await _review_page(request, did, 422, problem=problem)
    body = {"items": items, "deadline_at": deadline_at}
    return await _act(
        request,
        did,
        "POST",
        f"/v1/declarations/{did}/returns",
        body,
        "已退回补正，并一次性告知申报人。",
    )


@router.post("/review/{did}/unit-review")
async def unit_review(request: Request, did: str) -> Response:
    form = await checked_form(request)

    def text(key: str) -> str | None:
        return str(form.get(key, "")).strip() or None

    body = {
        "defence_on": text("defence_on"),
        "defence_place": text("defence_place"),
        "defence_note": text("defence_note"),
        "deliberation_on": text("deliberation_on"),
        "deliberation_note": text("deliberation_note"),
        "panel": [
            p.strip() for p in str(form.get("panel", "")).replace("，", ",").split(",") if p.strip()
        ],
        "posting_start_on": text("posting_start_on"),
        "posting_end_on": text("posting_end_on"),
        "posting_objections": text("posting_objections"),
        "recommendation": {
            "agree": form.get("agree") == "true",
            "recommended_on": text("recommended_on"),
            "moral_character": text("moral_character"),
            "work_results": text("work_results"),
            "professional_level": text("professional_level"),
            "competence": text("competence"),
            "work_attitude": text("work_attitude"),
        },
    }
    return await _act(
        request, did, "PUT", f"/v1/declarations/{did}/unit-review", body, "单位审核记录已保存。"
    )


@router.post("/review/{did}/unit-materials/{material}")
async def unit_material(request: Request, did: str, material: str) -> Response:
    await checked_form(request)
    path = f"/v1/declarations/{did}/unit-materials/{material}"
    return await _act(request, did, "POST", path, None, "材料已生成。")


@router.post("/review/{did}/documents")
async def unit_upload(request: Request, did: str) -> Response:
    form = await checked_form(request)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        problem = GatewayProblem(422, {"detail": "请选择要上传的文件。"})
        return await _review_page(request, did, 422, problem=problem)
    content = await upload.read()
    files = {"file": (upload.filename, content, upload.content_type or "application/octet-stream")}
    try:
        await gateway(request).call(
            "POST",
            f"/v1/declarations/{did}/documents",
            data={"kind": str(form.get("kind", ""))},
            files=files,
        )
    except GatewayProblem as exc:
        return await _review_page(
            request, did, exc.status, problem=exc, findings=exc.body.get("findings") or []
        )
    return await _review_page(request, did, done="材料已上传。")


@router.post("/review/{did}/original-checks")
async def original_checks(request: Request, did: str) -> Response:
    """原件核实: each document listed, recorded as seen in the original."""
    form = await checked_form(request)
    gw = gateway(request)
    note = str(form.get("note", "")).strip() or "已核对原件"
    try:
        for check in await gw.get(f"/v1/declarations/{did}/original-checks"):
            if not check["checked"]:
                await gw.call(
                    "PUT",
                    f"/v1/declarations/{did}/original-checks/{check['document_id']}",
                    json={"seen_original": True, "note": note},
                )
    except GatewayProblem as exc:
        return await _review_page(request, did, exc.status, problem=exc)
    return await _review_page(request, did, done="原件核实已记录。")


@router.post("/review/{did}/pledge")
async def pledge(request: Request, did: str) -> Response:
    form = await checked_form(request)
    body = {"text_version": str(form.get("text_version", ""))}
    return await _act(
        request, did, "POST", f"/v1/declarations/{did}/unit-pledge", body, "承诺书已签署。"
    )


@router.post("/review/{did}/judgements/{jid}")
async def judge(request: Request, did: str, jid: str) -> Response:
    form = await checked_form(request)
    body = {
        "decision": form.get("decision"),
        "reason": str(form.get("reason", "")).strip(),
        "clause": str(form.get("clause", "")).strip(),
    }
    path = f"/v1/declarations/{did}/judgements/{jid}/decisions"
    try:
        await gateway(request).send("POST", path, body)
    except GatewayProblem as exc:
        if exc.status in (401, 404):
            raise
        # Another level's to decide (403): said on the page, which this office may read.
        return await _review_page(request, did, exc.status, problem=exc)
    return await _review_page(request, did, done="判断已记录。")


@router.post("/review/{did}/approve")
async def approve(request: Request, did: str) -> Response:
    form = await checked_form(request)
    body = {"comment": str(form.get("comment", "")).strip() or None}
    try:
        await gateway(request).send("POST", f"/v1/declarations/{did}/approvals", body)
    except GatewayProblem as exc:
        if exc.status in (401, 403, 404):
            raise
        return await _review_page(request, did, exc.status, problem=exc)
    return redirect("/review")


@router.post("/review/{did}/payment-notice")
async def payment_notice(request: Request, did: str) -> Response:
    """The committee's office, on an accepted declaration: the fee notice to the applicant."""
    await checked_form(request)
    path = f"/v1/declarations/{did}/payment-notices"
    return await _act(request, did, "POST", path, None, "缴费通知已发出。")


@router.get("/review/{did}/documents/{doc_id}/file")
async def document_file(request: Request, did: str, doc_id: str) -> Response:
    return await download(request, f"/v1/declarations/{did}/documents/{doc_id}/download")


@router.get("/office/campaigns/{cid}/posting-list")
async def posting_list(request: Request, cid: str) -> Response:
    return await download(request, f"/v1/campaigns/{cid}/posting-list?format=xlsx")


@router.get("/office/campaigns/{cid}/statistics")
async def statistics(request: Request, cid: str) -> Response:
    gw = gateway(request)
    campaign = await gw.get(f"/v1/campaigns/{cid}")
    stats = await gw.get(f"/v1/campaigns/{cid}/statistics")
    return render(request, "statistics.html", campaign=campaign, stats=stats)
